import { createTestDatabase, TestApp, TestDatabase } from '@agenthub/testing';
import type { LightMyRequestResponse } from 'fastify';
import { createApiTestApp } from './create-api-test-app';
import { expectProblem, login, registerAndLogin } from './helpers';

export type Headers = Record<string, string>;

export { expectProblem };

export const ADMIN = { email: 'admin@agents.test', password: 'admin-password-for-tests' };

export const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });

function expectStatus(res: LightMyRequestResponse, status: number, what: string): void {
  if (res.statusCode !== status)
    throw new Error(`${what}: expected ${status}, got ${res.statusCode}: ${res.body}`);
}

export async function createProject(t: TestApp, as: Headers, name: string): Promise<string> {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/projects',
    headers: as,
    payload: { name },
  });
  expectStatus(res, 201, `create project ${name}`);
  return res.json().id;
}

export type AgentJson = { id: string; name: string; project_id: string; status: string } & Record<
  string,
  unknown
>;

export async function createAgent(
  t: TestApp,
  as: Headers,
  projectId: string,
  fields: Record<string, unknown> = {},
): Promise<AgentJson> {
  const name =
    (fields['name'] as string | undefined) ?? `agent-${Math.random().toString(36).slice(2, 10)}`;
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/agents',
    headers: as,
    payload: { project_id: projectId, ...fields, name },
  });
  expectStatus(res, 201, `create agent ${name}`);
  return res.json();
}

export async function createKey(
  t: TestApp,
  as: Headers,
  agentId: string,
  body: Record<string, unknown> = {},
): Promise<{ id: string; api_key: string }> {
  const res = await t.request({
    method: 'POST',
    url: `/api/v1/agents/${agentId}/api-keys`,
    headers: as,
    payload: body,
  });
  expectStatus(res, 201, `create key for ${agentId}`);
  return res.json();
}

/**
 * The cast of the access tests: an owner with project P1 (agents A1, A2), another user with
 * project P2 (agent B1), a superuser, and API keys of A1 (same project) and B1 (other project).
 */
export interface World {
  db: TestDatabase;
  t: TestApp;
  owner: Headers;
  superuser: Headers;
  otherUser: Headers;
  agentKey: Headers;
  otherProjectAgentKey: Headers;
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

export function headersOf(world: World, actor: ActorName): Headers {
  return actor === 'anonymous' ? {} : world[actor];
}

export async function buildWorld(env: NodeJS.ProcessEnv = {}): Promise<World> {
  const db = await createTestDatabase();
  const t = await createApiTestApp(db.url, {
    AGENTHUB_ADMIN_EMAIL: ADMIN.email,
    AGENTHUB_ADMIN_PASSWORD: ADMIN.password,
    ...env,
  });
  const [owner, otherUser, superuser] = (
    await Promise.all([
      registerAndLogin(t, 'owner@agents.test'),
      registerAndLogin(t, 'other@agents.test'),
      login(t, ADMIN.email, ADMIN.password),
    ])
  ).map((user) => user.auth);
  const [p1, p2] = await Promise.all([
    createProject(t, owner, 'P1'),
    createProject(t, otherUser, 'P2'),
  ]);
  const [a1, a2, b1] = await Promise.all([
    createAgent(t, owner, p1, { name: 'A1', capabilities: ['code', 'review'] }),
    createAgent(t, owner, p1, { name: 'A2' }),
    createAgent(t, otherUser, p2, { name: 'B1' }),
  ]);
  const [k1, k2] = await Promise.all([createKey(t, owner, a1.id), createKey(t, otherUser, b1.id)]);
  return {
    db,
    t,
    owner,
    superuser,
    otherUser,
    agentKey: bearer(k1.api_key),
    otherProjectAgentKey: bearer(k2.api_key),
    p1,
    p2,
    a1: a1.id,
    a2: a2.id,
    b1: b1.id,
    async close() {
      await t.close();
      await db.drop();
    },
  };
}
