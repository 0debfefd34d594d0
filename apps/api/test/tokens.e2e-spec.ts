import { createHmac, createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import {
  AgentKeyJson,
  AuthHeaders,
  bearer,
  createAgent,
  createAgentKey,
  createProject,
  deactivateUser,
  eventually,
  expectProblem,
  ProjectJson,
  query,
  registerAndLogin,
  TestUser,
} from '@agenthub/testing';
import { TEST_JWT_SECRET, useApiTestApp } from './create-api-test-app';

const b64 = (value: object | Buffer) =>
  (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');
const hs = (alg: 'sha256' | 'sha512', secret: string, input: string) =>
  createHmac(alg, secret).update(input).digest();

/** A JWT built by hand, so every part of it can be wrong on purpose. */
function forge(
  header: object,
  claims: object,
  sign: (input: string) => Buffer | string = (input) => hs('sha256', TEST_JWT_SECRET, input),
): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = sign(input);
  return `${input}.${typeof signature === 'string' ? signature : signature.toString('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);

describe('bearer tokens', () => {
  const ctx = useApiTestApp();
  let alice: TestUser;
  let claims: (overrides?: object) => object;

  beforeAll(async () => {
    alice = await registerAndLogin(ctx.t, 'alice@example.com');
    claims = (overrides = {}) => ({
      sub: alice.id,
      iat: now(),
      exp: now() + 600,
      iss: 'agenthub',
      aud: 'agenthub-api',
      ...overrides,
    });
  });

  const me = (authorization?: string) =>
    ctx.t.request({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: authorization ? { authorization } : {},
    });

  it('accepts a token it signed, and one forged with the right key and claims (the forge is faithful)', async () => {
    expect((await me(alice.auth.authorization)).statusCode).toBe(200);
    expect((await me(`Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, claims())}`)).statusCode).toBe(
      200,
    );
  });

  it('refuses an expired token with its own code', async () => {
    const res = await me(
      `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, claims({ iat: now() - 3600, exp: now() - 60 }))}`,
    );
    expectProblem(res, 401, 'AUTH.TOKEN_EXPIRED');
  });

  it.each([
    [
      'a tampered signature',
      () => alice.token.slice(0, -3) + (alice.token.endsWith('AAA') ? 'BBB' : 'AAA'),
    ],
    [
      'a tampered payload (another user, old signature)',
      () => {
        const [h, , s] = alice.token.split('.');
        return `${h}.${b64(claims({ sub: randomUUID() }))}.${s}`;
      },
    ],
    ['alg none, unsigned', () => forge({ alg: 'none', typ: 'JWT' }, claims(), () => '')],
    ['alg none, with a signature', () => forge({ alg: 'none', typ: 'JWT' }, claims())],
    [
      'RS256, signed with some RSA key',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return forge({ alg: 'RS256', typ: 'JWT' }, claims(), (input) =>
          createSign('RSA-SHA256').update(input).sign(privateKey),
        );
      },
    ],
    [
      'RS256 in the header but an HMAC of our key (algorithm confusion)',
      () => forge({ alg: 'RS256', typ: 'JWT' }, claims()),
    ],
    [
      'HS512 with our key (only HS256 is allowed)',
      () =>
        forge({ alg: 'HS512', typ: 'JWT' }, claims(), (input) =>
          hs('sha512', TEST_JWT_SECRET, input),
        ),
    ],
    [
      'HS256 with another key',
      () =>
        forge({ alg: 'HS256', typ: 'JWT' }, claims(), (input) =>
          hs('sha256', 'another-secret-another-secret-12345', input),
        ),
    ],
    ['another issuer', () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ iss: 'someone-else' }))],
    ['another audience', () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ aud: 'another-api' }))],
    [
      'no expiry',
      () =>
        forge(
          { alg: 'HS256', typ: 'JWT' },
          { sub: alice.id, iat: now(), iss: 'agenthub', aud: 'agenthub-api' },
        ),
    ],
    [
      'a subject that is not a user id',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ sub: "1' OR '1'='1" })),
    ],
    [
      'a user that does not exist',
      () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ sub: randomUUID() })),
    ],
    ['garbage', () => 'abc.def.ghi'],
  ])('refuses %s (401)', async (_what, token) => {
    const res = await me(`Bearer ${token()}`);
    expectProblem(res, 401, 'AUTH.INVALID_TOKEN');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('checks a token that is not shaped like a JWT as an API key, and refuses it (401)', async () => {
    const res = await me('Bearer eyJhbGciOiJIUzI1NiJ9');
    expectProblem(res, 401, 'AUTH.INVALID_API_KEY');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it.each([
    ['no header', undefined],
    ['an empty bearer', 'Bearer '],
    ['another scheme', `Basic ${Buffer.from('alice@example.com:pw').toString('base64')}`],
    ['a bare token without a scheme', 'abc'],
  ])('answers %s with 401 AUTH.UNAUTHENTICATED', async (_what, header) => {
    expectProblem(await me(header), 401, 'AUTH.UNAUTHENTICATED');
  });

  it("refuses a deactivated user's still-unexpired token within a second", async () => {
    const bob = await registerAndLogin(ctx.t, 'bob@example.com');
    expect((await me(bob.auth.authorization)).statusCode).toBe(200);
    await deactivateUser(ctx.db.url, 'bob@example.com');
    // The database's notification empties the access cache that answered the first request.
    await eventually(
      async () => (await me(bob.auth.authorization)).statusCode === 401,
      'the token to be refused',
      1_000,
    );
    expectProblem(await me(bob.auth.authorization), 401, 'AUTH.INVALID_TOKEN');
    await query(ctx.db.url, `UPDATE users SET is_active = true WHERE email = 'bob@example.com'`);
    expect((await me(bob.auth.authorization)).statusCode).toBe(200);
  });

  it('refuses an agent key (ahk_…) that no agent has (401)', async () => {
    expectProblem(await me('Bearer ahk_0123456789abcdef'), 401, 'AUTH.INVALID_API_KEY');
  });

  it('keeps working for the health probes, which are public', async () => {
    const live = await ctx.t.request({ method: 'GET', url: '/health/live' });
    expect(live.statusCode).toBe(200);
    const ready = await ctx.t.request({
      method: 'GET',
      url: '/health/ready',
      headers: { authorization: 'Bearer garbage' },
    });
    expect(ready.statusCode).toBe(200);
  });
});

describe('agent keys and projects (the agents lib authenticates, the project policy decides)', () => {
  const ctx = useApiTestApp();
  let owner: TestUser;
  let mine: ProjectJson;
  let other: ProjectJson;
  let agentId: string;
  let key: AgentKeyJson;
  let agent: AuthHeaders;

  beforeAll(async () => {
    owner = await registerAndLogin(ctx.t, 'owner@example.com');
    mine = await createProject(ctx.t, owner.auth, 'Mine');
    other = await createProject(ctx.t, owner.auth, 'Other');
    agentId = (await createAgent(ctx.t, owner.auth, mine.id)).id;
    key = await createAgentKey(ctx.t, owner.auth, agentId);
    agent = bearer(key.api_key);
  });

  it('signs the agent in: /auth/me names the agent and its project', async () => {
    const res = await ctx.t.request({ method: 'GET', url: '/api/v1/auth/me', headers: agent });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      kind: 'agent',
      agent_id: agentId,
      project_id: mine.id,
      key_id: key.id,
    });
  });

  it('refuses a revoked key (401)', async () => {
    const revoked = await createAgentKey(ctx.t, owner.auth, agentId);
    const revoke = await ctx.t.request({
      method: 'DELETE',
      url: `/api/v1/agents/${agentId}/api-keys/${revoked.id}`,
      headers: owner.auth,
    });
    expect(revoke.statusCode).toBe(204);
    expectProblem(
      await ctx.t.request({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: bearer(revoked.api_key),
      }),
      401,
      'AUTH.INVALID_API_KEY',
    );
  });

  it('lets the agent read its own project only, and change nothing', async () => {
    const get = (id: string) =>
      ctx.t.request({ method: 'GET', url: `/api/v1/projects/${id}`, headers: agent });
    expect((await get(mine.id)).statusCode).toBe(200);
    expectProblem(await get(other.id), 403, 'PROJECT.FORBIDDEN');

    const list = await ctx.t.request({ method: 'GET', url: '/api/v1/projects', headers: agent });
    expect(list.json()).toMatchObject({ total: 1, items: [{ id: mine.id }] });

    expectProblem(
      await ctx.t.request({
        method: 'PATCH',
        url: `/api/v1/projects/${mine.id}`,
        headers: agent,
        payload: { name: 'x' },
      }),
      403,
      'PROJECT.FORBIDDEN',
    );
    expectProblem(
      await ctx.t.request({ method: 'DELETE', url: `/api/v1/projects/${mine.id}`, headers: agent }),
      403,
      'PROJECT.FORBIDDEN',
    );
    expectProblem(
      await ctx.t.request({
        method: 'POST',
        url: '/api/v1/projects',
        headers: agent,
        payload: { name: 'x' },
      }),
      403,
      'AUTH.USER_REQUIRED',
    );
    expectProblem(
      await ctx.t.request({
        method: 'GET',
        url: `/api/v1/projects/${mine.id}/audit`,
        headers: agent,
      }),
      403,
    );
  });
});
