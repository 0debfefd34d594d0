import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { databaseNameOf } from '@agenthub/database';
import { AdvisoryLock } from './advisory-lock';
import {
  displayName,
  listDataSequences,
  listDataTables,
  qualified,
  quoteIdent,
  readAppliedNames,
} from './database-catalog';
import {
  BackupIntegrityError,
  errorText,
  InterruptedError,
  MigrationUsageError,
} from './migration-errors';
import { MigrationLogger, NO_PROGRESS, ProgressReporter, SILENT_LOGGER } from './migration-logger';

export const BACKUP_FORMAT = 'agenthub-backup/1';

export interface BackupTableEntry {
  schema: string;
  name: string;
  columns: string[];
  rows: number;
  /** Relative to the backup directory: gzip of `COPY … TO STDOUT` (text format). */
  file: string;
  bytes: number;
  sha256: string;
}

export interface BackupSequenceEntry {
  schema: string;
  name: string;
  /** bigint as text, so no precision is lost in JSON. */
  last_value: string;
  is_called: boolean;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  id: string;
  created_at: string;
  reason: string;
  app_version: string;
  database: string;
  server_version: string;
  /** The last applied migration when the snapshot was taken; null for a database never migrated. */
  schema_version: string | null;
  migrations: string[];
  tables: BackupTableEntry[];
  sequences: BackupSequenceEntry[];
}

export interface BackupSummary {
  id: string;
  path: string;
  created_at: string;
  reason: string;
  schema_version: string | null;
  tables: Record<string, number>;
  bytes: number;
}

interface CommonOptions {
  logger?: MigrationLogger;
  progress?: ProgressReporter;
  signal?: AbortSignal;
}

export const MANIFEST_FILE = 'manifest.json';

/** backup_YYYYMMDD_HHMMSS_xxxxxx (UTC): sorts by time, unique across concurrent runs. */
export function newBackupId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  return `backup_${stamp}_${randomBytes(3).toString('hex')}`;
}

const BACKUP_ID = /^[A-Za-z0-9_.-]+$/;

function backupPath(dir: string, id: string): string {
  if (!BACKUP_ID.test(id) || id.startsWith('.'))
    throw new MigrationUsageError(`"${id}" is not a backup id`);
  return join(dir, id);
}

/** Counts rows of COPY text output (one line per row; newlines inside values are escaped). */
class RowCounter extends Transform {
  rows = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.rows += 1;
    callback(null, chunk);
  }
}

/** sha256 and size of what flows through. */
class Digest extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }
  hex(): string {
    return this.hash.digest('hex');
  }
}

