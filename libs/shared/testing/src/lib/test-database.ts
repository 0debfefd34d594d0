import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { databaseNameOf, withDatabase } from '@agenthub/database';

/** Set by the global setup for every worker of the run. */
export const TEST_ENV = {
  adminUrl: 'AGENTHUB_TEST_ADMIN_URL',
  templateDatabase: 'AGENTHUB_TEST_TEMPLATE_DB',
  runId: 'AGENTHUB_TEST_RUN_ID',
} as const;

/**
 * Refuses anything that does not look like a test database: tests create, truncate and
 * drop databases, and must never do so to one that holds real data.
 */
export function assertTestDatabase(url: string): void {
  const name = databaseNameOf(url);
  if (!/test/i.test(name)) {
    throw new Error(
      `Refusing to run tests against database "${name}": its name must contain "test"`,
    );
  }
}

function env(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run tests through jest (its global setup provides the database)`,
    );
  return value;
}

export async function withAdminClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: env(TEST_ENV.adminUrl) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  /** Connection URL of a new database of its own (migrated unless made with `migrated: false`). */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A new database, cloned from the migrated template of this run: each test file gets its
 * own, so files run in parallel without seeing each other's rows.
 */
export async function createTestDatabase(
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  const name = `agenthub_test_${env(TEST_ENV.runId)}_${randomBytes(4).toString('hex')}`;
  const template = options.migrated === false ? 'template0' : env(TEST_ENV.templateDatabase);
  await withAdminClient((c) =>
    c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE ${c.escapeIdentifier(template)}`),
  );
  const url = withDatabase(env(TEST_ENV.adminUrl), name);
  assertTestDatabase(url);
  return {
    url,
    name,
    drop: () =>
      withAdminClient((c) =>
        c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`),
      ).then(() => undefined),
  };
}
