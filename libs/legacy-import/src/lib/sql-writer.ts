import type { ClientBase } from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';

export type ColumnType = 'uuid' | 'text' | 'jsonb' | 'timestamptz' | 'boolean' | 'numeric';

/** A value as it is written: text (JSON text for jsonb), a number or a boolean; null is NULL. */
export type ColumnValue = string | number | boolean | null;

/** A column of a target table, as the staging table declares it and the upsert writes it. */
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

/** A column and where a row of `R` keeps its value. */
export interface Column<R> extends ColumnSpec {
  value: (row: R) => ColumnValue;
}

/**
 * A table an import writes: its columns in the order they are staged and inserted, each with
 * the property of a row it takes its value from, so the order and the values cannot drift apart.
 */
export interface TargetTable<R> {
  name: string;
  columns: readonly Column<R>[];
  /** The unique key an existing row is found by; `id` when not given. */
  conflict?: readonly string[];
  /**
   * The legacy row id a row came from. When given, two rows of one import that land on the
   * same id (the same UUID written dashed and as 32 hex digits, two legacy ids mapping to one)
   * are a `RowCollision` naming both legacy rows, instead of the later one overwriting the first.
   */
  legacyId?: (row: R) => string;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface UpsertOptions {
  /** Runs once a batch is staged, before it is written, given the stage (the project check). */
  check?: (stage: string) => Promise<void>;
}

/** Two rows of one import would be the same row: neither may silently replace the other. */
export class RowCollision extends Error {
  override readonly name = 'RowCollision';
  constructor(
    readonly table: string,
    readonly id: string,
    readonly first: string,
    readonly second: string,
  ) {
    super(`${table} ${id}: legacy rows ${first} and ${second} both map to it`);
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** One value in COPY's text format: NULL is \N; backslash, tab, newline and return escaped. */
function copyField(v: ColumnValue | undefined): string {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v);
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : s;
}

/** A batch as COPY lines: the columns in order, then the legacy row id (the last column). */
function* copyLines<R>(table: TargetTable<R>, rows: readonly R[]): Generator<string> {
  const { columns, legacyId } = table;
  for (const row of rows) {
    let line = '';
    for (const column of columns) line += `${copyField(column.value(row))}\t`;
    yield `${line}${copyField(legacyId ? legacyId(row) : null)}\n`;
  }
}

function stagingTableSql(stage: string, columns: readonly ColumnSpec[]): string {
  const declared = columns.map((c) => `${quote(c.name)} ${c.type}`);
  return `CREATE TEMP TABLE ${stage} (${declared.join(', ')}, legacy_row_id text) ON COMMIT DROP`;
}

/** The value an update writes: the staged one; for the import time, the row's own (nowIfNull). */
function updatedValueSql(column: ColumnSpec): string {
  const name = quote(column.name);
  return column.nowIfNull
    ? `CASE WHEN EXCLUDED.${name} = now() THEN t.${name} ELSE EXCLUDED.${name} END`
    : `EXCLUDED.${name}`;
}

/** An existing row is updated only where a value differs, so a re-run touches nothing. */
function onConflictSql(columns: readonly ColumnSpec[], conflict: readonly string[]): string {
  const updatable = columns.filter((c) => !conflict.includes(c.name) && !c.insertOnly);
  if (updatable.length === 0) return 'DO NOTHING';
  const set = updatable.map((c) => `${quote(c.name)} = ${updatedValueSql(c)}`);
  const current = updatable.map((c) => `t.${quote(c.name)}`);
  const next = updatable.map(updatedValueSql);
  return `DO UPDATE SET ${set.join(', ')}
    WHERE (${current.join(', ')}) IS DISTINCT FROM (${next.join(', ')})`;
}

/** Writes the staged batch into `table`, counted in the server: the rows never travel back. */
function upsertSql(table: TargetTable<never>, stage: string): string {
  const { columns } = table;
  const conflict = table.conflict ?? ['id'];
  const names = columns.map((c) => quote(c.name));
  const staged = columns.map((c) =>
    c.nowIfNull ? `COALESCE(s.${quote(c.name)}, now())` : `s.${quote(c.name)}`,
  );
  return `
    WITH written AS (
      INSERT INTO ${quote(table.name)} AS t (${names.join(', ')})
      SELECT ${staged.join(', ')} FROM ${stage} s
      ON CONFLICT (${conflict.map(quote).join(', ')}) ${onConflictSql(columns, conflict)}
      RETURNING (xmax = 0) AS inserted)
    SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, count(*)::int AS written
      FROM written`;
}

/**
 * Writes batches through a staging table: each batch is COPYed into a TEMP table (created once
 * per import, ON COMMIT DROP, so a rollback or dry run leaves nothing behind) and written with
 * one `INSERT … SELECT … ON CONFLICT … DO UPDATE … WHERE (…) IS DISTINCT FROM (…)`: new ids are
 * inserted, existing ones updated only where a value differs, so a re-run touches nothing.
 * COPY instead of one bound array per column saves the client escaping and the server parsing
 * of every value as an array element. Answers how many rows were inserted, updated and left as
 * they were.
 */
export class StagedWriter {
  /** Staging (and seen-id) tables made in this transaction. */
  private readonly made = new Set<string>();
  /** The upsert statement of each table, built on its first batch. */
  private readonly statements = new Map<string, string>();

