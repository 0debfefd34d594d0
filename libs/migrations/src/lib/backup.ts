import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { to as copyTo } from 'pg-copy-streams';
import { databaseNameOf } from '@agenthub/database';
import { Digest } from './backup-checksum';
import { BackupJobOptions, checkSignal, connectForBackup, copySql } from './backup-copy';
import {
  BACKUP_FORMAT,
  BackupManifest,
  BackupSequenceEntry,
  BackupTableEntry,
  newBackupId,
  writeManifest,
} from './backup-manifest';
import { displayName, listDataSequences, listDataTables, qualified } from './database-catalog';
import { errorText, InterruptedError } from './migration-errors';
import { NO_PROGRESS, SILENT_LOGGER } from './migration-logger';
import { readAppliedRecords } from './migration-history';

/** Counts rows of COPY text output (one line per row; newlines inside values are escaped). */
class RowCounter extends Transform {
  rows = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.rows += 1;
    callback(null, chunk);
  }
}

/**
 * A consistent copy of every data table without pg_dump: one REPEATABLE READ READ ONLY snapshot,
 * `COPY … TO STDOUT` per table into gzip files, sequence values, and a manifest with row counts
 * and sha256 per file. Written under a hidden name and renamed at the end, so a directory named
 * like a backup is always complete.
 */
export async function createBackup(
  options: BackupJobOptions & { url: string; dir: string; reason?: string; appVersion?: string },
): Promise<BackupManifest & { path: string }> {
  const logger = options.logger ?? SILENT_LOGGER;
  const id = newBackupId();
  const path = join(options.dir, id);
  const partial = join(options.dir, `.${id}.partial`);
  await mkdir(join(partial, 'data'), { recursive: true });
  const client = await connectForBackup(options.url);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const migrations = (await readAppliedRecords(client)).map((m) => m.name);
    const tables = await listDataTables(client);
    const sequences = await listDataSequences(client);
    const { rows: version } = await client.query<{ server_version: string }>('SHOW server_version');
    logger.info('backup started', {
      id,
      tables: tables.length,
      schema_version: migrations.at(-1) ?? null,
    });

    const entries: BackupTableEntry[] = [];
    const bar = (options.progress ?? NO_PROGRESS).start('backing up tables', tables.length);
    try {
      for (const [index, table] of tables.entries()) {
        checkSignal(options.signal, 'backup abandoned');
        const file = join(
          'data',
          `${String(index + 1).padStart(4, '0')}_${table.schema}.${table.name}.copy.gz`.replace(
            /[^A-Za-z0-9_.-]/g,
            '_',
          ),
        );
        const counter = new RowCounter();
        const digest = new Digest();
        await pipeline(
          client.query(copyTo(copySql(table, 'TO STDOUT'))),
          counter,
          createGzip(),
          digest,
          createWriteStream(join(partial, file)),
          ...(options.signal ? [{ signal: options.signal }] : []),
        );
        entries.push({
          schema: table.schema,
          name: table.name,
          columns: table.columns,
          rows: counter.rows,
          file,
          bytes: digest.bytes,
          sha256: digest.hex(),
        });
        logger.debug('table backed up', {
          table: displayName(table.schema, table.name),
          rows: counter.rows,
        });
        bar.tick(displayName(table.schema, table.name));
      }
    } finally {
      bar.stop();
    }

    const sequenceEntries: BackupSequenceEntry[] = [];
    for (const sequence of sequences) {
      const { rows } = await client.query<{ last_value: string; is_called: boolean }>(
        `SELECT last_value::text AS last_value, is_called FROM ${qualified(sequence.schema, sequence.name)}`,
      );
      sequenceEntries.push({ ...sequence, ...rows[0] });
    }
    await client.query('COMMIT');

    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      id,
      created_at: new Date().toISOString(),
      reason: options.reason ?? 'manual',
      app_version: options.appVersion ?? 'unknown',
      database: databaseNameOf(options.url),
      server_version: version[0].server_version,
      schema_version: migrations.at(-1) ?? null,
      migrations,
      tables: entries,
      sequences: sequenceEntries,
    };
    await writeManifest(partial, manifest);
    await rename(partial, path);
    logger.info('backup written', {
      id,
      path,
      tables: entries.length,
      rows: entries.reduce((n, t) => n + t.rows, 0),
    });
    return { ...manifest, path };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    if (options.signal?.aborted)
      throw new InterruptedError(
        String(options.signal.reason),
        `backup abandoned (${errorText(error)})`,
      );
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
