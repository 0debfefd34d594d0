import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isBackupId, readManifest } from './backup-manifest';
import { displayName } from './database-catalog';

/** What list-backups shows of one backup. */
export interface BackupSummary {
  id: string;
  path: string;
  created_at: string;
  reason: string;
  schema_version: string | null;
  tables: Record<string, number>;
  bytes: number;
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
  for (const name of names.filter(isBackupId)) {
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
 * `.partial` directories untouched for an hour). Answers the ids removed and kept.
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
