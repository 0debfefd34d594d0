import type { ClientBase } from 'pg';
import type { TableReport } from './report';

export type ColumnType = 'uuid' | 'text' | 'jsonb' | 'timestamptz' | 'boolean' | 'numeric' | 'integer';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /**
   * A timestamp the source did not have (or could not be read): NULL in the batch becomes the
   * import time on insert, and an existing row keeps its own on update — so a second run finds
   * the row unchanged instead of moving it to the new import time.
   */
  nowIfNull?: boolean;
  /** Written on insert only (e.g. a password hash someone may have changed since). */
  insertOnly?: boolean;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Writes a batch with one multi-row statement (unnest of one array per column): new ids are
 * inserted, existing ones updated only where a value differs, so a re-run touches nothing.
 * Answers how many rows were inserted, updated and left as they were.
 */
export async function upsertBatch(
  client: ClientBase,
  table: string,
  columns: ColumnSpec[],
  rows: unknown[][],
  conflict: string[] = ['id'],
): Promise<UpsertCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const arrays = columns.map((_, i) => rows.map((r) => (r[i] === undefined ? null : r[i])));
  const names = columns.map((c) => quote(c.name));
  const select = columns.map((c) => (c.nowIfNull ? `COALESCE(s.${quote(c.name)}, now())` : `s.${quote(c.name)}`));
  const updatable = columns.filter((c) => !conflict.includes(c.name) && !c.insertOnly);
  const setExpr = (c: ColumnSpec) =>
    c.nowIfNull ? `CASE WHEN EXCLUDED.${quote(c.name)} = now() THEN t.${quote(c.name)} ELSE EXCLUDED.${quote(c.name)} END` : `EXCLUDED.${quote(c.name)}`;
  const onConflict =
    updatable.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${updatable.map((c) => `${quote(c.name)} = ${setExpr(c)}`).join(', ')}
         WHERE (${updatable.map((c) => `t.${quote(c.name)}`).join(', ')}) IS DISTINCT FROM (${updatable.map(setExpr).join(', ')})`;
  const sql = `
    INSERT INTO ${quote(table)} AS t (${names.join(', ')})
    SELECT ${select.join(', ')} FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')}) AS s(${names.join(', ')})
    ON CONFLICT (${conflict.map(quote).join(', ')}) ${onConflict}
    RETURNING (xmax = 0) AS inserted`;
  const { rows: result } = await client.query<{ inserted: boolean }>(sql, arrays);
  const inserted = result.filter((r) => r.inserted).length;
  const updated = result.length - inserted;
  return { inserted, updated, unchanged: rows.length - result.length };
}

export function addCounts(into: TableReport, counts: UpsertCounts): void {
  into.inserted += counts.inserted;
  into.updated += counts.updated;
  into.unchanged += counts.unchanged;
}

/** Collects rows and writes them `size` at a time. */
export class Batch<T> {
  private rows: T[] = [];

  constructor(
    private readonly size: number,
    private readonly write: (rows: T[]) => Promise<void>,
  ) {}

  async push(row: T): Promise<void> {
    this.rows.push(row);
    if (this.rows.length >= this.size) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    await this.write(rows);
  }
}
