import { MessageSweeper } from '@agenthub/messaging';
import {
  AuthHeaders,
  bearer,
  createAgent,
  createAgentKey,
  createAgentsWithKeys,
  createProject,
  expectProblem,
  messageCall,
  query,
  receiveInbox,
  receiveInboxRequest,
  sendMessage,
  sendMessageRequest,
} from '@agenthub/testing';
import { ACTORS, Expected, headersOf, useWorld } from './world';

describe('agent messages: who may do what, and what input is refused', () => {
  const w = useWorld();
  let a2Key: AuthHeaders;
  let a3: { id: string; key: AuthHeaders };

  beforeAll(async () => {
    a2Key = bearer((await createAgentKey(w.t, w.owner, w.a2)).api_key);
    [a3] = await createAgentsWithKeys(w.t, w.owner, w.p1, 1);
  });

  const sql = (text: string, params: unknown[] = []) => query(w.db.url, text, params);
  /** A message from A1 to A2 (project P1). */
  const a1ToA2 = async () => (await sendMessage(w.t, w.agentKey, { recipient_id: w.a2 }))[0];

  it.each(ACTORS)('POST /messages to an agent of P1 as %s', async (actor) => {
    const expected: Expected = {
      owner: 201,
      superuser: 201,
      otherUser: 403,
      agentKey: 201,
      otherProjectAgentKey: 403,
      anonymous: 401,
    };
    const res = await sendMessageRequest(w.t, headersOf(w, actor), {
      message_type: 'note',
      recipient_id: w.a2,
    });
    expect(res.statusCode).toBe(expected[actor]);
    if (actor === 'otherProjectAgentKey') expectProblem(res, 403, 'MESSAGE.RECIPIENT_FORBIDDEN');
    if (res.statusCode === 201) {
      expect(res.json().messages[0]).toMatchObject({
        project_id: w.p1,
        sender_type: actor === 'agentKey' ? 'agent' : 'user',
      });
    }
  });

  it.each(ACTORS)('GET /messages/:id as %s', async (actor) => {
    const m = await a1ToA2();
    const expected: Expected = {
      owner: 200,
      superuser: 200,
      otherUser: 403,
      agentKey: 200,
      otherProjectAgentKey: 403,
      anonymous: 401,
    };
    const res = await w.t.request({
      method: 'GET',
      url: `/api/v1/messages/${m.id}`,
      headers: headersOf(w, actor),
    });
    expect(res.statusCode).toBe(expected[actor]);
  });

  it('GET /messages/:id: the recipient may, an uninvolved agent of the project may not; unknown → 404', async () => {
    const m = await a1ToA2();
    const get = (as: AuthHeaders, id = m.id) =>
      w.t.request({ method: 'GET', url: `/api/v1/messages/${id}`, headers: as });
    expect((await get(a2Key)).statusCode).toBe(200);
    expectProblem(await get(a3.key), 403, 'MESSAGE.FORBIDDEN');
    expectProblem(
      await get(w.owner, '3f1d2c4b-5a6e-4f70-8a9b-0c1d2e3f4a5b'),
      404,
      'MESSAGE.NOT_FOUND',
    );
  });

  it.each(['delivered', 'ack', 'nack'] as const)(
    'POST /messages/:id/%s: only the recipient',
    async (call) => {
      const m = await a1ToA2();
      // (A2 has older pending messages from other tests: take them all, this one included.)
      const handed = await receiveInbox(w.t, a2Key, w.a2, { limit: 100 });
      expect(handed.map((x) => x.id)).toContain(m.id);
      for (const [as, status, code] of [
        [{}, 401, undefined],
        [w.owner, 403, 'MESSAGE.NOT_RECIPIENT'],
        [w.superuser, 403, 'MESSAGE.NOT_RECIPIENT'],
        [w.otherUser, 403, 'PROJECT.FORBIDDEN'],
        [w.agentKey, 403, 'MESSAGE.NOT_RECIPIENT'],
        [a3.key, 403, 'MESSAGE.FORBIDDEN'],
        [w.otherProjectAgentKey, 403, 'PROJECT.FORBIDDEN'],
      ] as const) {
        const res = await messageCall(w.t, as, m.id, call, {});
        expect(res.statusCode).toBe(status);
        if (code) expectProblem(res, status, code);
      }
      const ok = await messageCall(w.t, a2Key, m.id, call, {});
      expect(ok.statusCode).toBe(200);
      // Not audited: delivery transitions are events, not audit rows.
      expect(
        await sql(`SELECT 1 FROM audit_log WHERE resource_id = $1 AND action <> 'message.send'`, [
          m.id,
        ]),
      ).toEqual([]);
    },
  );

  it('POST /agents/:id/inbox/receive: only that agent', async () => {
    const cases: [AuthHeaders, number, string?][] = [
      [{}, 401],
      [w.owner, 403, 'MESSAGE.INBOX_FORBIDDEN'],
      [w.superuser, 403, 'MESSAGE.INBOX_FORBIDDEN'],
      [w.otherUser, 403, 'PROJECT.FORBIDDEN'],
      [w.agentKey, 403, 'MESSAGE.INBOX_FORBIDDEN'],
      [w.otherProjectAgentKey, 403, 'PROJECT.FORBIDDEN'],
      [a2Key, 200],
    ];
    for (const [as, status, code] of cases) {
      const res = await receiveInboxRequest(w.t, as, w.a2);
      expect(res.statusCode).toBe(status);
      if (code) expectProblem(res, status, code);
    }
    expectProblem(
      await receiveInboxRequest(w.t, a2Key, '3f1d2c4b-5a6e-4f70-8a9b-0c1d2e3f4a5b'),
      404,
      'AGENT.NOT_FOUND',
    );
  });

  it('GET /agents/:id/inbox: the agent and its managers; it changes nothing', async () => {
    const m = await a1ToA2();
    const list = (as: AuthHeaders, q = '') =>
      w.t.request({ method: 'GET', url: `/api/v1/agents/${w.a2}/inbox${q}`, headers: as });
    for (const [as, status] of [
      [{}, 401],
      [w.owner, 200],
      [w.superuser, 200],
      [a2Key, 200],
      [w.otherUser, 403],
      [w.agentKey, 403],
      [w.otherProjectAgentKey, 403],
    ] as const) {
      expect((await list(as)).statusCode).toBe(status);
    }
    const pending = (await list(a2Key, '?status=pending&limit=500')).json();
    expect(pending.items.map((x: { id: string }) => x.id)).toContain(m.id);
    expect(pending.items.every((x: { status: string }) => x.status === 'pending')).toBe(true);
    expect((await sql(`SELECT status FROM agent_messages WHERE id = $1`, [m.id]))[0]).toEqual({
      status: 'pending',
    });
  });

  it('GET /messages: agents see what they sent or received; users what their projects hold; filters', async () => {
    const m = await a1ToA2();
    const list = (as: AuthHeaders, q: string) =>
      w.t.request({ method: 'GET', url: `/api/v1/messages${q}`, headers: as });
    const ids = async (as: AuthHeaders, q: string) =>
      (await list(as, q)).json().items.map((x: { id: string }) => x.id);
    const byCorrelation = `?correlation_id=${m.correlation_id}`;
    expect(await ids(w.agentKey, byCorrelation)).toEqual([m.id]);
    expect(await ids(a2Key, byCorrelation)).toEqual([m.id]);
    expect(await ids(a3.key, byCorrelation)).toEqual([]);
    expect(await ids(w.owner, byCorrelation)).toEqual([m.id]);
    expect(await ids(w.superuser, byCorrelation)).toEqual([m.id]);
    expect(await ids(w.otherUser, byCorrelation)).toEqual([]);
    expectProblem(await list(w.otherUser, `?project_id=${w.p1}`), 403, 'PROJECT.FORBIDDEN');
    expect(
      await ids(
        w.owner,
        `${byCorrelation}&sender_id=${w.a1}&recipient_id=${w.a2}&status=pending&message_type=note&conversation_id=${m.conversation_id}`,
      ),
    ).toEqual([m.id]);
    expect(await ids(w.owner, `${byCorrelation}&status=sent`)).toEqual([]);
    expectProblem(await list(w.owner, '?status=lost'), 400, 'REQUEST.VALIDATION_FAILED');
  });

  describe('refused input', () => {
    const send = (payload: Record<string, unknown>, as: AuthHeaders = w.agentKey) =>
      sendMessageRequest(w.t, as, { message_type: 'note', ...payload });

    it.each([
      ['no recipient', {}, 'MESSAGE.INVALID_RECIPIENT'],
      [
        'two ways of naming recipients',
        { recipient_ids: ['x'], recipient_capability: 'y' },
        'REQUEST.VALIDATION_FAILED',
      ],
      [
        'an unknown recipient',
        { recipient_id: '3f1d2c4b-5a6e-4f70-8a9b-0c1d2e3f4a5b' },
        'MESSAGE.INVALID_RECIPIENT',
      ],
      [
        'ttl_seconds and expires_at',
        { ttl_seconds: 5, expires_at: '2099-01-01T00:00:00Z' },
        'MESSAGE.INVALID_EXPIRY',
      ],
      ['expires_at in the past', { expires_at: '2001-01-01T00:00:00Z' }, 'MESSAGE.INVALID_EXPIRY'],
      ['ttl_seconds 0', { ttl_seconds: 0 }, 'REQUEST.VALIDATION_FAILED'],
      ['ttl_seconds above 30 days', { ttl_seconds: 2_592_001 }, 'REQUEST.VALIDATION_FAILED'],
      ['ack_timeout_seconds 0', { ack_timeout_seconds: 0 }, 'REQUEST.VALIDATION_FAILED'],
      [
        'ack_timeout_seconds above 12 h',
        { ack_timeout_seconds: 43_201 },
        'REQUEST.VALIDATION_FAILED',
      ],
      ['max_retries 101', { max_retries: 101 }, 'REQUEST.VALIDATION_FAILED'],
      ['max_retries -1', { max_retries: -1 }, 'REQUEST.VALIDATION_FAILED'],
      ['an unknown priority', { priority: 'critical' }, 'REQUEST.VALIDATION_FAILED'],
      [
        'a reply_to nobody sent',
        { reply_to: '3f1d2c4b-5a6e-4f70-8a9b-0c1d2e3f4a5b' },
        'MESSAGE.INVALID_REPLY_TO',
      ],
    ])('%s → 400', async (_what, fields, code) => {
      const recipient =
        'recipient_id' in fields || 'recipient_ids' in fields || _what === 'no recipient'
          ? {}
          : { recipient_id: w.a2 };
      expectProblem(await send({ ...recipient, ...fields }), 400, code);
    });

    it('without message_type → 400', async () => {
      const res = await sendMessageRequest(w.t, w.agentKey, { recipient_id: w.a2 });
      expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
    });

    it('a payload above 256 KiB → 413 MESSAGE.PAYLOAD_TOO_LARGE; just below is fine', async () => {
      const big = { blob: 'x'.repeat(256 * 1024) };
      expectProblem(
        await send({ recipient_id: w.a2, payload: big }),
        413,
        'MESSAGE.PAYLOAD_TOO_LARGE',
      );
      const fits = { blob: 'x'.repeat(256 * 1024 - 20) };
      expect((await send({ recipient_id: w.a2, payload: fits })).statusCode).toBe(201);
      // Any JSON value.
      expect((await send({ recipient_id: w.a2, payload: 'text' })).json().messages[0].payload).toBe(
        'text',
      );
    });

    it('a user fanning out by capability names the project; an agent stays in its own', async () => {
      expectProblem(
        await send({ recipient_capability: 'x' }, w.owner),
        400,
        'MESSAGE.PROJECT_REQUIRED',
      );
      expectProblem(await send({ recipient_id: w.a2, project_id: w.p2 }), 403, 'PROJECT.FORBIDDEN');
      expectProblem(await send({ recipient_id: w.b1 }, w.owner), 403, 'PROJECT.FORBIDDEN');
    });

    it('a reply_to of a message the caller neither sent nor received → 400', async () => {
      const m = await a1ToA2();
      expectProblem(
        await send({ recipient_id: w.a1, reply_to: m.id }, a3.key),
        400,
        'MESSAGE.INVALID_REPLY_TO',
      );
      expect((await send({ recipient_id: w.a1, reply_to: m.id }, a2Key)).statusCode).toBe(201);
    });

    it('bad nack and receive bodies → 400', async () => {
      const m = await a1ToA2();
      expectProblem(
        await messageCall(w.t, a2Key, m.id, 'nack', { retry: 'yes' }),
        400,
        'REQUEST.VALIDATION_FAILED',
      );
      for (const body of [
        { limit: 0 },
        { limit: 101 },
        { wait_seconds: 21 },
        { wait_seconds: -1 },
      ]) {
        expectProblem(
          await receiveInboxRequest(w.t, a2Key, w.a2, body),
          400,
          'REQUEST.VALIDATION_FAILED',
        );
      }
      expectProblem(await messageCall(w.t, a2Key, 'not-a-uuid', 'ack'), 400, 'REQUEST.INVALID_ID');
    });
  });

  it('sends are audited as message.send', async () => {
    const m = await a1ToA2();
    expect(
      await sql(
        `SELECT actor_type, actor_id, project_id FROM audit_log WHERE action = 'message.send' AND resource_id = $1`,
        [m.id],
      ),
    ).toEqual([{ actor_type: 'agent', actor_id: w.a1, project_id: w.p1 }]);
  });

  it('deleting an agent deletes what it sent and received; deleting a project, all its messages', async () => {
    const project = (await createProject(w.t, w.owner, 'Doomed')).id;
    const [x, y] = await createAgentsWithKeys(w.t, w.owner, project, 2);
    const z = await createAgent(w.t, w.owner, project);
    const toY = (await sendMessage(w.t, x.key, { recipient_id: y.id }))[0];
    const fromY = (await sendMessage(w.t, y.key, { recipient_id: x.id }))[0];
    const xToZ = (await sendMessage(w.t, x.key, { recipient_id: z.id }))[0];
    const del = await w.t.request({
      method: 'DELETE',
      url: `/api/v1/agents/${y.id}`,
      headers: w.owner,
    });
    expect(del.statusCode).toBe(204);
    const left = async () =>
      (await sql(`SELECT id FROM agent_messages WHERE project_id = $1`, [project])).map(
        (r) => r['id'],
      );
    expect(await left()).toEqual([xToZ.id]);
    expect([toY.id, fromY.id]).not.toContain(xToZ.id);
    await w.t.request({ method: 'DELETE', url: `/api/v1/projects/${project}`, headers: w.owner });
    expect(await left()).toEqual([]);
  });

  it('the retention purge deletes final messages older than MESSAGE_RETENTION_DAYS, nothing else', async () => {
    const [oldAcked, oldPending, newAcked] = [await a1ToA2(), await a1ToA2(), await a1ToA2()];
    await sql(
      `UPDATE agent_messages SET status = 'acknowledged', acknowledged_at = now() WHERE id IN ($1, $2)`,
      [oldAcked.id, newAcked.id],
    );
    await sql(
      `UPDATE agent_messages SET updated_at = now() - interval '31 days' WHERE id IN ($1, $2)`,
      [oldAcked.id, oldPending.id],
    );
    expect(await w.t.app.get(MessageSweeper).purge()).toBeGreaterThanOrEqual(1);
    const ids = (
      await sql(`SELECT id FROM agent_messages WHERE id IN ($1, $2, $3)`, [
        oldAcked.id,
        oldPending.id,
        newAcked.id,
      ])
    ).map((r) => r['id']);
    expect(ids.sort()).toEqual([oldPending.id, newAcked.id].sort());
  });
});
