import {
  deliveryFacts,
  findRepliedSend,
  groupConversations,
  groupSends,
  parseThreadId,
  readThreadRef,
  statusSummary,
  threadContains,
  threadOf,
  withThreadRef,
  type Message,
} from './conversations';

let serial = 0;
function message(fields: Partial<Message>): Message {
  serial += 1;
  const id = fields.id ?? `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`;
  return {
    id,
    message_id: id,
    project_id: 'p',
    conversation_id: null,
    correlation_id: null,
    reply_to: null,
    sender_id: 'a1',
    sender_type: 'agent',
    recipient_id: 'a2',
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

describe('threads of messages', () => {
  it('ties a message to its conversation, else its correlation, else to itself', () => {
    expect(threadOf(message({ conversation_id: 'c', correlation_id: 'k' }))).toEqual({
      kind: 'conversation',
      id: 'c',
    });
    expect(threadOf(message({ correlation_id: 'k' }))).toEqual({ kind: 'correlation', id: 'k' });
    const alone = message({});
    expect(threadOf(alone)).toEqual({ kind: 'message', id: alone.id });
  });

  it('groups a page of messages into conversations, the most recently active first', () => {
    const page = [
      message({
        conversation_id: 'c1',
        created_at: '2026-12-01T10:00:00Z',
        status: 'acknowledged',
      }),
      message({ correlation_id: 'k1', created_at: '2026-12-01T11:00:00Z' }),
      message({
        conversation_id: 'c1',
        created_at: '2026-12-01T12:00:00Z',
        sender_id: 'a2',
        recipient_id: 'a1',
        message_type: 'response',
        status: 'failed',
      }),
      message({ created_at: '2026-12-01T09:00:00Z' }),
      message({ correlation_id: 'k1', created_at: '2026-12-01T11:00:00Z', recipient_id: 'a3' }),
    ];
    const conversations = groupConversations(page);
    expect(conversations.map((c) => c.key)).toEqual([
      'conversation:c1',
      'correlation:k1',
      `message:${page[3].id}`,
    ]);
    const [c1, k1] = conversations;
    expect(c1.count).toBe(2);
    expect(c1.lastAt).toBe('2026-12-01T12:00:00Z');
    expect(c1.firstAt).toBe('2026-12-01T10:00:00Z');
    expect(c1.lastType).toBe('response');
    expect(c1.messages.map((m) => m.message_type)).toEqual(['request', 'response']);
    expect(statusSummary(c1.statuses)).toEqual([
      { status: 'acknowledged', count: 1 },
      { status: 'failed', count: 1 },
    ]);
    expect(k1.participants).toEqual([
      { type: 'agent', id: 'a1' },
      { type: 'agent', id: 'a2' },
      { type: 'agent', id: 'a3' },
    ]);
  });

  it('counts a user sender and a deleted sender as participants of their own', () => {
    const [c] = groupConversations([
      message({ conversation_id: 'c', sender_type: 'user', sender_id: 'u1' }),
      message({ conversation_id: 'c', sender_id: null, created_at: '2026-12-01T10:01:00Z' }),
    ]);
    expect(c.participants).toEqual([
      { type: 'user', id: 'u1' },
      { type: 'agent', id: 'a2' },
      { type: 'agent', id: null },
    ]);
  });

  it('takes the first subject of a conversation as its title', () => {
    const [c] = groupConversations([
      message({ conversation_id: 'c', created_at: '2026-12-01T10:02:00Z', subject: 'Re: notes' }),
      message({ conversation_id: 'c', created_at: '2026-12-01T10:01:00Z', subject: 'Notes' }),
      message({ conversation_id: 'c', created_at: '2026-12-01T10:00:00Z' }),
    ]);
    expect(c.subject).toBe('Notes');
  });
});

describe('sends in a thread', () => {
  it('shows one send to several recipients once, with a delivery per recipient', () => {
    const shared = {
      correlation_id: 'k',
      conversation_id: 'c',
      created_at: '2026-12-01T10:00:00Z',
      payload: { incident: 7 },
    };
    const a = message({ ...shared, recipient_id: 'a2', status: 'acknowledged' });
    const b = message({ ...shared, recipient_id: 'a3', status: 'failed' });
    const reply = message({
      correlation_id: 'k',
      conversation_id: 'c',
      created_at: '2026-12-01T10:05:00Z',
      sender_id: 'a2',
      recipient_id: 'a1',
      reply_to: a.id,
      message_type: 'response',
    });
    const sends = groupSends([reply, b, a]);
    expect(sends).toHaveLength(2);
    expect(sends[0].deliveries.map((m) => m.recipient_id).sort()).toEqual(['a2', 'a3']);
    expect(sends[0].payload).toEqual({ incident: 7 });
    // the reply shares the correlation id (it inherits it) but is a send of its own
    expect(sends[1].message_type).toBe('response');
    expect(sends[1].sender).toEqual({ type: 'agent', id: 'a2' });
    expect(findRepliedSend(sends, a.id)).toBe(sends[0]);
    expect(findRepliedSend(sends, 'elsewhere')).toBeUndefined();
  });
});

describe('delivery facts', () => {
  it('lists what happened to a delivery, with the reason it failed', () => {
    const facts = deliveryFacts(
      message({
        status: 'failed',
        sent_at: '2026-12-01T10:00:01Z',
        failed_at: '2026-12-01T10:00:05Z',
        retry_count: 1,
        max_retries: 1,
        last_error: 'disk quota exceeded',
      }),
    );
    expect(facts.map((f) => f.label)).toEqual(['Handed over', 'Failed', 'Retries', 'Last error']);
    expect(facts.find((f) => f.label === 'Retries')?.value).toBe('1 of 1');
    expect(facts.find((f) => f.label === 'Last error')?.value).toBe('disk quota exceeded');
  });

  it('gives the visibility window only while the message is out, and the expiry', () => {
    const out = message({
      status: 'delivered',
      sent_at: '2026-12-01T10:00:01Z',
      delivered_at: '2026-12-01T10:00:02Z',
      visible_until: '2026-12-01T10:00:32Z',
      expires_at: '2026-12-02T10:00:00Z',
    });
    expect(deliveryFacts(out).map((f) => f.label)).toEqual([
      'Handed over',
      'Delivered',
      'Back to pending unless acknowledged',
      'Expires',
      'Retries',
    ]);
    const expired = message({ status: 'expired', expires_at: '2026-12-01T10:00:03Z' });
    expect(deliveryFacts(expired).map((f) => f.label)).toEqual(['Expired at', 'Retries']);
  });
});

describe('selecting a thread', () => {
  it('accepts a pasted id with spaces or capitals, and nothing that is not an id', () => {
    expect(parseThreadId('  720FDE36-B3E8-4B18-AC61-C58CC51A962D \n')).toBe(
      '720fde36-b3e8-4b18-ac61-c58cc51a962d',
    );
    expect(parseThreadId('not-an-id')).toBeNull();
    expect(parseThreadId('')).toBeNull();
  });

  it('keeps the selection in the search parameters, one kind at a time', () => {
    const start = new URLSearchParams('offset=100&correlation=k');
    expect(readThreadRef(start)).toEqual({ kind: 'correlation', id: 'k' });
    const next = withThreadRef(start, { kind: 'conversation', id: 'c' });
    expect(next.toString()).toBe('offset=100&conversation=c');
    expect(readThreadRef(withThreadRef(next, null))).toBeNull();
    expect(withThreadRef(next, null).get('offset')).toBe('100');
  });
});

describe('what a selection holds', () => {
  it('finds the messages of a conversation, a correlation or one message', () => {
    const m = message({ conversation_id: 'c', correlation_id: 'k' });
    expect(threadContains({ kind: 'conversation', id: 'c' }, m)).toBe(true);
    expect(threadContains({ kind: 'correlation', id: 'k' }, m)).toBe(true);
    expect(threadContains({ kind: 'correlation', id: 'c' }, m)).toBe(false);
    expect(threadContains({ kind: 'message', id: m.id }, m)).toBe(true);
    expect(threadContains({ kind: 'message', id: 'other' }, m)).toBe(false);
  });
});
