import type { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { from as copyFrom } from 'pg-copy-streams';
import { DEFAULT_LOCK_TIMEOUT_MS, withMigrationLock } from './advisory-lock';
import { verifyBackup } from './backup-checksum';
import { BackupJobOptions, checkSignal, connectForBackup, copySql } from './backup-copy';
import { BackupManifest, backupPath } from './backup-manifest';
import {
  DataTable,
  displayName,
  listDataSequences,
  listDataTables,
  qualified,
  quoteIdent,
} from './database-catalog';
import {
  BackupIntegrityError,
  errorText,
  InterruptedError,
  MigrationUsageError,
} from './migration-errors';
import { recoverInterruptedRuns } from './interrupted-runs';
import {
  ensureHistoryTable,
  historyFinish,
  historyInsert,
  readAppliedRecords,
} from './migration-history';
import { MigrationLogger, NO_PROGRESS, SILENT_LOGGER } from './migration-logger';

export interface RestoreResult {
  id: string;
  schema_version: string | null;
  tables: Record<string, number>;
}

export interface RestoreOptions extends BackupJobOptions {
  url: string;
  dir: string;
  id: string;
  force?: boolean;
  lockTimeoutMs?: number;
  ddlLockTimeoutMs?: number;
  /** Recorded in the history with the restore. Default: $AGENTHUB_VERSION, else "unknown". */
  appVersion?: string;
}

/**
 * Replaces the data of the database with a backup's, in one transaction: verify every file
 * first, refuse another schema version unless `force`, then — holding the migration lock — drop
 * the foreign keys, disable user triggers (so an append-only audit trigger or an insert trigger
 * neither blocks nor rewrites restored rows), TRUNCATE, COPY every table, re-enable the triggers,
 * re-create the foreign keys (which re-checks every reference) and set the sequences. Any
 * failure, or the process killed midway, rolls all of it back. Needs the table owner (the role
 * that ran the migrations). The history gets a `restore` row, running from right before the
 * transaction until it ends: a restore killed midway is recorded by the next run.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const logger = options.logger ?? SILENT_LOGGER;
  const manifest = await verifyBackup(options.dir, options.id);
  const path = backupPath(options.dir, options.id);
  logger.info('backup verified', { id: manifest.id, tables: manifest.tables.length });

  const runId = `agenthub-migrator/restore-${randomBytes(4).toString('hex')}`;
  const client = await connectForBackup(options.url, runId);
  try {
    return await withMigrationLock(
      client,
      { timeoutMs: options.lockTimeoutMs, signal: options.signal, logger },
      async () => {
        await ensureHistoryTable(client);
        await recoverInterruptedRuns(client, {
          logger,
          timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
        });
        const forced = await checkSchemaVersion(client, manifest, options.force ?? false, logger);
        const t0 = performance.now();
        const started = historyInsert({
          name: manifest.id,
          action: 'restore',
          checksum: null,
          success: false,
          startedAt: new Date(),
          executionMs: 0,
          hostname: hostname(),
          appVersion: options.appVersion ?? process.env['AGENTHUB_VERSION'] ?? 'unknown',
          forced,
          runId,
          running: true,
        });
        const rowId = (await client.query<{ id: string }>(started.sql, started.params)).rows[0].id;
        await client.query('BEGIN');
        try {
          const tables = await replaceData(client, manifest, path, options);
          // In the restore's transaction: restored and recorded, or neither.
          const finish = historyFinish(rowId, {
            success: true,
            executionMs: performance.now() - t0,
          });
          await client.query(finish.sql, finish.params);
          await client.query('COMMIT');
          logger.info('backup restored', { id: manifest.id, tables: manifest.tables.length });
          return { id: manifest.id, schema_version: manifest.schema_version, tables };
        } catch (error) {
          // Before the lock goes: an aborted transaction would refuse to release it.
          await client.query('ROLLBACK').catch(() => undefined);
          const failed = historyFinish(rowId, {
            success: false,
            executionMs: performance.now() - t0,
            error: options.signal?.aborted
              ? `interrupted by ${String(options.signal.reason)}: ${errorText(error)}`
              : errorText(error),
          });
          await client.query(failed.sql, failed.params).catch((recordError) =>
            logger.warn('could not record the failure in the history', {
              error: errorText(recordError),
            }),
          );
          throw error;
        }
      },
    );
  } catch (error) {
    if (options.signal?.aborted && !(error instanceof InterruptedError)) {
      throw new InterruptedError(
        String(options.signal.reason),
        `restore abandoned, nothing changed (${errorText(error)})`,
      );
    }
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A backup goes back into the schema version it was taken at, unless `force` (then: true). */
async function checkSchemaVersion(
  client: Client,
  manifest: BackupManifest,
  force: boolean,
  logger: MigrationLogger,
): Promise<boolean> {
  const currentVersion = (await readAppliedRecords(client)).at(-1)?.name ?? null;
  if (currentVersion === manifest.schema_version) return false;
  const message = `backup ${manifest.id} is at schema version ${manifest.schema_version ?? '(none)'}, the database at ${currentVersion ?? '(none)'}`;
  if (!force) {
    throw new MigrationUsageError(
      `${message}; migrate the database to ${manifest.schema_version ?? 'nothing'} first (up --to / down --to), or pass --force`,
    );
  }
  logger.warn(`--force: ${message}`);
  return true;
}

/** Inside the caller's transaction: every table emptied and loaded from the backup. */
async function replaceData(
  client: Client,
  manifest: BackupManifest,
  path: string,
  options: RestoreOptions,
): Promise<Record<string, number>> {
  await client.query(
    `SET LOCAL lock_timeout = ${Math.max(0, Math.round(options.ddlLockTimeoutMs ?? 10_000))}`,
  );
  const tables = await listDataTables(client);
  await checkBackupFits(client, manifest, tables);
  const oids = tables.map((t) => t.oid);
  const { rows: foreignKeys } = await client.query<{
    schema: string;
    table: string;
    name: string;
    definition: string;
  }>(
    `SELECT n.nspname AS schema, c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND k.conrelid = ANY($1::oid[]) ORDER BY 1, 2, 3`,
    [oids],
  );
  const { rows: triggers } = await client.query<{ schema: string; table: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS table, t.tgname AS name
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgrelid = ANY($1::oid[]) ORDER BY 1, 2, 3`,
    [oids],
  );

  for (const fk of foreignKeys) {
    await client.query(
      `ALTER TABLE ${qualified(fk.schema, fk.table)} DROP CONSTRAINT ${quoteIdent(fk.name)}`,
    );
  }
  for (const trigger of triggers) {
    await client.query(
      `ALTER TABLE ${qualified(trigger.schema, trigger.table)} DISABLE TRIGGER ${quoteIdent(trigger.name)}`,
    );
  }
  if (tables.length > 0)
    await client.query(`TRUNCATE ${tables.map((t) => qualified(t.schema, t.name)).join(', ')}`);

  const restored: Record<string, number> = {};
  const bar = (options.progress ?? NO_PROGRESS).start('restoring tables', manifest.tables.length);
  try {
    for (const table of manifest.tables) {
      checkSignal(options.signal, 'restore abandoned, nothing changed');
      const copy = client.query(copyFrom(copySql(table, 'FROM STDIN')));
      await pipeline(
        createReadStream(join(path, table.file)),
        createGunzip(),
        copy,
        ...(options.signal ? [{ signal: options.signal }] : []),
      );
      const name = displayName(table.schema, table.name);
      if (copy.rowCount !== table.rows) {
        throw new BackupIntegrityError(
          `backup ${manifest.id}: ${name} loaded ${copy.rowCount} rows, the manifest says ${table.rows}`,
        );
      }
      restored[name] = table.rows;
      bar.tick(name);
    }
  } finally {
    bar.stop();
  }

  for (const trigger of triggers) {
    await client.query(
      `ALTER TABLE ${qualified(trigger.schema, trigger.table)} ENABLE TRIGGER ${quoteIdent(trigger.name)}`,
    );
  }
  for (const fk of foreignKeys) {
    await client.query(
      `ALTER TABLE ${qualified(fk.schema, fk.table)} ADD CONSTRAINT ${quoteIdent(fk.name)} ${fk.definition}`,
    );
  }
  // setval alone is not transactional: a restore killed after it would leave the sequences at
  // the backup's values above the rows it rolled back. ALTER SEQUENCE … RESTART is, and so is
  // whatever is done to the sequence after it in the same transaction.
  checkSignal(options.signal, 'restore abandoned, nothing changed');
  for (const sequence of manifest.sequences) {
    const name = qualified(sequence.schema, sequence.name);
    await client.query(`ALTER SEQUENCE ${name} RESTART`);
    await client.query(`SELECT setval($1::regclass, $2::bigint, $3)`, [
      name,
      sequence.last_value,
      sequence.is_called,
    ]);
  }
  return restored;
}

/** Every table and sequence of the backup must exist in the database. */
async function checkBackupFits(
  client: Client,
  manifest: BackupManifest,
  tables: DataTable[],
): Promise<void> {
  const byName = new Set(tables.map((t) => displayName(t.schema, t.name)));
  const missing = manifest.tables.filter((t) => !byName.has(displayName(t.schema, t.name)));
  if (missing.length > 0) {
    throw new MigrationUsageError(
      `the database has no table ${missing.map((t) => displayName(t.schema, t.name)).join(', ')} from the backup`,
    );
  }
  const sequences = new Set(
    (await listDataSequences(client)).map((s) => displayName(s.schema, s.name)),
  );
  const missingSequences = manifest.sequences.filter(
    (s) => !sequences.has(displayName(s.schema, s.name)),
  );
  if (missingSequences.length > 0) {
    throw new MigrationUsageError(
      `the database has no sequence ${missingSequences.map((s) => displayName(s.schema, s.name)).join(', ')} from the backup`,
    );
  }
}
