import type { ClientBase } from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { TableReport } from './report';

export type ColumnType =
  'uuid' | 'text' | 'jsonb' | 'timestamptz' | 'boolean' | 'numeric' | 'integer';

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

export interface UpsertOptions {
  /** The unique key an existing row is found by. */
  conflict?: string[];
  /**
   * The legacy row id of each row. When given, two rows of one import that land on the same id
   * (the same UUID written dashed and as 32 hex digits, two legacy ids mapping to one) are a
   * `RowCollisionError` naming both legacy rows, instead of the later one overwriting the first.
   */
  legacyIds?: string[];
  /** Runs after the batch is staged and before it is written, given the staging table's name (e.g. the project check). */
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

/** One value in COPY's text format: NULL is \N; backslash, tab, newline and carriage return escaped. */
function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'boolean' ? (v ? 't' : 'f') : String(v);
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : s;
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

  constructor(private readonly client: ClientBase) {}

  async upsert(
    table: string,
    columns: ColumnSpec[],
    rows: unknown[][],
    options: UpsertOptions = {},
  ): Promise<UpsertCounts> {
    if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
    const conflict = options.conflict ?? ['id'];
    const stage = await this.stage(table, columns);
    const legacyIds = options.legacyIds;
    const lines = function* () {
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        let line = '';
        for (let c = 0; c < columns.length; c++) line += (c === 0 ? '' : '\t') + copyField(r[c]);
        yield `${line}\t${copyField(legacyIds ? legacyIds[i] : null)}\n`;
      }
    };
    await pipeline(Readable.from(lines()), this.client.query(copyFrom(`COPY ${stage} FROM STDIN`)));
    // A temp table has no statistics until analysed; without them the planner may join a batch
    // to the target table by scanning all of it instead of probing its primary key.
    await this.client.query(`ANALYZE ${stage}`);
    if (legacyIds) await this.rememberIds(table, stage);
    await options.check?.(stage);

    const names = columns.map((c) => quote(c.name));
    const select = columns.map((c) =>
      c.nowIfNull ? `COALESCE(s.${quote(c.name)}, now())` : `s.${quote(c.name)}`,
    );
    const updatable = columns.filter((c) => !conflict.includes(c.name) && !c.insertOnly);
    const setExpr = (c: ColumnSpec) =>
      c.nowIfNull
        ? `CASE WHEN EXCLUDED.${quote(c.name)} = now() THEN t.${quote(c.name)} ELSE EXCLUDED.${quote(c.name)} END`
        : `EXCLUDED.${quote(c.name)}`;
    const onConflict =
      updatable.length === 0
        ? 'DO NOTHING'
        : `DO UPDATE SET ${updatable.map((c) => `${quote(c.name)} = ${setExpr(c)}`).join(', ')}
           WHERE (${updatable.map((c) => `t.${quote(c.name)}`).join(', ')}) IS DISTINCT FROM (${updatable.map(setExpr).join(', ')})`;
    // Counted in the server: the batch's rows never travel back.
    const { rows: result } = await this.client.query<{ inserted: number; written: number }>(`
      WITH written AS (
        INSERT INTO ${quote(table)} AS t (${names.join(', ')})
        SELECT ${select.join(', ')} FROM ${stage} s
        ON CONFLICT (${conflict.map(quote).join(', ')}) ${onConflict}
        RETURNING (xmax = 0) AS inserted)
      SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, count(*)::int AS written FROM written`);
    const { inserted, written } = result[0];
    return { inserted, updated: written - inserted, unchanged: rows.length - written };
  }

  /** The staging table of `table`, made on first use, emptied for each batch. */
  private async stage(table: string, columns: ColumnSpec[]): Promise<string> {
    const stage = quote(`import_stage_${table}`);
    if (this.made.has(stage)) {
      await this.client.query(`TRUNCATE ${stage}`);
    } else {
      await this.client.query(
        `CREATE TEMP TABLE ${stage} (${columns.map((c) => `${quote(c.name)} ${c.type}`).join(', ')}, legacy_row_id text) ON COMMIT DROP`,
      );
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
      (SELECT s.id, o.legacy_row_id AS first, s.legacy_row_id AS second FROM ${stage} s JOIN ${seen} o ON o.id = s.id LIMIT 1)
      UNION ALL
      (SELECT id, ids[1], ids[2] FROM (SELECT id, array_agg(legacy_row_id ORDER BY ctid) AS ids FROM ${stage} GROUP BY id HAVING count(*) > 1) d LIMIT 1)
      LIMIT 1`);
    if (rows.length > 0) throw new RowCollision(table, rows[0].id, rows[0].first, rows[0].second);
    await this.client.query(`INSERT INTO ${seen} SELECT id, legacy_row_id FROM ${stage}`);
  }
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
