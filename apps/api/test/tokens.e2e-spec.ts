import { Global, Module } from '@nestjs/common';
import { createHmac, createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { AGENT_KEY_AUTHENTICATOR, AgentKeyAuthenticator, AgentPrincipal } from '@agenthub/auth';
import { createTestDatabase, TestApp, TestDatabase } from '@agenthub/testing';
import { createApiTestApp, TEST_JWT_SECRET } from './create-api-test-app';
import {
  createProject,
  deactivate,
  expectProblem,
  registerAndLogin,
  sql,
  TestUser,
} from './helpers';

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
  let db: TestDatabase;
  let t: TestApp;
  let alice: TestUser;
  let claims: (overrides?: object) => object;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createApiTestApp(db.url);
    alice = await registerAndLogin(t, 'alice@example.com');
    claims = (overrides = {}) => ({
      sub: alice.id,
      iat: now(),
      exp: now() + 600,
      iss: 'agenthub',
      aud: 'agenthub-api',
      ...overrides,
    });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  const me = (authorization?: string) =>
    t.request({
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

  it("refuses a deactivated user's still-unexpired token at once", async () => {
    const bob = await registerAndLogin(t, 'bob@example.com');
    expect((await me(bob.auth.authorization)).statusCode).toBe(200);
    await deactivate(db.url, 'bob@example.com');
    expectProblem(await me(bob.auth.authorization), 401, 'AUTH.INVALID_TOKEN');
    await sql(db.url, `UPDATE users SET is_active = true WHERE email = 'bob@example.com'`);
    expect((await me(bob.auth.authorization)).statusCode).toBe(200);
  });

  it('refuses agent keys (ahk_…) while no agents lib provides the authenticator', async () => {
    expectProblem(await me('Bearer ahk_0123456789abcdef'), 401, 'AUTH.INVALID_API_KEY');
  });

  it('keeps working for the health probes, which are public', async () => {
    expect((await t.request({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect(
      (
        await t.request({
          method: 'GET',
          url: '/health/ready',
          headers: { authorization: 'Bearer garbage' },
        })
      ).statusCode,
    ).toBe(200);
  });
});

describe('agent API keys through the AGENT_KEY_AUTHENTICATOR extension point', () => {
  let db: TestDatabase;
  let t: TestApp;
  let owner: TestUser;
  let mine: { id: string };
  let other: { id: string };
  const agents = new Map<string, AgentPrincipal>();

  /** What the agents lib will provide: a global module exporting the token. */
  @Global()
  @Module({
    providers: [
      {
        provide: AGENT_KEY_AUTHENTICATOR,
        useValue: {
          authenticate: async (secret) => agents.get(secret) ?? null,
        } satisfies AgentKeyAuthenticator,
      },
    ],
    exports: [AGENT_KEY_AUTHENTICATOR],
  })
  class FakeAgentKeysModule {}

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createApiTestApp(db.url, {}, [FakeAgentKeysModule]);
    owner = await registerAndLogin(t, 'owner@example.com');
    mine = await createProject(t, owner, 'Mine');
    other = await createProject(t, owner, 'Other');
    agents.set('ahk_valid', {
      kind: 'agent',
      agentId: randomUUID(),
      projectId: mine.id,
      keyId: randomUUID(),
    });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  it('signs the agent in: /auth/me names the agent and its project', async () => {
    const res = await t.request({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: as('ahk_valid'),
    });
    expect(res.statusCode).toBe(200);
    const agent = agents.get('ahk_valid')!;
    expect(res.json()).toEqual({
      kind: 'agent',
      agent_id: agent.agentId,
      project_id: mine.id,
      key_id: agent.keyId,
    });
  });

  it('refuses a key the authenticator does not know (401)', async () => {
    expectProblem(
      await t.request({ method: 'GET', url: '/api/v1/auth/me', headers: as('ahk_revoked') }),
      401,
      'AUTH.INVALID_API_KEY',
    );
  });

  it('lets the agent read its own project only, and change nothing', async () => {
    const get = (id: string) =>
      t.request({ method: 'GET', url: `/api/v1/projects/${id}`, headers: as('ahk_valid') });
    expect((await get(mine.id)).statusCode).toBe(200);
    expectProblem(await get(other.id), 403, 'PROJECT.FORBIDDEN');

    const list = await t.request({
      method: 'GET',
      url: '/api/v1/projects',
      headers: as('ahk_valid'),
    });
    expect(list.json()).toMatchObject({ total: 1, items: [{ id: mine.id }] });

    expectProblem(
      await t.request({
        method: 'PATCH',
        url: `/api/v1/projects/${mine.id}`,
        headers: as('ahk_valid'),
        payload: { name: 'x' },
      }),
      403,
      'PROJECT.FORBIDDEN',
    );
    expectProblem(
      await t.request({
        method: 'DELETE',
        url: `/api/v1/projects/${mine.id}`,
        headers: as('ahk_valid'),
      }),
      403,
      'PROJECT.FORBIDDEN',
    );
    expectProblem(
      await t.request({
        method: 'POST',
        url: '/api/v1/projects',
        headers: as('ahk_valid'),
        payload: { name: 'x' },
      }),
      403,
      'AUTH.USER_REQUIRED',
    );
    expectProblem(
      await t.request({
        method: 'GET',
        url: `/api/v1/projects/${mine.id}/audit`,
        headers: as('ahk_valid'),
      }),
      403,
    );
  });
});
