import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { MessagesPage } from '../pages/messages';
import type { Message } from './conversations';
import { fakeApi, page, renderPage, TEST_USER } from '../test-support';

const P = 'b5a5af20-c805-4bef-b964-d109bcf5d054';
const ORION = 'c702fc2e-7299-4b7f-9323-f765bb0a5468';
const LYRA = 'adb46b17-2040-42b9-afb5-fc0ebaf70bc3';
const VEGA = 'e9e83d43-0f0c-48e7-b91c-a3bb09d63147';
const CONV = '720fde36-b3e8-4b18-ac61-c58cc51a962d';
const CORR = 'be8105d1-1ea9-4286-93b1-eee8a7e74d6b';

function msg(id: string, fields: Partial<Message>): Message {
  return {
    id,
    message_id: id,
    project_id: P,
    conversation_id: CONV,
    correlation_id: CORR,
    reply_to: null,
    sender_id: ORION,
    sender_type: 'agent',
    recipient_id: LYRA,
    recipient_type: 'agent',
    message_type: 'request',
    priority: 'normal',
    subject: null,
    payload: {},
    status: 'pending',
    retry_count: 0,
    max_retries: 3,
    ack_timeout_seconds: 30,
    visible_until: null,
    expires_at: null,
    sent_at: null,
    delivered_at: null,
    acknowledged_at: null,
    failed_at: null,
    last_error: null,
    created_at: '2026-12-01T10:00:00.000Z',
    updated_at: '2026-12-01T10:00:00.000Z',
    ...fields,
  };
}

const request = msg('00000000-0000-4000-8000-000000000001', {
  subject: 'Draft the release notes',
  priority: 'high',
  payload: { release: '2.4.0' },
  status: 'acknowledged',
  sent_at: '2026-12-01T10:00:01.000Z',
  acknowledged_at: '2026-12-01T10:00:02.000Z',
});
const toVega = msg('00000000-0000-4000-8000-000000000002', {
  recipient_id: VEGA,
  payload: { release: '2.4.0' },
  subject: 'Draft the release notes',
  priority: 'high',
  status: 'failed',
  retry_count: 1,
  max_retries: 1,
  last_error: 'context window exceeded',
});
const reply = msg('00000000-0000-4000-8000-000000000003', {
  sender_id: LYRA,
  recipient_id: ORION,
  message_type: 'response',
  reply_to: request.id,
  created_at: '2026-12-01T10:05:00.000Z',
  status: 'sent',
});
const fromUser = msg('00000000-0000-4000-8000-000000000004', {
  conversation_id: '11111111-1111-4111-8111-111111111111',
  correlation_id: '22222222-2222-4222-8222-222222222222',
  sender_type: 'user',
  sender_id: TEST_USER.id,
  message_type: 'instruction',
  subject: 'Freeze deploys',
  created_at: '2026-12-01T11:00:00.000Z',
});

const agents = page([
  { id: ORION, name: 'orion-planner' },
  { id: LYRA, name: 'lyra-writer' },
  { id: VEGA, name: 'vega-reviewer' },
]);

function api() {
  return fakeApi(({ path, query }) => {
    if (path === '/api/v1/agents') return agents;
    if (path === '/api/v1/messages') {
      if (query.get('conversation_id') === CONV) return page([reply, toVega, request], 0, 500);
      if (query.has('conversation_id') || query.has('correlation_id')) return page([], 0, 500);
      return page([fromUser, reply, toVega, request], 0, 100);
    }
    if (path === `/api/v1/messages/${reply.id}`) return reply;
    return undefined;
  });
}

const render = (search = '') =>
  renderPage(<MessagesPage />, {
    path: `/projects/${P}/messages${search}`,
    route: '/projects/:projectId/messages',
  });

describe('the messages page', () => {
  it('lists the recent conversations with their participants and statuses', async () => {
    const seen = api();
    render();
    const conversation = await waitFor(() => {
      const li = document.querySelector(`[data-conversation-key="conversation:${CONV}"]`);
      if (!(li instanceof HTMLElement)) throw new Error('not yet');
      return li;
    });
    expect(within(conversation).getByText('Draft the release notes')).toBeTruthy();
    expect(
      within(conversation).getByText('orion-planner, lyra-writer, vega-reviewer'),
    ).toBeTruthy();
    expect(within(conversation).getByText('3 messages')).toBeTruthy();
    const statuses = [...conversation.querySelectorAll('[data-status]')].map((el) =>
      el.getAttribute('data-status'),
    );
    expect(statuses).toEqual(['sent', 'acknowledged', 'failed']);
    // the operator's own message names them
    expect(await screen.findByText('Olga Ops (you), lyra-writer')).toBeTruthy();
    // newest first: the operator's message heads the list
    const keys = [...document.querySelectorAll('[data-conversation-key]')].map((el) =>
      el.getAttribute('data-conversation-key'),
    );
    expect(keys[0]).toBe('conversation:11111111-1111-4111-8111-111111111111');
    const list1 = seen.requests.find((r) => r.path === '/api/v1/messages');
    expect(list1?.query.get('project_id')).toBe(P);
  });

  it('shows the selected conversation as a thread, each delivery with its status', async () => {
    const seen = api();
    render(`?conversation=${CONV}`);
    const thread = await screen.findByRole('region', { name: 'Draft the release notes' });
    await within(thread).findByText('orion-planner');
    const sends = within(thread).getAllByRole('article');
    // one send to two recipients, then the reply
    expect(sends).toHaveLength(2);
    expect(within(sends[0]).getByText(/lyra-writer, vega-reviewer/)).toBeTruthy();
    const failed = sends[0].querySelector(`[data-message-id="${toVega.id}"]`);
    expect(failed?.getAttribute('data-delivery-status')).toBe('failed');
    expect(failed?.textContent).toContain('context window exceeded');
    expect(failed?.textContent).toContain('1 of 1');
    expect(
      sends[1].querySelector(`[data-message-id="${reply.id}"] [data-status]`)?.textContent,
    ).toBe('sent');
    expect(within(sends[1]).getByRole('link', { name: 'request from orion-planner' })).toBeTruthy();
    const read = seen.requests.find((r) => r.query.get('conversation_id') === CONV);
    expect(read?.query.get('project_id')).toBe(P);
  });

  it('opens a thread by a pasted correlation id, and says when it holds nothing', async () => {
    const seen = api();
    render();
    fireEvent.change(await screen.findByLabelText('Id'), {
      target: { value: '  33333333-3333-4333-8333-333333333333 ' },
    });
    fireEvent.change(screen.getByLabelText('Look up as'), { target: { value: 'correlation' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    expect(await screen.findByText(/No messages with correlation id/)).toBeTruthy();
    expect(
      seen.requests.some(
        (r) => r.query.get('correlation_id') === '33333333-3333-4333-8333-333333333333',
      ),
    ).toBe(true);
  });

  it('refuses a pasted text that is no id', async () => {
    api();
    render();
    fireEvent.change(await screen.findByLabelText('Id'), { target: { value: 'hello' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Paste an id/);
  });

  it('opens the conversation of a message given by its id', async () => {
    api();
    render(`?message=${reply.id}`);
    const thread = await screen.findByRole('region', { name: 'Draft the release notes' });
    await waitFor(() => expect(within(thread).getAllByRole('article')).toHaveLength(2));
    expect(thread.querySelector('.highlighted')?.getAttribute('data-message-id')).toBe(reply.id);
  });
});
