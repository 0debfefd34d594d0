import type { InjectOptions } from 'fastify';
import {
  AuthHeaders,
  bearer,
  createAgent,
  createAgentKey,
  createProject,
  createTestDatabase,
  expectProblem,
  login,
  registerAndLogin,
  TestApp,
  TestDatabase,
} from '@agenthub/testing';
import { createApiTestApp } from './create-api-test-app';

/** The admin the world's API bootstraps at start (AGENTHUB_ADMIN_EMAIL/PASSWORD). */
const ADMIN = { email: 'admin@agents.test', password: 'admin-password-for-tests' };

/**
 * The cast of the access tests, on a database and an API of their own: an owner with project
 * P1 (agents A1, A2), another user with project P2 (agent B1), a superuser, and API keys of A1
 * (same project as the owner's) and B1 (another project). Each caller is its request headers.
 */
export interface World {
  db: TestDatabase;
  t: TestApp;
  owner: AuthHeaders;
  superuser: AuthHeaders;
  otherUser: AuthHeaders;
  agentKey: AuthHeaders;
  otherProjectAgentKey: AuthHeaders;
  ownerId: string;
  superuserId: string;
  otherUserId: string;
  p1: string;
  p2: string;
  a1: string;
  a2: string;
  b1: string;
  close(): Promise<void>;
}

export type ActorName =
  'owner' | 'superuser' | 'otherUser' | 'agentKey' | 'otherProjectAgentKey' | 'anonymous';
export const ACTORS: ActorName[] = [
  'owner',
  'superuser',
  'otherUser',
  'agentKey',
  'otherProjectAgentKey',
  'anonymous',
];

export function headersOf(world: World, actor: ActorName): AuthHeaders {
  return actor === 'anonymous' ? {} : world[actor];
}

async function buildWorld(env: NodeJS.ProcessEnv = {}): Promise<World> {
  const db = await createTestDatabase();
  const t = await createApiTestApp(db.url, {
    AGENTHUB_ADMIN_EMAIL: ADMIN.email,
    AGENTHUB_ADMIN_PASSWORD: ADMIN.password,
    ...env,
  });
  const [owner, otherUser, superuser] = await Promise.all([
    registerAndLogin(t, 'owner@agents.test'),
    registerAndLogin(t, 'other@agents.test'),
    login(t, ADMIN.email, ADMIN.password),
  ]);
  const [p1, p2] = await Promise.all([
    createProject(t, owner.auth, 'P1'),
    createProject(t, otherUser.auth, 'P2'),
  ]);
  const [a1, a2, b1] = await Promise.all([
    createAgent(t, owner.auth, p1.id, { name: 'A1', capabilities: ['code', 'review'] }),
    createAgent(t, owner.auth, p1.id, { name: 'A2' }),
    createAgent(t, otherUser.auth, p2.id, { name: 'B1' }),
  ]);
  const [a1Key, b1Key] = await Promise.all([
    createAgentKey(t, owner.auth, a1.id),
    createAgentKey(t, otherUser.auth, b1.id),
  ]);
  return {
    db,
    t,
    owner: owner.auth,
    superuser: superuser.auth,
    otherUser: otherUser.auth,
    agentKey: bearer(a1Key.api_key),
    otherProjectAgentKey: bearer(b1Key.api_key),
    ownerId: owner.id,
    superuserId: superuser.id,
    otherUserId: otherUser.id,
    p1: p1.id,
    p2: p2.id,
    a1: a1.id,
    a2: a2.id,
    b1: b1.id,
    async close() {
      await t.close();
      await db.drop();
    },
  };
}

/**
 * For one describe block: the world (its API configured with `env`), built before the block's
 * tests and dropped after them. Read its fields inside the tests.
 */
export function useWorld(env: NodeJS.ProcessEnv = {}): World {
  const world = {} as World;
  beforeAll(async () => {
    Object.assign(world, await buildWorld(env));
  }, 30_000); // users (argon2), projects, agents and keys through the API
  afterAll(() => (world as Partial<World>).close?.());
  return world;
}

/** The status each caller gets from one route. */
export type Expected = Record<ActorName, number>;

/** Reading a project's resources: its owner, superusers and its agents; other users get 403. */
export const READ: Expected = {
  owner: 200,
  superuser: 200,
  otherUser: 403,
  agentKey: 200,
  otherProjectAgentKey: 403,
  anonymous: 401,
};

/** Changing a project's resources: its owner and superusers only (`ok` is their status). */
export const manage = (ok: number): Expected => ({
  owner: ok,
  superuser: ok,
  otherUser: 403,
  agentKey: 403,
  otherProjectAgentKey: 403,
  anonymous: 401,
});

/** One row of an access matrix: a request (made fresh for each caller) and who gets what. */
export interface RouteCase {
  route: string;
  request(world: World): Promise<Omit<InjectOptions, 'headers'>> | Omit<InjectOptions, 'headers'>;
  expected: Expected;
}

/** Every route × every caller, as `it.each` rows: `[route, actor, status, routeCase]`. */
export const accessCases = (routes: RouteCase[]) =>
  routes.flatMap((r) => ACTORS.map((actor) => [r.route, actor, r.expected[actor], r] as const));

/** Sends the route's request as `actor` and checks the status (a problem+json for refusals). */
export async function expectAccess(
  world: World,
  actor: ActorName,
  status: number,
  routeCase: RouteCase,
): Promise<void> {
  const res = await world.t.request({
    ...(await routeCase.request(world)),
    headers: headersOf(world, actor),
  });
  if (status >= 400) {
    expectProblem(res, status);
    if (status === 401) expect(res.headers['www-authenticate']).toBe('Bearer');
  } else {
    expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
  }
}
