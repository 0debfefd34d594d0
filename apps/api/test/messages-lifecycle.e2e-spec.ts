import { PreparedStatements } from '@agenthub/database';
import { EventPushHooks } from '@agenthub/events';
import { MessageSweeper } from '@agenthub/messaging';
import {
  AuthHeaders,
  createAgentsWithKeys,
  createProject,
  expectProblem,
  MessageJson,
  messageCall,
  query,
  receiveInbox,
  receiveInboxRequest,
  registerAndLogin,
  sendMessage,
  TestApp,
  TestUser,
} from '@agenthub/testing';
import { createApiTestApp } from './create-api-test-app';
import { useApiTestApp } from './create-api-test-app';

interface Cast {
  project: string;
  sender: { id: string; key: AuthHeaders };
  recipient: { id: string; key: AuthHeaders };
}

describe('agent messages: the delivery cycle', () => {
  const ctx = useApiTestApp({ env: { LOG_LEVEL: process.env.M_LOG ?? 'silent' } });
  let owner: TestUser;

  beforeAll(async () => {
    owner = await registerAndLogin(ctx.t, 'cycle-owner@agents.test');
  });

  /** A project of its own with a sending and a receiving agent. */
  async function cast(): Promise<Cast> {
    const project = (await createProject(ctx.t, owner.auth, 'Cycle')).id;
    const [sender, recipient] = await createAgentsWithKeys(ctx.t, owner.auth, project, 2);
    return { project, sender, recipient };
  }

  async function sendOne(c: Cast, fields: Record<string, unknown> = {}): Promise<MessageJson> {
    const [message] = await sendMessage(ctx.t, c.sender.key, {
      recipient_id: c.recipient.id,
      ...fields,
    });
    return message;
  }

  const sql = (text: string, params: unknown[] = []) => query(ctx.db.url, text, params);
  const statusOf = async (id: string) =>
    (await sql(`SELECT status FROM agent_messages WHERE id = $1`, [id]))[0]['status'];
  /** Moves the visibility window's deadline into the past, as if the recipient had gone quiet. */
  const passWindow = (id: string) =>
    sql(`UPDATE agent_messages SET visible_until = now() - interval '1 second' WHERE id = $1`, [
      id,
    ]);
  const passExpiry = (id: string) =>
    sql(`UPDATE agent_messages SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
  const sweeper = () => ctx.t.app.get(MessageSweeper);

  /** A message of `c` brought to `status` through the API. */
  async function messageIn(c: Cast, status: string): Promise<MessageJson> {
    const m = await sendOne(c, { max_retries: 0 });
    if (status === 'pending') return m;
    await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
    if (status === 'sent') return m;
    const call =
      status === 'delivered'
        ? messageCall(ctx.t, c.recipient.key, m.id, 'delivered')
        : status === 'acknowledged'
          ? messageCall(ctx.t, c.recipient.key, m.id, 'ack')
          : status === 'failed'
            ? messageCall(ctx.t, c.recipient.key, m.id, 'nack', { retry: false })
            : (await passExpiry(m.id), messageCall(ctx.t, c.recipient.key, m.id, 'ack'));
    await call;
    expect(await statusOf(m.id)).toBe(status);
    return m;
  }

  it('sends one pending message with its defaults, then receive → sent, delivered, ack', async () => {
    const c = await cast();
    const m = await sendOne(c, { payload: { q: 'ping' }, subject: 'hello' });
    expect(m).toMatchObject({
      message_id: m.id,
      project_id: c.project,
      sender_id: c.sender.id,
      sender_type: 'agent',
      recipient_id: c.recipient.id,
      recipient_type: 'agent',
      message_type: 'note',
      priority: 'normal',
      status: 'pending',
      subject: 'hello',
      payload: { q: 'ping' },
      retry_count: 0,
      max_retries: 3,
      ack_timeout_seconds: 30,
      visible_until: null,
      sent_at: null,
    });
    expect(m.correlation_id).toEqual(expect.any(String));
    expect(m.conversation_id).toEqual(expect.any(String));

    const [received] = await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
    expect(received).toMatchObject({ id: m.id, status: 'sent' });
    const window =
      Date.parse(received.visible_until as string) - Date.parse(received['sent_at'] as string);
    expect(window).toBe(30_000);

    const delivered = await messageCall(ctx.t, c.recipient.key, m.id, 'delivered');
    expect(delivered.statusCode).toBe(200);
    expect(delivered.json()).toMatchObject({
      status: 'delivered',
      delivered_at: expect.any(String),
    });
    expect(Date.parse(delivered.json().visible_until)).toBeGreaterThanOrEqual(
      Date.parse(received.visible_until as string),
    );

    const acked = await messageCall(ctx.t, c.recipient.key, m.id, 'ack');
    expect(acked.statusCode).toBe(200);
    expect(acked.json()).toMatchObject({
      status: 'acknowledged',
      acknowledged_at: expect.any(String),
      visible_until: null,
    });
    // Acknowledged is final: never handed out again.
    await passWindow(m.id);
    await sweeper().sweep();
    expect(await receiveInbox(ctx.t, c.recipient.key, c.recipient.id)).toEqual([]);
    expect(await statusOf(m.id)).toBe('acknowledged');
  });

  it('acknowledges straight from sent', async () => {
    const c = await cast();
    const m = await messageIn(c, 'sent');
    const res = await messageCall(ctx.t, c.recipient.key, m.id, 'ack');
    expect(res.json().status).toBe('acknowledged');
  });

  it('acknowledges with one UPDATE of the message, without reading it first', async () => {
    const c = await cast();
    const m = await messageIn(c, 'sent');
    // The message lib's SQL all runs through PreparedStatements (the spy calls through).
    const prepared = ctx.t.app.get(PreparedStatements);
    const spies = (['all', 'affected', 'defer'] as const).map((method) =>
      jest.spyOn(prepared, method),
    );
    let statements: string[];
    try {
      const res = await messageCall(ctx.t, c.recipient.key, m.id, 'ack');
      expect(res.json().status).toBe('acknowledged');
      statements = spies.flatMap((spy) => spy.mock.calls.map(([, sql]) => sql));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const onMessages = statements.filter((text) => /\bagent_messages\b/.test(text));
    expect(onMessages).toHaveLength(1);
    expect(onMessages[0]).toMatch(/^\s*UPDATE agent_messages/);
  });

  // Every (call, status) pair the table does not allow answers 409 and changes nothing. (Each
  // row has all three values: jest passes `done` for a missing one.)
  const ILLEGAL: [string, string, Record<string, unknown>][] = [
    ['delivered', 'pending', {}],
    ['delivered', 'delivered', {}],
    ['delivered', 'acknowledged', {}],
    ['delivered', 'failed', {}],
    ['delivered', 'expired', {}],
    ['ack', 'pending', {}],
    ['ack', 'acknowledged', {}],
    ['ack', 'failed', {}],
    ['ack', 'expired', {}],
    ['nack', 'pending', { retry: true }],
    ['nack', 'pending', { retry: false }],
    ['nack', 'acknowledged', { retry: true }],
    ['nack', 'failed', { retry: true }],
    ['nack', 'expired', { retry: false }],
  ];
  it.each(ILLEGAL)(
    'refuses %s on a %s message with 409 MESSAGE.ILLEGAL_TRANSITION',
    async (call, status, body) => {
      const c = await cast();
      const m = await messageIn(c, status);
      const res = await messageCall(ctx.t, c.recipient.key, m.id, call as 'ack', body);
      expectProblem(res, 409, 'MESSAGE.ILLEGAL_TRANSITION');
      expect(await statusOf(m.id)).toBe(status);
    },
  );

  it('nack with retry puts it back to pending with retry_count + 1 and the reason; it is handed out again', async () => {
    const c = await cast();
    const m = await messageIn(c, 'sent');
    await sql(`UPDATE agent_messages SET max_retries = 3 WHERE id = $1`, [m.id]);
    const res = await messageCall(ctx.t, c.recipient.key, m.id, 'nack', { reason: 'busy' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'pending',
      retry_count: 1,
      last_error: 'busy',
      visible_until: null,
    });
    const [again] = await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
    expect(again).toMatchObject({ id: m.id, status: 'sent', retry_count: 1 });
  });

  it('nack from delivered, too', async () => {
    const c = await cast();
    const m = await messageIn(c, 'delivered');
    await sql(`UPDATE agent_messages SET max_retries = 1 WHERE id = $1`, [m.id]);
    const res = await messageCall(ctx.t, c.recipient.key, m.id, 'nack', {});
    expect(res.json()).toMatchObject({ status: 'pending', retry_count: 1 });
  });

  it('nack with retry: false fails it at once, keeping the reason', async () => {
    const c = await cast();
    const m = await sendOne(c);
    await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
    const res = await messageCall(ctx.t, c.recipient.key, m.id, 'nack', {
      retry: false,
      reason: 'cannot parse',
    });
    expect(res.json()).toMatchObject({
      status: 'failed',
      retry_count: 0,
      last_error: 'cannot parse',
      failed_at: expect.any(String),
    });
  });

  it('nack with retry fails it once retry_count has reached max_retries', async () => {
    const c = await cast();
    const m = await sendOne(c, { max_retries: 1 });
    await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
    expect((await messageCall(ctx.t, c.recipient.key, m.id, 'nack', {})).json().status).toBe(
      'pending',
    );
    await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
    const res = await messageCall(ctx.t, c.recipient.key, m.id, 'nack', { reason: 'again' });
    expect(res.json()).toMatchObject({ status: 'failed', retry_count: 1, last_error: 'again' });
  });

  it('redelivers after the window passes unacknowledged, then fails once max_retries is used up', async () => {
    const c = await cast();
    const m = await sendOne(c, { max_retries: 2, ack_timeout_seconds: 5 });
    for (let retry = 1; retry <= 2; retry++) {
      const [got] = await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
      expect(got).toMatchObject({ id: m.id, status: 'sent', retry_count: retry - 1 });
      await passWindow(m.id);
      await sweeper().sweep();
      const [row] = await sql(
        `SELECT status, retry_count, last_error, visible_until FROM agent_messages WHERE id = $1`,
        [m.id],
      );
      expect(row).toEqual({
        status: 'pending',
        retry_count: retry,
        last_error: 'acknowledgement timed out',
        visible_until: null,
      });
    }
    await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
    await passWindow(m.id);
    await sweeper().sweep();
    const [row] = await sql(
      `SELECT status, retry_count, failed_at IS NOT NULL AS stamped FROM agent_messages WHERE id = $1`,
      [m.id],
    );
    expect(row).toEqual({ status: 'failed', retry_count: 2, stamped: true });
    expect(await receiveInbox(ctx.t, c.recipient.key, c.recipient.id)).toEqual([]);
  });

  it('a receive applies a passed window itself before it picks (no sweeper needed)', async () => {
    const c = await cast();
    const m = await sendOne(c);
    await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
    await passWindow(m.id);
    const [again] = await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
    expect(again).toMatchObject({ id: m.id, status: 'sent', retry_count: 1 });
  });

  it('a delivered message also goes back when its renewed window passes', async () => {
    const c = await cast();
    const m = await messageIn(c, 'delivered');
    await sql(`UPDATE agent_messages SET max_retries = 3 WHERE id = $1`, [m.id]);
    await passWindow(m.id);
    await sweeper().sweep();
    expect(await statusOf(m.id)).toBe('pending');
  });

  it('an ack after the window passed but before anything took it back still succeeds', async () => {
    const c = await cast();
    const m = await messageIn(c, 'sent');
    await passWindow(m.id);
    const res = await messageCall(ctx.t, c.recipient.key, m.id, 'ack');
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('acknowledged');
  });

  it('expires a pending, a sent and a delivered message once expires_at passes (sweeper)', async () => {
    const c = await cast();
    const pending = await sendOne(c, { ttl_seconds: 60 });
    const sent = await messageIn(c, 'sent');
    const delivered = await messageIn(c, 'delivered');
    expect(
      Date.parse(pending['expires_at'] as string) - Date.parse(pending['created_at'] as string),
    ).toBeGreaterThan(58_000);
    for (const m of [pending, sent, delivered]) await passExpiry(m.id);
    await sweeper().sweep();
    for (const m of [pending, sent, delivered]) expect(await statusOf(m.id)).toBe('expired');
  });

  it('a receive never hands out an expired message, and expires it', async () => {
    const c = await cast();
    const m = await sendOne(c, { ttl_seconds: 60 });
    await passExpiry(m.id);
    expect(await receiveInbox(ctx.t, c.recipient.key, c.recipient.id)).toEqual([]);
    expect(await statusOf(m.id)).toBe('expired');
  });

  it('a call on a message whose expiry passed expires it (committed) and answers 409', async () => {
    const c = await cast();
    const m = await messageIn(c, 'sent');
    await passExpiry(m.id);
    expectProblem(
      await messageCall(ctx.t, c.recipient.key, m.id, 'ack'),
      409,
      'MESSAGE.ILLEGAL_TRANSITION',
    );
    expect(await statusOf(m.id)).toBe('expired');
  });

  it('hands out urgent first, then oldest, at most `limit` at a time', async () => {
    const c = await cast();
    const low = await sendOne(c, { priority: 'low' });
    const normalOld = await sendOne(c);
    const urgent = await sendOne(c, { priority: 'urgent' });
    const normalNew = await sendOne(c, { priority: 'normal' });
    const high = await sendOne(c, { priority: 'high' });
    const first = await receiveInbox(ctx.t, c.recipient.key, c.recipient.id, { limit: 3 });
    expect(first.map((m) => m.id)).toEqual([urgent.id, high.id, normalOld.id]);
    const rest = await receiveInbox(ctx.t, c.recipient.key, c.recipient.id, { limit: 10 });
    expect(rest.map((m) => m.id)).toEqual([normalNew.id, low.id]);
  });

  it('concurrent acks and nacks of one message: exactly one wins', async () => {
    const c = await cast();
    const m = await messageIn(c, 'sent');
    const results = await Promise.all([
      messageCall(ctx.t, c.recipient.key, m.id, 'ack'),
      messageCall(ctx.t, c.recipient.key, m.id, 'nack', { retry: false }),
      messageCall(ctx.t, c.recipient.key, m.id, 'ack'),
      messageCall(ctx.t, c.recipient.key, m.id, 'nack', {}),
    ]);
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(3);
  });

  it('writes message.received for the recipient at send and redelivery, message.updated for the sender at each change', async () => {
    const c = await cast();
    const m = await sendOne(c, { max_retries: 3 });
    await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
    await messageCall(ctx.t, c.recipient.key, m.id, 'nack', {});
    await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
    await messageCall(ctx.t, c.recipient.key, m.id, 'ack');
    const events = await sql(
      `SELECT type, audience, agent_id, data->>'status' AS status FROM events
       WHERE data->>'id' = $1 ORDER BY tx_id, position`,
      [m.id],
    );
    const recipient = { audience: 'agent', agent_id: c.recipient.id };
    const sender = { audience: 'agent', agent_id: c.sender.id };
    expect(events).toEqual([
      { type: 'message.received', status: 'pending', ...recipient },
      { type: 'message.updated', status: 'sent', ...sender },
      { type: 'message.updated', status: 'pending', ...sender },
      { type: 'message.received', status: 'pending', ...recipient },
      { type: 'message.updated', status: 'sent', ...sender },
      { type: 'message.updated', status: 'acknowledged', ...sender },
    ]);
  });

  it("pushing message.received on the recipient's stream hands it over; to others it changes nothing", async () => {
    const c = await cast();
    const m = await sendOne(c);
    const [event] = await sql(
      `SELECT tx_id::text || '-' || position::text AS id, type, project_id, occurred_at, data
       FROM events WHERE type = 'message.received' AND data->>'id' = $1`,
      [m.id],
    );
    const hooks = ctx.t.app.get(EventPushHooks);
    const streamEvent = {
      ...(event as { id: string; type: string; project_id: string; data: unknown }),
      occurred_at: String(event['occurred_at']),
    };
    // A manager's stream gets the stored data, and the message stays pending.
    const forOwner = await hooks.dataFor(streamEvent, {
      kind: 'user',
      userId: owner.id,
      email: owner.email,
      isSuperuser: false,
    });
    expect(forOwner).toMatchObject({ id: m.id, status: 'pending' });
    expect(await statusOf(m.id)).toBe('pending');
    const recipient = {
      kind: 'agent' as const,
      agentId: c.recipient.id,
      projectId: c.project,
      keyId: 'k',
    };
    const pushed = await hooks.dataFor(streamEvent, recipient);
    expect(pushed).toMatchObject({ id: m.id, status: 'sent', visible_until: expect.any(String) });
    expect(await statusOf(m.id)).toBe('sent');
    // Pushed again (a replay): the message as it is, no second hand-over.
    const again = (await hooks.dataFor(streamEvent, recipient)) as MessageJson;
    expect(again).toMatchObject({ status: 'sent', sent_at: (pushed as MessageJson)['sent_at'] });
    expect(await receiveInbox(ctx.t, c.recipient.key, c.recipient.id)).toEqual([]);
  });

  it('a reply takes correlation and conversation from reply_to; given ids win', async () => {
    const c = await cast();
    const question = await sendOne(c);
    const [answer] = await sendMessage(ctx.t, c.recipient.key, {
      recipient_id: c.sender.id,
      reply_to: question.id,
    });
    expect(answer).toMatchObject({
      reply_to: question.id,
      correlation_id: question.correlation_id,
      conversation_id: question.conversation_id,
    });
    const mine = '7d4c8a2e-58c3-4e71-9f0a-3b5d2c1e0f99';
    const [other] = await sendMessage(ctx.t, c.recipient.key, {
      recipient_id: c.sender.id,
      reply_to: question.id,
      correlation_id: mine,
    });
    expect(other).toMatchObject({
      correlation_id: mine,
      conversation_id: question.conversation_id,
    });
  });

  it('fans out by capability to every active agent that has it, but the sender; one correlation id', async () => {
    const project = (await createProject(ctx.t, owner.auth, 'Fan-out')).id;
    const [sender, a, b] = await createAgentsWithKeys(ctx.t, owner.auth, project, 3, {
      capabilities: ['review'],
    });
    const [inactive] = await createAgentsWithKeys(ctx.t, owner.auth, project, 1, {
      capabilities: ['review'],
      is_active: false,
    });
    const [unskilled] = await createAgentsWithKeys(ctx.t, owner.auth, project, 1, {
      capabilities: ['python'],
    });
    const messages = await sendMessage(ctx.t, sender.key, { recipient_capability: 'review' });
    expect(messages.map((m) => m.recipient_id).sort()).toEqual([a.id, b.id].sort());
    expect(new Set(messages.map((m) => m.correlation_id)).size).toBe(1);
    expect(new Set(messages.map((m) => m.conversation_id)).size).toBe(1);
    expect(new Set(messages.map((m) => m.id)).size).toBe(2);
    expect(inactive.id).not.toBe(unskilled.id);
    // A user who manages the project fans out too (sender_type user).
    const fromUser = await sendMessage(ctx.t, owner.auth, {
      project_id: project,
      recipient_capability: 'review',
    });
    expect(fromUser.map((m) => m.recipient_id).sort()).toEqual([sender.id, a.id, b.id].sort());
    expect(fromUser[0]).toMatchObject({ sender_type: 'user', sender_id: owner.id });
    const none = await ctx.t.request({
      method: 'POST',
      url: '/api/v1/messages',
      headers: sender.key,
      payload: { message_type: 'x', recipient_capability: 'cooking' },
    });
    expectProblem(none, 400, 'MESSAGE.NO_RECIPIENTS');
  });

  it('sends to several recipients, one row each', async () => {
    const c = await cast();
    const [third] = await createAgentsWithKeys(ctx.t, owner.auth, c.project, 1);
    const messages = await sendMessage(ctx.t, c.sender.key, {
      recipient_ids: [c.recipient.id, third.id],
    });
    expect(messages.map((m) => m.recipient_id)).toEqual([c.recipient.id, third.id]);
    expect(messages[0].correlation_id).toBe(messages[1].correlation_id);
  });

  describe('receiving concurrently and long-polling', () => {
    let second: TestApp;
    beforeAll(async () => {
      // Another API on the same database: its own pool, as a second process would have.
      second = await createApiTestApp(ctx.db.url);
    });
    afterAll(() => second?.close());

    it('two receivers of one agent (two APIs) never get the same message, and together get all', async () => {
      const c = await cast();
      for (let i = 0; i < 6; i++) {
        await sendMessage(ctx.t, c.sender.key, {
          recipient_ids: [c.recipient.id],
          payload: { i },
        });
      }
      const sent = 6;
      const batches = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          receiveInbox(i % 2 ? second : ctx.t, c.recipient.key, c.recipient.id, { limit: 2 }),
        ),
      );
      const ids = batches.flat().map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(sent);
    });

    it('a waiting receive returns within 100 ms of a send (woken, not polling)', async () => {
      const c = await cast();
      const waiting = receiveInboxRequest(second, c.recipient.key, c.recipient.id, {
        wait_seconds: 10,
      }).then((res) => ({ res, at: performance.now() }));
      await new Promise((r) => setTimeout(r, 300));
      const [m] = await sendMessage(ctx.t, c.sender.key, { recipient_id: c.recipient.id });
      const sentAt = performance.now();
      const { res, at } = await waiting;
      expect(res.statusCode).toBe(200);
      expect(res.json().items.map((x: MessageJson) => x.id)).toEqual([m.id]);
      expect(at - sentAt).toBeLessThan(100);
    });

    it('a waiting receive with nothing arriving answers an empty list when the time is up', async () => {
      const c = await cast();
      const started = performance.now();
      const res = await receiveInboxRequest(ctx.t, c.recipient.key, c.recipient.id, {
        wait_seconds: 1,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ items: [] });
      expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    });

    it('a receive that hands nothing over writes no audit row; one that does, writes one', async () => {
      const c = await cast();
      const rows = () =>
        sql(
          `SELECT resource_id FROM audit_log WHERE action = 'message.receive' AND actor_id = $1`,
          [c.recipient.id],
        );
      await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
      expect(await rows()).toEqual([]);
      await sendOne(c);
      await receiveInbox(ctx.t, c.recipient.key, c.recipient.id);
      expect(await rows()).toEqual([{ resource_id: c.recipient.id }]);
    });
  });
});
