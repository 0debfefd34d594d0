import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { ImportContext } from './context';
import { LegacyImportError } from './context';

/** A value as better-sqlite3 reads it: SQLite has these types and no others (no objects). */
export type SqliteValue = string | number | bigint | Buffer | null;

/** A row read with `SELECT *`: a column this version of the schema lacks reads as undefined. */
export type SqliteRow = Record<string, SqliteValue | undefined>;

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
function countOf(db: Database.Database, table: string): number {
  return Number(db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get());
}

/**
 * The rows of `table` in `order`, one at a time: each is counted as read in the report, and on
 * the progress bar once the caller is done with it. The report lists the table even when empty.
 */
export function* tableRows<T>(
  ctx: ImportContext,
  db: Database.Database,
  table: string,
  order = 'rowid',
): Generator<T> {
  const report = ctx.report.table(table);
  const bar = ctx.progress.start(table, countOf(db, table));
  try {
    const rows = db.prepare(`SELECT * FROM "${table}" ORDER BY ${order}`).iterate();
    for (const row of rows as IterableIterator<T>) {
      report.read++;
      yield row;
      bar.advance(1);
    }
  } finally {
    bar.stop();
  }
}

/** Makes an error SQLite raises while streaming (a page that turns out corrupt) a clear one. */
export function sqliteReadError(path: string, error: unknown): never {
  if (error instanceof LegacyImportError) throw error;
  const code = (error as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_'))
    throw new LegacyImportError(
      `${path}: reading failed (${code}: ${(error as Error).message}); nothing was written`,
    );
  throw error;
}
