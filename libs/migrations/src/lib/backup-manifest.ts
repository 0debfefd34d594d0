import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupIntegrityError, errorText, MigrationUsageError } from './migration-errors';

/*
 * The on-disk format of a backup: a directory named by its id, holding `manifest.json` and one
 * gzip file per table under `data/`.
 */

export const BACKUP_FORMAT = 'agenthub-backup/1';

const MANIFEST_FILE = 'manifest.json';

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

/** backup_YYYYMMDD_HHMMSS_xxxxxx (UTC): sorts by time, unique across concurrent runs. */
export function newBackupId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  return `backup_${stamp}_${randomBytes(3).toString('hex')}`;
}

/** A name that can be a backup's: no path separators, not hidden (work in progress is). */
export function isBackupId(name: string): boolean {
  return /^[A-Za-z0-9_.-]+$/.test(name) && !name.startsWith('.');
}

/** The directory of backup `id` in `dir`; an id that could point elsewhere is a usage error. */
export function backupPath(dir: string, id: string): string {
  if (!isBackupId(id)) throw new MigrationUsageError(`"${id}" is not a backup id`);
  return join(dir, id);
}

export async function writeManifest(path: string, manifest: BackupManifest): Promise<void> {
  await writeFile(join(path, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
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
