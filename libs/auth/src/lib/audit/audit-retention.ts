import { Client } from 'pg';

/**
 * Deletes audit rows older than `olderThan`: the one sanctioned way besides a project's
 * cascade. The append-only trigger lets the DELETE through only because this transaction
 * says `SET LOCAL agenthub.audit_retention = 'on'`; the setting ends with the transaction.
 * It takes a URL and needs no Nest app, so ops tooling can call it; no migrator command
 * does yet.
 */
export async function purgeAuditLog(databaseUrl: string, olderThan: Date): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL agenthub.audit_retention = 'on'`);
    const { rowCount } = await client.query('DELETE FROM audit_log WHERE occurred_at < $1', [
      olderThan,
    ]);
    await client.query('COMMIT');
    return rowCount ?? 0;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
