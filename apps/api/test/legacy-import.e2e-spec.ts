import { createHash } from 'node:crypto';
import { runImport } from '@agenthub/legacy-import';
import {
  bearer,
  createTestDatabase,
  query,
  sharedFixture,
  TestApp,
  TestDatabase,
} from '@agenthub/testing';
import { createApiTestApp } from './create-api-test-app';

const hex = (u: string) => u.replace(/-/g, '');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** make_fixtures.py's broker keys: sk_agent_v1_<project>_<agent>_<sha256(agent)[:32]>. */
const brokerKey = (project: string, agent: string) =>
  `sk_agent_v1_${project}_${agent}_${sha256(agent).slice(0, 32)}`;

describe('legacy broker users and keys keep working after agent-com import', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    await runImport({
      url: db.url,
      source: 'agent-com',
      path: sharedFixture('agent-com-post.sqlite'),
    });
    t = await createApiTestApp(db.url);
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('alice logs in with her old password (argon2id hash from the broker)', async () => {
    const ok = await t.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'alice@example.com', password: 'alice-password-1' },
    });
    expect(ok.statusCode).toBe(200);
    const me = await t.request({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(ok.json().access_token),
    });
    expect(me.json()).toMatchObject({ email: 'alice@example.com', is_superuser: true });
    const wrong = await t.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'alice@example.com', password: 'nope-nope-nope' },
    });
    expect(wrong.statusCode).toBe(401);
  });

  it("a broker key authenticates as its agent; a revoked one and a placeholder's (inactive) do not", async () => {
    const getAgent = (id: string, key: string) =>
      t.request({ method: 'GET', url: `/api/v1/agents/${id}`, headers: bearer(key) });
    const [{ id: planner }] = await query<{ id: string }>(
      db.url,
      `SELECT id FROM agents WHERE name = 'Planner'`,
    );
    const ok = await getAgent(planner, brokerKey('alpha', 'planner'));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id: planner, name: 'Planner' });
    const revoked = await getAgent(planner, brokerKey('alpha', 'tester'));
    expect(revoked.statusCode).toBe(401);
    // coder is still a placeholder: inactive until someone activates it, then its key works.
    const coderKey = brokerKey('alpha', 'coder');
    const [{ agent_id: coder }] = await query<{ agent_id: string }>(
      db.url,
      `SELECT agent_id FROM agent_api_keys WHERE key_hash = $1`,
      [sha256(coderKey)],
    );
    expect((await getAgent(coder, coderKey)).statusCode).toBe(401);
    await query(db.url, 'UPDATE agents SET is_active = true WHERE id = $1', [coder]);
    expect((await getAgent(coder, coderKey)).statusCode).toBe(200);
    expect(hex(coder)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('broker fields with no column of their own are kept in legacy on the row', async () => {
    expect(
      await query(db.url, `SELECT legacy FROM users WHERE email = 'alice@example.com'`),
    ).toEqual([{ legacy: { username: 'alice', role: 'admin', permissions: null } }]);
    expect(
      await query(db.url, `SELECT legacy FROM projects WHERE legacy->>'project_id' = 'alpha'`),
    ).toEqual([
      {
        legacy: {
          project_id: 'alpha',
          status: 'active',
          allow_cross_project: 0,
          settings: { color: 'blue' },
        },
      },
    ]);
    expect(
      await query(db.url, `SELECT legacy FROM agent_api_keys WHERE name = 'key_planner'`),
    ).toEqual([{ legacy: { capabilities: ['chat'] } }]);
  });
});
