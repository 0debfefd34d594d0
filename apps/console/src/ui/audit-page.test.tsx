import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { AuditPage } from '../pages/audit';
import type { AuditEntry } from './audit-filters';
import { fakeApi, page, renderPage, Status, TEST_USER } from '../test-support';

const P = 'b5a5af20-c805-4bef-b964-d109bcf5d054';
const AGENT = 'c702fc2e-7299-4b7f-9323-f765bb0a5468';
const TASK = '52e57d13-3986-41dc-a2d0-74bd68f9faf7';
const EXEC = '02004474-ebe2-477b-ad16-a39a12a2f25d';

const entry = (id: string, fields: Partial<AuditEntry>): AuditEntry => ({
  id,
  occurred_at: '2026-12-02T14:00:00.000Z',
  actor_type: 'user',
  actor_id: TEST_USER.id,
  action: 'task.create',
  resource_type: 'task',
  resource_id: TASK,
  project_id: P,
  request_id: `req-${id}`,
  ...fields,
});

const rows = [
  entry('3', { actor_type: 'agent', actor_id: AGENT, action: 'task.claim' }),
  entry('2', {
    actor_type: 'system',
    actor_id: null,
    action: 'workflow_execution.failed',
    resource_type: 'workflow_execution',
    resource_id: EXEC,
  }),
  entry('1', { action: 'agent_api_key.create', resource_type: 'api_key', resource_id: 'k1' }),
];

function api(answer?: unknown) {
  return fakeApi(({ path }) => {
    if (path === '/api/v1/agents') return page([{ id: AGENT, name: 'orion-planner' }]);
    if (path === `/api/v1/projects/${P}/audit`) return answer ?? page(rows, 0, 50, 120);
    return undefined;
  });
}

const render = (search = '') =>
  renderPage(<AuditPage />, {
    path: `/projects/${P}/audit${search}`,
    route: '/projects/:projectId/audit',
  });

describe('the audit page', () => {
  it('shows each row: time, actor by name, action, resource with its link, request id', async () => {
    api();
    render();
    const claim = await waitFor(() => {
      const row = document.querySelector('tr[data-audit-id="3"]');
      if (!(row instanceof HTMLElement)) throw new Error('not yet');
      return row;
    });
    await within(claim).findByRole('link', { name: 'orion-planner' });
    expect(within(claim).getByRole('link', { name: TASK }).getAttribute('href')).toBe(
      `/projects/${P}/queue/${TASK}`,
    );
    expect(within(claim).getByText('req-3')).toBeTruthy();
    const failed = document.querySelector('tr[data-audit-id="2"]') as HTMLElement;
    expect(within(failed).getByRole('link', { name: 'system' })).toBeTruthy();
    expect(within(failed).getByRole('link', { name: EXEC }).getAttribute('href')).toBe(
      `/projects/${P}/executions/${EXEC}`,
    );
    const key = document.querySelector('tr[data-audit-id="1"]') as HTMLElement;
    expect(within(key).getByText('Olga Ops (you)')).toBeTruthy();
    expect(within(key).queryByRole('link', { name: 'k1' })).toBeNull();
    expect(screen.getByText('1–50 of 120')).toBeTruthy();
  });

  it('sends the filters of the URL and the page as the query', async () => {
    const seen = api();
    render(`?actor_type=agent&actor_id=${AGENT}&action=task.claim&offset=50`);
    await screen.findByText('orion-planner', { selector: 'a' });
    const read = seen.requests.find((r) => r.path === `/api/v1/projects/${P}/audit`);
    expect(Object.fromEntries(read?.query ?? [])).toEqual({
      limit: '50',
      offset: '50',
      actor_type: 'agent',
      actor_id: AGENT,
      action: 'task.claim',
    });
  });

  it('applies the filters typed in, from the first page', async () => {
    const seen = api();
    render('?offset=50');
    await screen.findByText('orion-planner', { selector: 'a' });
    fireEvent.change(screen.getByLabelText('Resource type'), {
      target: { value: 'workflow_execution' },
    });
    fireEvent.change(screen.getByLabelText('Resource id'), { target: { value: ` ${EXEC} ` } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() =>
      expect(seen.requests.some((r) => r.query.get('resource_id') === EXEC)).toBe(true),
    );
    const last = seen.requests.filter((r) => r.path.endsWith('/audit')).pop();
    expect(last?.query.get('resource_type')).toBe('workflow_execution');
    expect(last?.query.get('offset')).toBe('0');
  });

  it("shows the API's refusal as it says it", async () => {
    api(new Status(403, { status: 403, title: 'Forbidden', detail: 'Not your project' }));
    render();
    expect((await screen.findByRole('alert')).textContent).toBe('Not your project');
  });
});