async function connect(url: string): Promise<Client> {
  const client = new Client({
    connectionString: url,
    application_name: 'agenthub-migrator/backup',
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function checkSignal(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new InterruptedError(String(signal.reason), what);
}

/**
 * A consistent copy of every data table without pg_dump: one REPEATABLE READ READ ONLY snapshot,
 * `COPY … TO STDOUT` per table into gzip files, sequence values, and a manifest with row counts
 * and sha256 per file. Written under a hidden name and renamed at the end, so a directory named
 * like a backup is always complete.
 */
export async function createBackup(
  options: CommonOptions & { url: string; dir: string; reason?: string; appVersion?: string },
): Promise<BackupManifest & { path: string }> {
  const logger = options.logger ?? SILENT_LOGGER;
  const id = newBackupId();
  const path = join(options.dir, id);
  const partial = join(options.dir, `.${id}.partial`);
  await mkdir(join(partial, 'data'), { recursive: true });
  const client = await connect(options.url);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const migrations = await readAppliedNames(client);
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
        const columns = table.columns.map(quoteIdent).join(', ');
        await pipeline(
          client.query(
            copyTo(`COPY ${qualified(table.schema, table.name)} (${columns}) TO STDOUT`),
          ),
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
    await writeFile(join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
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

/** Reads and sanity-checks a manifest; a missing backup is a usage error, an unreadable one corrupt. */
export async function readManifest(
  dir: string,
  id: string,
): Promise<{ manifest: BackupManifest; path: string }> {
  const path = backupPath(dir, id);
  let text: string;
  try {
    text = await readFile(join(path, MANIFEST_FILE), 'utf8');
  } catch {
    throw new MigrationUsageError(`no backup "${id}" in ${dir}`);
  }
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new BackupIntegrityError(
      `backup ${id}: ${MANIFEST_FILE} is not valid JSON (${errorText(error)})`,
    );
  }
  if (
    manifest?.format !== BACKUP_FORMAT ||
    !Array.isArray(manifest.tables) ||
    !Array.isArray(manifest.sequences) ||
    manifest.id !== id
  ) {
    throw new BackupIntegrityError(
      `backup ${id}: ${MANIFEST_FILE} is not an ${BACKUP_FORMAT} manifest for this backup`,
    );
  }
  return { manifest, path };
}

async function fileDigest(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Checks every data file against the manifest; throws BackupIntegrityError naming each bad file. */
export async function verifyBackup(dir: string, id: string): Promise<BackupManifest> {
  const { manifest, path } = await readManifest(dir, id);
  const bad: string[] = [];
  for (const table of manifest.tables) {
    if (typeof table.file !== 'string' || table.file.includes('..')) {
      bad.push(`${table.name}: bad file name`);
      continue;
    }
    try {
      const actual = await fileDigest(join(path, table.file));
      if (actual.sha256 !== table.sha256 || actual.bytes !== table.bytes)
        bad.push(`${table.file}: checksum mismatch`);
    } catch (error) {
      bad.push(`${table.file}: ${errorText(error)}`);
    }
  }
  if (bad.length > 0)
    throw new BackupIntegrityError(
      `backup ${id} is corrupt, refusing to use it: ${bad.join('; ')}`,
    );
  return manifest;
}

/** Complete backups in `dir`, oldest first. */
export async function listBackups(dir: string): Promise<BackupSummary[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const summaries: BackupSummary[] = [];
  for (const name of names.filter((n) => !n.startsWith('.') && BACKUP_ID.test(n))) {
    try {
      const { manifest, path } = await readManifest(dir, name);
      summaries.push({
        id: manifest.id,
        path,
        created_at: manifest.created_at,
        reason: manifest.reason,
        schema_version: manifest.schema_version,
        tables: Object.fromEntries(
          manifest.tables.map((t) => [displayName(t.schema, t.name), t.rows]),
        ),
        bytes: manifest.tables.reduce((n, t) => n + t.bytes, 0),
      });
    } catch {
      // not a backup (or a damaged one): list-backups shows what restore could use
    }
  }
  return summaries.sort(
    (a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id),
  );
}

/**
 * Removes all but the newest `keep` backups, and leftovers of backups that died midway (hidden
 * `.partial` directories untouched for an hour). Answers the ids removed.
 */
export async function cleanupBackups(
  dir: string,
  keep: number,
): Promise<{ removed: string[]; kept: string[] }> {
  const backups = await listBackups(dir);
  const doomed = backups.slice(0, Math.max(0, backups.length - keep));
  for (const backup of doomed) await rm(backup.path, { recursive: true, force: true });
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    // no directory, nothing to clean
  }
  for (const name of names.filter((n) => n.startsWith('.') && n.endsWith('.partial'))) {
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 3_600_000)
      await rm(join(dir, name), { recursive: true, force: true });
  }
  return { removed: doomed.map((b) => b.id), kept: backups.slice(doomed.length).map((b) => b.id) };
}

export interface RestoreResult {
  id: string;
  schema_version: string | null;
  tables: Record<string, number>;
}

/**
 * Replaces the data of the database with a backup's, in one transaction: verify every file
 * first, refuse another schema version unless `force`, then — holding the migration lock — drop
 * the foreign keys, disable user triggers (so an append-only audit trigger or an insert trigger
 * neither blocks nor rewrites restored rows), TRUNCATE, COPY every table, re-enable the triggers,
 * re-create the foreign keys (which re-checks every reference) and set the sequences. Any
 * failure rolls all of it back. Needs the table owner (the role that ran the migrations).
 */
export async function restoreBackup(
  options: CommonOptions & {
    url: string;
    dir: string;
    id: string;
    force?: boolean;
    lockTimeoutMs?: number;
    ddlLockTimeoutMs?: number;
  },
): Promise<RestoreResult> {
  const logger = options.logger ?? SILENT_LOGGER;
  const manifest = await verifyBackup(options.dir, options.id);
  const path = backupPath(options.dir, options.id);
  logger.info('backup verified', { id: manifest.id, tables: manifest.tables.length });

  const client = await connect(options.url);
  const lock = new AdvisoryLock(client);
  try {
    await lock.acquire({
      timeoutMs: options.lockTimeoutMs ?? 60_000,
      signal: options.signal,
      logger,
    });
    const current = await readAppliedNames(client);
    const currentVersion = current.at(-1) ?? null;
    if (currentVersion !== manifest.schema_version) {
      const message = `backup ${manifest.id} is at schema version ${manifest.schema_version ?? '(none)'}, the database at ${currentVersion ?? '(none)'}`;
      if (!options.force) {
        throw new MigrationUsageError(
          `${message}; migrate the database to ${manifest.schema_version ?? 'nothing'} first (up --to / down --to), or pass --force`,
        );
      }
      logger.warn(`--force: ${message}`);
    }

    await client.query('BEGIN');
    await client.query(
      `SET LOCAL lock_timeout = ${Math.max(0, Math.round(options.ddlLockTimeoutMs ?? 10_000))}`,
    );
    const tables = await listDataTables(client);
    const byName = new Map(tables.map((t) => [displayName(t.schema, t.name), t]));
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
        const columns = table.columns.map(quoteIdent).join(', ');
        const copy = client.query(
          copyFrom(`COPY ${qualified(table.schema, table.name)} (${columns}) FROM STDIN`),
        );
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
    // setval is not transactional: last, right before COMMIT, so a failed restore leaves them alone.
    checkSignal(options.signal, 'restore abandoned, nothing changed');
    for (const sequence of manifest.sequences) {
      await client.query(`SELECT setval($1::regclass, $2::bigint, $3)`, [
        qualified(sequence.schema, sequence.name),
        sequence.last_value,
        sequence.is_called,
      ]);
    }
    await client.query('COMMIT');
    logger.info('backup restored', { id: manifest.id, tables: manifest.tables.length });
    return { id: manifest.id, schema_version: manifest.schema_version, tables: restored };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (options.signal?.aborted && !(error instanceof InterruptedError)) {
      throw new InterruptedError(
        String(options.signal.reason),
        `restore abandoned, nothing changed (${errorText(error)})`,
      );
    }
    throw error;
  } finally {
    await lock.release().catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
