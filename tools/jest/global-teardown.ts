import { Client } from 'pg';

const state = globalThis as typeof globalThis & {
  __agenthubTestRun?: { stop?: () => Promise<void>; adminUrl: string; runId: string };
};

/** Drops every database this run created, then stops the embedded server if we started one. */
export default async function globalTeardown(): Promise<void> {
  const run = state.__agenthubTestRun;
  if (!run) return;
  state.__agenthubTestRun = undefined;
  const client = new Client({ connectionString: run.adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`agenthub_test_${run.runId}_%`],
    );
    for (const { datname } of rows) {
      await client.query(
        `DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`,
      );
    }
  } finally {
    await client.end();
  }
  await run.stop?.();
}