  constructor(private readonly client: ClientBase) {}

  async upsert<R>(
    table: TargetTable<R>,
    rows: readonly R[],
    options: UpsertOptions = {},
  ): Promise<UpsertCounts> {
    if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
    const stage = await this.stage(table);
    await pipeline(
      Readable.from(copyLines(table, rows)),
      this.client.query(copyFrom(`COPY ${stage} FROM STDIN`)),
    );
    // A temp table has no statistics until analysed; without them the planner may join a batch
    // to the target table by scanning all of it instead of probing its primary key.
    await this.client.query(`ANALYZE ${stage}`);
    if (table.legacyId) await this.rememberIds(table.name, stage);
    await options.check?.(stage);

    let statement = this.statements.get(table.name);
    if (statement === undefined) {
      statement = upsertSql(table, stage);
      this.statements.set(table.name, statement);
    }
    const { rows: result } = await this.client.query<{ inserted: number; written: number }>(
      statement,
    );
    const { inserted, written } = result[0];
    return { inserted, updated: written - inserted, unchanged: rows.length - written };
  }

  /** The staging table of `table`, made on first use, emptied for each batch. */
  private async stage(table: TargetTable<never>): Promise<string> {
    const stage = quote(`import_stage_${table.name}`);
    if (this.made.has(stage)) {
      await this.client.query(`TRUNCATE ${stage}`);
    } else {
      await this.client.query(stagingTableSql(stage, table.columns));
      this.made.add(stage);
    }
    return stage;
  }

  /**
   * Keeps every id this import wrote to `table` (with its legacy row id) in a TEMP table, and
   * fails on the first id a batch repeats, from an earlier batch or within itself.
   */
  private async rememberIds(table: string, stage: string): Promise<void> {
    const seen = quote(`import_seen_${table}`);
    if (!this.made.has(seen)) {
      await this.client.query(
        `CREATE TEMP TABLE ${seen} (id uuid PRIMARY KEY, legacy_row_id text) ON COMMIT DROP`,
      );
      this.made.add(seen);
    }
    const { rows } = await this.client.query<{ id: string; first: string; second: string }>(`
      (SELECT s.id, o.legacy_row_id AS first, s.legacy_row_id AS second
         FROM ${stage} s JOIN ${seen} o ON o.id = s.id LIMIT 1)
      UNION ALL
      (SELECT id, ids[1], ids[2]
         FROM (SELECT id, array_agg(legacy_row_id ORDER BY ctid) AS ids
                 FROM ${stage} GROUP BY id HAVING count(*) > 1) d
        LIMIT 1)
      LIMIT 1`);
    if (rows.length > 0) throw new RowCollision(table, rows[0].id, rows[0].first, rows[0].second);
    await this.client.query(`INSERT INTO ${seen} SELECT id, legacy_row_id FROM ${stage}`);
  }
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
