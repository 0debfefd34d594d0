import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { LegacyImportError } from './context';

/**
 * Opens a legacy SQLite file read-only and checks it is whole before anything is written: a
 * truncated or corrupt file is a clear error, not rows that stop half way.
 */
export function openSqlite(path: string, requiredTables: string[]): Database.Database {
  if (!existsSync(path)) throw new LegacyImportError(`${path}: no such file`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new LegacyImportError(
      `${path} is not a readable SQLite database: ${(error as Error).message}`,
    );
  }
  try {
    const check = db.prepare('PRAGMA quick_check').pluck().all() as string[];
    if (check.length !== 1 || check[0] !== 'ok') throw new Error(check.slice(0, 3).join('; '));
    const tables = new Set(
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[],
    );
    const missing = requiredTables.filter((t) => !tables.has(t));
    if (missing.length > 0) {
      db.close();
      throw new LegacyImportError(
        `${path} has no table ${missing.join(', ')}: is it the right kind of file for this source?`,
      );
    }
  } catch (error) {
    if (error instanceof LegacyImportError) throw error;
    db.close();
    throw new LegacyImportError(
      `${path} is not a readable SQLite database (truncated or corrupt?): ${(error as Error).message}`,
    );
  }
  return db;
}

export function hasTable(db: Database.Database, table: string): boolean {
  return (
    db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !==
    undefined
  );
}

/** Row count, for the progress bar. */
export function countOf(db: Database.Database, table: string): number {
  return Number(db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get());
}

/** Wraps an error SQLite raises while streaming (a page that turns out corrupt) into a clear one. */
export function sqliteReadError(path: string, error: unknown): never {
  if (error instanceof LegacyImportError) throw error;
  const code = (error as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_'))
    throw new LegacyImportError(
      `${path}: reading failed (${code}: ${(error as Error).message}); nothing was written`,
    );
  throw error;
}
