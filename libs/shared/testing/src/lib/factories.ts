import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './create-test-app';
import { query } from './query';

/**
 * One-line factories for the API's e2e tests: each makes a valid object through the API (as a
 * user would) and throws, naming the request, if the API refuses. Fields a test does not care
 * about get unique or default values.
 */

/** Request headers of a caller: `{ authorization: 'Bearer …' }`, or `{}` for nobody. */
export type AuthHeaders = Record<string, string>;

export const bearer = (token: string): AuthHeaders => ({ authorization: `Bearer ${token}` });

/** Default password of users made by these factories. */
export const PASSWORD = 'correct horse battery';

export interface TestUser {
  id: string;
  email: string;
  token: string;
  /** The user's {@link AuthHeaders}, to pass as `headers` or spread into them. */
  auth: AuthHeaders;
}

export type ProjectJson = {
  id: string;
  name: string;
  description: string | null;
  owner_id: string;
} & Record<string, unknown>;

export type AgentJson = {
  id: string;
  name: string;
  project_id: string;
  status: string;
} & Record<string, unknown>;

export type AgentKeyJson = { id: string; api_key: string } & Record<string, unknown>;

export type TaskJson = {
  id: string;
  project_id: string;
  title: string;
  status: string;
  priority: string;
  version: number;
  dependencies: string[];
  assigned_to: string | null;
  assigned_to_type: string | null;
  started_at: string | null;
  completed_at: string | null;
  lease_expires_at: string | null;
  attempts: number;
} & Record<string, unknown>;

export type RoomJson = {
  id: string;
  project_id: string;
  name: string;
  description: string | null;
} & Record<string, unknown>;

function expectStatus(res: LightMyRequestResponse, status: number, what: string): void {
  if (res.statusCode !== status)
    throw new Error(`${what}: expected ${status}, got ${res.statusCode}: ${res.body}`);
}

let counter = 0;
/** `prefix-1`, `prefix-2`…: unique within a test file, for names that must not clash. */
const unique = (prefix: string) => `${prefix}-${++counter}`;

/** The subject (user id) of a JWT; no signature check. */
function subjectOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string })
    .sub;
}

/** Logs an existing user in. */
export async function login(t: TestApp, email: string, password = PASSWORD): Promise<TestUser> {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
  expectStatus(res, 200, `login ${email}`);
  const token = res.json().access_token as string;
  return { id: subjectOf(token), email, token, auth: bearer(token) };
}

/** Registers a user through the API and logs them in. */
export async function registerAndLogin(
  t: TestApp,
  email: string,
  password = PASSWORD,
  name = email.split('@')[0],
): Promise<TestUser> {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password, name },
  });
  expectStatus(res, 201, `register ${email}`);
  return login(t, email, password);
}

/** Makes an existing user a superuser, in the database (the API offers no way to). */
export const makeSuperuser = (databaseUrl: string, email: string) =>
  query(databaseUrl, 'UPDATE users SET is_superuser = true WHERE email = lower($1)', [email]);

/** Deactivates an existing user, in the database (the API offers no way to). */
export const deactivateUser = (databaseUrl: string, email: string) =>
  query(databaseUrl, 'UPDATE users SET is_active = false WHERE email = lower($1)', [email]);

/** A superuser: registered and logged in through the API, promoted in the database. */
export async function createSuperuser(
  t: TestApp,
  databaseUrl: string,
  email: string,
): Promise<TestUser> {
  const user = await registerAndLogin(t, email);
  await makeSuperuser(databaseUrl, email);
  return user;
}

/** A project owned by the caller `as`. */
export async function createProject(
  t: TestApp,
  as: AuthHeaders,
  name = 'Apollo',
  description?: string,
): Promise<ProjectJson> {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/projects',
    headers: as,
    payload: { name, description },
  });
  expectStatus(res, 201, `create project ${name}`);
  return res.json();
}

/** An agent of the project (a unique name unless `fields` gives one). */
export async function createAgent(
  t: TestApp,
  as: AuthHeaders,
  projectId: string,
  fields: Record<string, unknown> = {},
): Promise<AgentJson> {
  const name = (fields['name'] as string | undefined) ?? unique('agent');
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/agents',
    headers: as,
    payload: { project_id: projectId, ...fields, name },
  });
  expectStatus(res, 201, `create agent ${name}`);
  return res.json();
}

/** An API key of the agent; `api_key` is the secret, shown only in this answer. */
export async function createAgentKey(
  t: TestApp,
  as: AuthHeaders,
  agentId: string,
  fields: Record<string, unknown> = {},
): Promise<AgentKeyJson> {
  const res = await t.request({
    method: 'POST',
    url: `/api/v1/agents/${agentId}/api-keys`,
    headers: as,
    payload: fields,
  });
  expectStatus(res, 201, `create key for agent ${agentId}`);
  return res.json();
}

