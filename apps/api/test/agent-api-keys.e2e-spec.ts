import { createHash, randomUUID } from 'node:crypto';
import { AGENT_KEY_AUTHENTICATOR, AgentKeyAuthenticator } from '@agenthub/auth';
import {
  AuthHeaders,
  bearer,
  createAgent,
  createAgentKey,
  eventually,
  expectProblem,
  query,
  TestApp,
} from '@agenthub/testing';
import { api as processApi, ApiProcess, startApiProcess } from './event-stream.support';
import { useWorld } from './world';

type KeyRow = { key_hash: string; last_used_at: Date | null };

describe('agent API keys', () => {
  const world = useWorld();

  const api = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    headers: AuthHeaders,
    payload?: unknown,
    t: TestApp = world.t,
  ) => t.request({ method, url: `/api/v1${url}`, headers, payload: payload as object | undefined });
  const keyRow = async (id: string) =>
    (await query<KeyRow>(world.db.url, 'SELECT * FROM agent_api_keys WHERE id = $1', [id]))[0];
  const markUsed = (keyId: string, at: Date) =>
    query(world.db.url, 'UPDATE agent_api_keys SET last_used_at = $2 WHERE id = $1', [keyId, at]);
  /** When the key was last used, in ms since the epoch (NaN: never). */
  const lastUsedAt = async (id: string) => (await keyRow(id)).last_used_at?.getTime() ?? NaN;

  it('shows the secret once, stores only its sha256 and a prefix, and lists keys without secrets', async () => {
    const agent = await createAgent(world.t, world.owner, world.p1);
    const me = (await api('GET', '/auth/me', world.owner)).json();
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const res = await api('POST', `/agents/${agent.id}/api-keys`, world.owner, {
      name: 'ci runner',
      expires_at: expiresAt,
    });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toEqual({
      id: expect.any(String),
      agent_id: agent.id,
      name: 'ci runner',
      key_prefix: created.api_key.slice(0, 12),
      status: 'active',
      created_by: me.id,
      created_at: expect.any(String),
      expires_at: expiresAt,
      last_used_at: null,
      revoked_at: null,
      api_key: expect.stringMatching(/^ahk_[A-Za-z0-9_-]{43,}$/),
    });

    const row = await keyRow(created.id);
    expect(row.key_hash).toBe(createHash('sha256').update(created.api_key).digest('hex'));
    const everything = await query<{ text: string }>(
      world.db.url,
      'SELECT t::text AS text FROM agent_api_keys t',
    );
    expect(everything.some((r) => r.text.includes(created.api_key))).toBe(false);

    const list = await api('GET', `/agents/${agent.id}/api-keys`, world.owner);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({
      total: 1,
      limit: 50,
      offset: 0,
      items: [{ id: created.id, key_prefix: created.key_prefix, status: 'active' }],
    });
    expect(list.body).not.toContain(created.api_key);
    expect(list.body).not.toContain(row.key_hash);
    expect(list.json().items[0]).not.toHaveProperty('api_key');
  });

  it('signs the agent in: it reads its project and itself, heartbeats itself, and stamps last_used_at', async () => {
    const agent = await createAgent(world.t, world.owner, world.p1);
    const key = await createAgentKey(world.t, world.owner, agent.id);
    const as = bearer(key.api_key);

    const me = await api('GET', '/auth/me', as);
    expect(me.json()).toMatchObject({ kind: 'agent', agent_id: agent.id, project_id: world.p1 });
    expect((await api('GET', `/agents/${agent.id}`, as)).statusCode).toBe(200);
    expect((await api('GET', `/agents?project_id=${world.p1}`, as)).statusCode).toBe(200);
    expect(
      (await api('POST', `/agents/${agent.id}/heartbeat`, as, { status: 'busy' })).json().status,
    ).toBe('busy');
    expect((await keyRow(key.id)).last_used_at).not.toBeNull();
  });

  it('refreshes last_used_at at most once a minute', async () => {
    const agent = await createAgent(world.t, world.owner, world.p1);
    // Each key is checked once here: a repeated request may be answered by the access cache.
    const recentlyUsed = await createAgentKey(world.t, world.owner, agent.id);
    const recent = new Date(Date.now() - 30_000);
    await markUsed(recentlyUsed.id, recent);
    await api('GET', `/agents/${agent.id}`, bearer(recentlyUsed.api_key));
    expect(await lastUsedAt(recentlyUsed.id)).toBe(recent.getTime());

    const longAgo = await createAgentKey(world.t, world.owner, agent.id);
    await markUsed(longAgo.id, new Date(Date.now() - 120_000));
    await api('GET', `/agents/${agent.id}`, bearer(longAgo.api_key));
    expect(Date.now() - (await lastUsedAt(longAgo.id))).toBeLessThan(30_000);
  });

  it('refuses a revoked key at once (401); revoking twice is fine', async () => {
    const agent = await createAgent(world.t, world.owner, world.p1);
    const key = await createAgentKey(world.t, world.owner, agent.id);
    const other = await createAgentKey(world.t, world.owner, agent.id);
    expect((await api('GET', `/agents/${agent.id}`, bearer(key.api_key))).statusCode).toBe(200);

    expect(
      (await api('DELETE', `/agents/${agent.id}/api-keys/${key.id}`, world.owner)).statusCode,
    ).toBe(204);
    expectProblem(
      await api('GET', `/agents/${agent.id}`, bearer(key.api_key)),
      401,
      'AUTH.INVALID_API_KEY',
    );
    expect(
      (await api('DELETE', `/agents/${agent.id}/api-keys/${key.id}`, world.owner)).statusCode,
    ).toBe(204);
    // Only that key: the agent's other key still works.
    expect((await api('GET', `/agents/${agent.id}`, bearer(other.api_key))).statusCode).toBe(200);

    const listed = (await api('GET', `/agents/${agent.id}/api-keys`, world.owner)).json().items;
    expect(listed.find((k: { id: string }) => k.id === key.id)).toMatchObject({
      status: 'revoked',
      revoked_at: expect.any(String),
    });
    // A key is revoked through its own agent only.
    expectProblem(
      await api('DELETE', `/agents/${world.a1}/api-keys/${other.id}`, world.owner),
      404,
      'AGENT_KEY.NOT_FOUND',
    );
  });

  it('refuses an expired key (401) and lists it as expired', async () => {
    const agent = await createAgent(world.t, world.owner, world.p1);
    const key = await createAgentKey(world.t, world.owner, agent.id, {
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect((await api('GET', `/agents/${agent.id}`, bearer(key.api_key))).statusCode).toBe(200);
    await query(
      world.db.url,
      `UPDATE agent_api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [key.id],
    );
    expectProblem(
      await api('GET', `/agents/${agent.id}`, bearer(key.api_key)),
      401,
      'AUTH.INVALID_API_KEY',
    );
    expect(
      (await api('GET', `/agents/${agent.id}/api-keys`, world.owner)).json().items[0].status,
    ).toBe('expired');
  });

  it('refuses keys of an inactive agent (401) until it is active again, and of a deleted one', async () => {
    const agent = await createAgent(world.t, world.owner, world.p1);
    const key = await createAgentKey(world.t, world.owner, agent.id);
    await api('PATCH', `/agents/${agent.id}`, world.owner, { is_active: false });
    expectProblem(
      await api('GET', `/agents/${agent.id}`, bearer(key.api_key)),
      401,
      'AUTH.INVALID_API_KEY',
    );
    await api('PATCH', `/agents/${agent.id}`, world.owner, { is_active: true });
    expect((await api('GET', `/agents/${agent.id}`, bearer(key.api_key))).statusCode).toBe(200);
    await api('DELETE', `/agents/${agent.id}`, world.owner);
    expectProblem(await api('GET', `/agents?project_id=${world.p1}`, bearer(key.api_key)), 401);
  });

  it('keeps an agent key inside its project and away from changes', async () => {
    const agent = await createAgent(world.t, world.owner, world.p1);
    const as = bearer((await createAgentKey(world.t, world.owner, agent.id)).api_key);
    expectProblem(await api('PATCH', `/agents/${agent.id}`, as, { nickname: 'me' }), 403);
    expectProblem(await api('DELETE', `/agents/${agent.id}`, as), 403);
    expectProblem(await api('POST', `/agents/${agent.id}/api-keys`, as, {}), 403);
    expectProblem(await api('POST', '/agents', as, { project_id: world.p1, name: 'spawned' }), 403);
    expectProblem(await api('GET', `/agents/${world.b1}`, as), 403);
    expectProblem(await api('GET', `/agents?project_id=${world.p2}`, as), 403);
    expectProblem(await api('POST', `/agents/${world.a2}/heartbeat`, as, {}), 403);
    expectProblem(await api('PATCH', `/projects/${world.p1}`, as, { name: 'mine now' }), 403);
    expectProblem(await api('DELETE', `/projects/${world.p1}`, as), 403);
  });

  it('answers unknown, malformed and absurd keys with 401, never 500', async () => {
    for (const token of [`ahk_${randomUUID()}`, 'ahk_x', `ahk_${'a'.repeat(5000)}`, 'ahk_%%%']) {
      expectProblem(await api('GET', `/agents/${world.a1}`, bearer(token)), 401);
    }
  });

  it('refuses bad key requests with 400', async () => {
    const url = `/agents/${world.a1}/api-keys`;
    for (const body of [
      { expires_at: new Date(Date.now() - 1000).toISOString() },
      { expires_at: 'tomorrow' },
      { expires_at: 12345 },
      { name: 'n'.repeat(256) },
      { name: 7 },
      { scope: 'all' },
    ]) {
      expectProblem(await api('POST', url, world.owner, body), 400);
    }
    expectProblem(await api('GET', `${url}?limit=9999`, world.owner), 400);
  });

  it('authenticates keys imported from the legacy broker (sha256 hex of the key)', async () => {
    const agent = await createAgent(world.t, world.owner, world.p1);
    const legacy = `sk_agent_v1_proj_${agent.name}_0123456789abcdef0123456789abcdef`;
    const keyId = randomUUID();
    await query(
      world.db.url,
      `INSERT INTO agent_api_keys (id, agent_id, key_hash, key_prefix) VALUES ($1, $2, $3, $4)`,
      [keyId, agent.id, createHash('sha256').update(legacy).digest('hex'), legacy.slice(0, 20)],
    );
    const authenticator = world.t.app.get<AgentKeyAuthenticator>(AGENT_KEY_AUTHENTICATOR);
    expect(await authenticator.authenticate(legacy)).toEqual({
      principal: { kind: 'agent', agentId: agent.id, projectId: world.p1, keyId },
      expiresAt: null,
    });
    expect(await authenticator.authenticate(`${legacy}x`)).toBeNull();
    // ...and end to end: the guard hands any bearer token that is not a JWT to the key check.
    expect((await api('GET', `/agents/${agent.id}`, bearer(legacy))).statusCode).toBe(200);
    expect((await api('GET', `/agents/${agent.id}`, bearer(`${legacy}x`))).statusCode).toBe(401);
  });

  describe('with two API processes on one database', () => {
    let first: ApiProcess;
    let second: ApiProcess;
    beforeAll(async () => {
      [first, second] = await Promise.all([
        startApiProcess(world.db.url),
        startApiProcess(world.db.url),
      ]);
    }, 120_000);
    afterAll(() => Promise.all([first?.stop(), second?.stop()]));

    const getAgent = (on: ApiProcess, id: string, key: string) =>
      processApi(on.url, 'GET', `/agents/${id}`, { authorization: `Bearer ${key}` });
    /** Polls for at most a second (the promise) until `on` refuses the key. */
    const refusedWithinASecond = (on: ApiProcess, id: string, key: string, what: string) =>
      eventually(async () => (await getAgent(on, id, key)).status === 401, what, 1_000);

    it('a key revoked or an agent deactivated through one is refused by the other within a second', async () => {
      const agent = await createAgent(world.t, world.owner, world.p1);
      const key = await createAgentKey(world.t, world.owner, agent.id);
      // Served (and remembered) by the second process, twice.
      for (let i = 0; i < 2; i++)
        expect((await getAgent(second, agent.id, key.api_key)).status).toBe(200);
      const owner = { authorization: world.owner.authorization };
      const revoked = await processApi(
        first.url,
        'DELETE',
        `/agents/${agent.id}/api-keys/${key.id}`,
        owner,
      );
      expect(revoked.status).toBe(204);
      await refusedWithinASecond(second, agent.id, key.api_key, 'the revoked key to be refused');

      const key2 = await createAgentKey(world.t, world.owner, agent.id);
      expect((await getAgent(second, agent.id, key2.api_key)).status).toBe(200);
      expect(
        (await processApi(first.url, 'PATCH', `/agents/${agent.id}`, owner, { is_active: false }))
          .status,
      ).toBe(200);
      await refusedWithinASecond(second, agent.id, key2.api_key, 'the inactive agent refused');
    });

    it('a change made in SQL while a process has lost its LISTEN connection is refused there within a second', async () => {
      const agent = await createAgent(world.t, world.owner, world.p1);
      const key = await createAgentKey(world.t, world.owner, agent.id);
      expect((await getAgent(second, agent.id, key.api_key)).status).toBe(200);
      // Every process's notification connection is cut; the revocation's NOTIFY may reach
      // nobody. Whatever the timing, no process may go on trusting what it cached before.
      await query(
        world.db.url,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'agenthub-listen' AND datname = current_database()`,
      );
      await query(world.db.url, `UPDATE agent_api_keys SET status = 'revoked' WHERE id = $1`, [
        key.id,
      ]);
      await refusedWithinASecond(second, agent.id, key.api_key, 'the key to be refused');
      await refusedWithinASecond(first, agent.id, key.api_key, 'the key to be refused');
    });
  });
});
