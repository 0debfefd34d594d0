import { Client } from 'pg';
import { qualified, quoteIdent } from './database-catalog';
import { InterruptedError } from './migration-errors';
import type { MigrationLogger, ProgressReporter } from './migration-logger';

// What backup and restore share: their options, the connection they work on, the COPY they speak.

/** Options of createBackup() and restoreBackup() beside their own. */
export interface BackupJobOptions {
  logger?: MigrationLogger;
  progress?: ProgressReporter;
  signal?: AbortSignal;
}

/**
 * A connection of its own: backup holds a snapshot on it, restore the lock and a transaction
 * (under a name of its own, which its history row records).
 */
export async function connectForBackup(
  url: string,
  applicationName = 'agenthub-migrator/backup',
): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: applicationName });
  client.on('error', () => undefined); // surfaced by the next query instead of crashing the process
  await client.connect();
  return client;
}

export function checkSignal(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new InterruptedError(String(signal.reason), what);
}

/**
 * The COPY of one table in text format, both ways with the manifest's column list: generated
 * columns are left out of the backup and recomputed when the rows are loaded.
 */
export function copySql(
  table: { schema: string; name: string; columns: string[] },
  direction: 'TO STDOUT' | 'FROM STDIN',
): string {
  const columns = table.columns.map(quoteIdent).join(', ');
  return `COPY ${qualified(table.schema, table.name)} (${columns}) ${direction}`;
}
