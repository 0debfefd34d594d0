import { Client } from 'pg';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '@agenthub/testing';

/** Default password of users made by these helpers. */
export const PASSWORD = 'correct horse battery';

export interface TestUser {
  id: string;
  email: string;
  token: string;
  /** `{ authorization: 'Bearer …' }`, to spread into request headers. */
  auth: { authorization: string };
}

/** Registers a user through the API and logs them in. */
export async function registerAndLogin(
  t: TestApp,
  email: string,
  password = PASSWORD,
  name = email.split('@')[0],
): Promise<TestUser> {
  const registered = await t.request({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password, name },
  });
  if (registered.statusCode !== 201)
    throw new Error(`register ${email}: ${registered.statusCode} ${registered.body}`);
  return { ...(await login(t, email, password)), id: registered.json().id };
}

/** Logs an existing user in. */
export async function login(t: TestApp, email: string, password = PASSWORD): Promise<TestUser> {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
  if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`);
  const token = res.json().access_token as string;
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
    sub: string;
  };
  return { id: claims.sub, email, token, auth: { authorization: `Bearer ${token}` } };
}

/** Runs SQL on a test database as the server's admin (no API, no rules but the database's). */
export async function sql<T extends Record<string, unknown> = Record<string, unknown>>(
  databaseUrl: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export const makeSuperuser = (databaseUrl: string, email: string) =>
  sql(databaseUrl, 'UPDATE users SET is_superuser = true WHERE email = lower($1)', [email]);

export const deactivate = (databaseUrl: string, email: string) =>
  sql(databaseUrl, 'UPDATE users SET is_active = false WHERE email = lower($1)', [email]);

/** A project owned by `owner`, made through the API. */
export async function createProject(
  t: TestApp,
  owner: TestUser,
  name = 'Apollo',
  description?: string,
): Promise<{ id: string; name: string }> {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/projects',
    headers: owner.auth,
    payload: { name, description },
  });
  if (res.statusCode !== 201) throw new Error(`create project: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Asserts a problem+json answer with this status (and code, when given). */
export function expectProblem(res: LightMyRequestResponse, status: number, code?: string): void {
  expect({ status: res.statusCode, type: res.headers['content-type'] }).toEqual({
    status,
    type: expect.stringContaining('application/problem+json'),
  });
  if (code) expect(res.json().code).toBe(code);
}
