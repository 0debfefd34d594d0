import type { LightMyRequestResponse } from 'fastify';
import { Client } from 'pg';
import type { TestApp } from '@agenthub/testing';
import { buildWorld, createAgent, createKey, Headers, bearer, World } from './agents-fixture';

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

/**
 * The agents' access cast (owner with P1 and agents A1, A2; another user with P2 and B1; a
 * superuser; keys of A1 and B1) plus a key for A2, and a pg client on the same database for
 * what tests must arrange behind the API's back (an expired lease).
 */
export interface TaskWorld extends World {
  a2Key: Headers;
  sql<T extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<T[]>;
}

export async function buildTaskWorld(env: NodeJS.ProcessEnv = {}): Promise<TaskWorld> {
  const world = await buildWorld(env);
  const key = await createKey(world.t, world.owner, world.a2);
  const client = new Client({ connectionString: world.db.url });
  await client.connect();
  return {
    ...world,
    a2Key: bearer(key.api_key),
    sql: async <T extends Record<string, unknown>>(text: string, params: unknown[] = []) =>
      (await client.query<T>(text, params)).rows,
    async close() {
      await client.end();
      await world.close();
    },
  };
}

function expectStatus(res: LightMyRequestResponse, status: number, what: string): void {
  if (res.statusCode !== status)
    throw new Error(`${what}: expected ${status}, got ${res.statusCode}: ${res.body}`);
}

let counter = 0;

/** A task made through the API (title unique unless given). */
export async function createTask(
  t: TestApp,
  as: Headers,
  projectId: string,
  fields: Record<string, unknown> = {},
): Promise<TaskJson> {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/tasks',
    headers: as,
    payload: { title: `task ${++counter}`, ...fields, project_id: projectId },
  });
  expectStatus(res, 201, 'create task');
  return res.json();
}

export async function patchTask(
  t: TestApp,
  as: Headers,
  id: string,
  payload: Record<string, unknown>,
): Promise<LightMyRequestResponse> {
  return t.request({ method: 'PATCH', url: `/api/v1/tasks/${id}`, headers: as, payload });
}

export async function getTask(t: TestApp, as: Headers, id: string): Promise<TaskJson> {
  const res = await t.request({ method: 'GET', url: `/api/v1/tasks/${id}`, headers: as });
  expectStatus(res, 200, `get task ${id}`);
  return res.json();
}

/** Moves a task along legal transitions with PATCH, as `as`. */
export async function moveTask(
  t: TestApp,
  as: Headers,
  id: string,
  ...statuses: string[]
): Promise<TaskJson> {
  let task: TaskJson | undefined;
  for (const status of statuses) {
    const res = await patchTask(t, as, id, { status });
    expectStatus(res, 200, `move ${id} to ${status}`);
    task = res.json();
  }
  return task ?? getTask(t, as, id);
}

export const claim = (t: TestApp, as: Headers, payload: Record<string, unknown> = {}) =>
  t.request({ method: 'POST', url: '/api/v1/tasks/claim', headers: as, payload });

/** `count` agents of the project, each with its own key. */
export async function agentsWithKeys(
  t: TestApp,
  as: Headers,
  projectId: string,
  count: number,
  fields: Record<string, unknown> = {},
): Promise<{ id: string; key: Headers }[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const agent = await createAgent(t, as, projectId, fields);
      return { id: agent.id, key: bearer((await createKey(t, as, agent.id)).api_key) };
    }),
  );
}

export { createAgent, createKey, bearer, expectProblem } from './agents-fixture';
export type { Headers } from './agents-fixture';
