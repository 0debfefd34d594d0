import { sharedFixture } from '@agenthub/testing';
import { Client } from 'pg';

/** A sample input (../shared/fixtures beside the repository, built by make_fixtures.py). */
export const fixture = sharedFixture;

export async function query<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A user and a project to import into; answers the project id. */
export async function createProject(url: string, name = 'Imports'): Promise<string> {
  const [user] = await query<{ id: string }>(
    url,
    `INSERT INTO users (email, password_hash, name) VALUES ($1, '$argon2id$x', 'Owner') RETURNING id`,
    [`owner-${Math.random().toString(36).slice(2)}@example.com`],
  );
  const [project] = await query<{ id: string }>(
    url,
    `INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id`,
    [name, user.id],
  );
  return project.id;
}

/** Every row of the tables an import writes, to compare before and after. */
export async function snapshot(url: string): Promise<string> {
  const tables = [
    'users',
    'projects',
    'agents',
    'agent_capabilities',
    'agent_api_keys',
    'tasks',
    'task_dependencies',
    'chat_rooms',
    'chat_participants',
    'chat_messages',
  ];
  const out: Record<string, unknown[]> = {};
  for (const t of tables)
    out[t] = await query(url, `SELECT to_jsonb(x) AS row FROM ${t} x ORDER BY 1`);
  return JSON.stringify(out);
}