/** `count` agents of the project, each signed in with a key of its own. */
export function createAgentsWithKeys(
  t: TestApp,
  as: AuthHeaders,
  projectId: string,
  count: number,
  fields: Record<string, unknown> = {},
): Promise<{ id: string; key: AuthHeaders }[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const agent = await createAgent(t, as, projectId, fields);
      return { id: agent.id, key: bearer((await createAgentKey(t, as, agent.id)).api_key) };
    }),
  );
}

/** A pending task of the project (a unique title unless `fields` gives one). */
export async function createTask(
  t: TestApp,
  as: AuthHeaders,
  projectId: string,
  fields: Record<string, unknown> = {},
): Promise<TaskJson> {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/tasks',
    headers: as,
    payload: { title: unique('task'), ...fields, project_id: projectId },
  });
  expectStatus(res, 201, 'create task');
  return res.json();
}

export const getTaskRequest = (t: TestApp, as: AuthHeaders, id: string) =>
  t.request({ method: 'GET', url: `/api/v1/tasks/${id}`, headers: as });

/** The task as `as` reads it (which must be allowed). */
export async function getTask(t: TestApp, as: AuthHeaders, id: string): Promise<TaskJson> {
  const res = await getTaskRequest(t, as, id);
  expectStatus(res, 200, `get task ${id}`);
  return res.json();
}

/** `PATCH /tasks/:id`, answered as is: tests of refusals read the response. */
export const patchTask = (
  t: TestApp,
  as: AuthHeaders,
  id: string,
  payload: Record<string, unknown>,
): Promise<LightMyRequestResponse> =>
  t.request({ method: 'PATCH', url: `/api/v1/tasks/${id}`, headers: as, payload });

/** Moves a task along legal transitions with PATCH, one status after the other. */
export async function moveTask(
  t: TestApp,
  as: AuthHeaders,
  id: string,
  ...statuses: string[]
): Promise<TaskJson> {
  let task: TaskJson | undefined;
  for (const status of statuses) {
    const res = await patchTask(t, as, id, { status });
    expectStatus(res, 200, `move task ${id} to ${status}`);
    task = res.json();
  }
  return task ?? getTask(t, as, id);
}

/** `POST /tasks/claim` as an agent, answered as is (200 with a task, or 204). */
export const claimTask = (t: TestApp, as: AuthHeaders, payload: Record<string, unknown> = {}) =>
  t.request({ method: 'POST', url: '/api/v1/tasks/claim', headers: as, payload });

/** A chat room of the project (a unique name unless given). */
export async function createRoom(
  t: TestApp,
  as: AuthHeaders,
  projectId: string,
  name = unique('room'),
  fields: Record<string, unknown> = {},
): Promise<RoomJson> {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/rooms',
    headers: as,
    payload: { ...fields, project_id: projectId, name },
  });
  expectStatus(res, 201, `create room ${name}`);
  return res.json();
}

export type MessageJson = {
  id: string;
  message_id: string;
  project_id: string;
  correlation_id: string | null;
  conversation_id: string | null;
  reply_to: string | null;
  sender_id: string | null;
  sender_type: string;
  recipient_id: string;
  status: string;
  priority: string;
  retry_count: number;
  max_retries: number;
  visible_until: string | null;
  last_error: string | null;
} & Record<string, unknown>;

/** `POST /messages`, answered as is: tests of refusals read the response. */
export const sendMessageRequest = (t: TestApp, as: AuthHeaders, payload: Record<string, unknown>) =>
  t.request({ method: 'POST', url: '/api/v1/messages', headers: as, payload });

/** Sends a message (`message_type` defaults to `note`); answers the messages, one per recipient. */
export async function sendMessage(
  t: TestApp,
  as: AuthHeaders,
  fields: Record<string, unknown>,
): Promise<MessageJson[]> {
  const res = await sendMessageRequest(t, as, { message_type: 'note', ...fields });
  expectStatus(res, 201, 'send message');
  return res.json().messages;
}

/** `POST /agents/:id/inbox/receive`, answered as is. */
export const receiveInboxRequest = (
  t: TestApp,
  as: AuthHeaders,
  agentId: string,
  payload: Record<string, unknown> = {},
) =>
  t.request({
    method: 'POST',
    url: `/api/v1/agents/${agentId}/inbox/receive`,
    headers: as,
    payload,
  });

/** Receives from the agent's inbox as `as` (the agent itself); answers the items. */
export async function receiveInbox(
  t: TestApp,
  as: AuthHeaders,
  agentId: string,
  payload: Record<string, unknown> = {},
): Promise<MessageJson[]> {
  const res = await receiveInboxRequest(t, as, agentId, payload);
  expectStatus(res, 200, `receive inbox of ${agentId}`);
  return res.json().items;
}

/** `POST /messages/:id/delivered | ack | nack`, answered as is. */
export const messageCall = (
  t: TestApp,
  as: AuthHeaders,
  id: string,
  call: 'delivered' | 'ack' | 'nack',
  payload?: Record<string, unknown>,
) => t.request({ method: 'POST', url: `/api/v1/messages/${id}/${call}`, headers: as, payload });
