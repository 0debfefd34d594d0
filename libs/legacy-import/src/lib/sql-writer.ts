import type { ClientBase } from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, CopyStreamQuery } from 'pg-copy-streams';

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
  /**
   * Runs, given the stage, for a batch some of whose ids are rows already, before it is written
   * (the project check: an existing row must be of the batch's project). A batch of ids that
   * are rows nowhere has nothing to check.
   */
  checkExisting?: (stage: string) => Promise<void>;
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

/** Where a COPY line takes each of its fields from. */
type Field<R> = (row: R) => ColumnValue;

/**
 * A batch as COPY text, one line per row. One string per batch, because pg-copy-streams sends
 * every chunk it is given as a CopyData message of its own, in two socket writes: fed a line at
 * a time, the import spent more time in write() than in everything else it does.
 */
function copyText<R>(fields: readonly Field<R>[], rows: readonly R[]): string {
  let text = '';
  for (const row of rows) {
    let line = copyField(fields[0](row));
    for (let i = 1; i < fields.length; i++) line += `\t${copyField(fields[i](row))}`;
    text += `${line}\n`;
  }
  return text;
}

/** Runs `COPY … FROM STDIN` with `text` as its data; answers the rows copied. */
async function copyIn(client: ClientBase, statement: string, text: string): Promise<number> {
  const copy: CopyStreamQuery = client.query(copyFrom(statement));
  await pipeline(Readable.from([text]), copy);
  return copy.rowCount;
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

/** The first id of `ids` that repeats an earlier one: where each is; null when all differ. */
function repeatedId(ids: readonly ColumnValue[]): { first: number; second: number } | null {
  const firstAt = new Map<ColumnValue, number>();
  for (let i = 0; i < ids.length; i++) {
    const first = firstAt.get(ids[i]);
    if (first !== undefined) return { first, second: i };
    firstAt.set(ids[i], i);
  }
  return null;
}

/** A batch's ids and direct COPY text, made while the batch before it is written. */
interface Prepared {
  ids: ColumnValue[] | null;
  legacyIds: string[] | null;
  direct: string | null;
}

/** The ids of a batch's rows; null for a table without an `id` column. */
function idsOf<R>(table: TargetTable<R>, rows: readonly R[]): ColumnValue[] | null {
  const idOf = table.columns.find((c) => c.name === 'id')?.value;
  return idOf === undefined ? null : rows.map(idOf);
}

/** What a table's batches are written with, built on its first batch. */
interface TablePlan<R> {
  stage: string;
  createStage: string;
  /** the staging table's COPY fields: the columns, then the legacy row id */
  stageFields: readonly Field<R>[];
  upsert: string;
  /** A table found by `id` (the default conflict key) can take a batch of new ids by COPY. */
  byId: boolean;
  /** The COPY straight into the table, its fields (the import time for a missing timestamp). */
  direct: string;
  directFields: readonly Field<R>[];
  /** The TEMP table of the ids this import wrote (with legacyId), see `claim`. */
  seen: string | null;
  /** Whether `seen` has its unique index yet (made when a batch first finds existing rows). */
  seenIndexed: boolean;
}

/**
 * Writes batches of rows into their tables, in the transaction of `client`, in one of two ways:
 *
 * - A batch none of whose ids is a row yet (what a first import is made of) is COPYed straight
 *   into its table: nothing can conflict, so the rows go in as a COPY into the table would put
 *   them, with its indexes, CHECKs, generated columns and foreign keys checked by the database.
 * - Any other batch is COPYed into a TEMP staging table (created once per import, ON COMMIT DROP,
 *   so a rollback or dry run leaves nothing behind) and written with one
 *   `INSERT … SELECT … ON CONFLICT … DO UPDATE … WHERE (…) IS DISTINCT FROM (…)`: new ids are
 *   inserted, existing ones updated only where a value differs, so a re-run touches nothing.
 *
 * Which way is decided by one statement per batch (see `claim`) that also remembers its ids,
 * so two rows of one import on the same id are found in any batch. The COPY fields are text,
 * so no value is escaped as an array element or bound parameter. Answers how many rows were
 * inserted, updated and left as they were.
 */
export class StagedWriter {
  /** Staging and seen-id tables made in this transaction. */
  private readonly made = new Set<string>();
  private readonly plans = new Map<string, TablePlan<never>>();
  /** Batches written so far: the seen-id table says which batch wrote an id. */
  private batches = 0;
  /** The transaction's now() as text: what a direct COPY writes for a missing timestamp. */
  private now: string | null = null;
  /** What {@link prepare} made of a batch, until its write takes it. */
  private readonly ahead = new WeakMap<readonly unknown[], Prepared>();

  constructor(private readonly client: ClientBase) {}

  /**
   * Makes what a batch's write sends (its ids for `claim`, its direct COPY text) now, while the
   * batch before it is being written (see Batch): the write that follows then starts sending at
   * once instead of building it while the database waits. Only once the table's plan exists
   * (after its first batch); a batch that goes through staging builds its staging text then.
   */
  prepare<R>(table: TargetTable<R>, rows: readonly R[]): void {
    const plan = this.plans.get(table.name) as TablePlan<R> | undefined;
    if (plan === undefined || rows.length === 0) return;
    this.ahead.set(rows, {
      ids: idsOf(table, rows),
      legacyIds: table.legacyId ? rows.map(table.legacyId) : null,
      direct: plan.byId ? copyText(plan.directFields, rows) : null,
    });
  }

  async upsert<R>(
    table: TargetTable<R>,
    rows: readonly R[],
    options: UpsertOptions = {},
  ): Promise<UpsertCounts> {
    if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
    const plan = await this.plan(table);
    const batch = ++this.batches;
    const prepared = this.ahead.get(rows);
    this.ahead.delete(rows);
    const existing = await this.claim(plan, table, rows, batch, prepared);
    if (existing === 0 && plan.byId) {
      // No row has any of these ids, in any project (the primary key is unique across them): the
      // batch is all inserts, and the project check has nothing to look at. The primary key
      // still stands guard: a row someone else inserts meanwhile fails the COPY, and with it
      // the whole import, rather than being overwritten.
      const text = prepared?.direct ?? copyText(plan.directFields, rows);
      const inserted = await copyIn(this.client, plan.direct, text);
      return { inserted, updated: 0, unchanged: 0 };
    }

    await this.stage(plan);
    await copyIn(this.client, `COPY ${plan.stage} FROM STDIN`, copyText(plan.stageFields, rows));
    // A temp table has no statistics until analysed; without them the planner may join a batch
    // to the target table by scanning all of it instead of probing its primary key.
    await this.client.query(`ANALYZE ${plan.stage}`);
    await options.checkExisting?.(plan.stage);
    const { rows: result } = await this.client.query<{ inserted: number; written: number }>(
      plan.upsert,
    );
    const { inserted, written } = result[0];
    return { inserted, updated: written - inserted, unchanged: rows.length - written };
  }

  private async plan<R>(table: TargetTable<R>): Promise<TablePlan<R>> {
    let plan = this.plans.get(table.name) as TablePlan<R> | undefined;
    if (plan !== undefined) return plan;
    if (this.now === null) {
      // now() is the transaction's start, so the text stands for the value the upsert's
      // COALESCE(…, now()) writes; text out and in round-trips under the session's DateStyle.
      const { rows } = await this.client.query<{ now: string }>('SELECT now()::text AS now');
      this.now = rows[0].now;
    }
    const now = this.now;
    const { columns, legacyId } = table;
    const stage = quote(`import_stage_${table.name}`);
    const values: Field<R>[] = columns.map((c) => c.value);
    const byId = table.conflict === undefined && columns.some((c) => c.name === 'id');
    let seen: string | null = null;
    if (legacyId) {
      seen = quote(`import_seen_${table.name}`);
      // Without its index while every batch is new (see `claim`): a first import of a million
      // rows spent more time keeping that index than in the rest of the statement.
      await this.client.query(
        `CREATE TEMP TABLE ${seen} (id uuid, legacy_row_id text, batch int) ON COMMIT DROP`,
      );
      if (!byId) await this.client.query(`CREATE UNIQUE INDEX ON ${seen} (id)`);
    }
    plan = {
      stage,
      createStage: stagingTableSql(stage, columns),
      stageFields: [...values, legacyId ?? (() => null)],
      upsert: upsertSql(table, stage),
      byId,
      direct: `COPY ${quote(table.name)} (${columns.map((c) => quote(c.name)).join(', ')}) FROM STDIN`,
      directFields: columns.map((c) => (c.nowIfNull ? (r: R) => c.value(r) ?? now : c.value)),
      seen,
      seenIndexed: !byId,
    };
    this.plans.set(table.name, plan);
    return plan;
  }

  /**
   * One statement per batch: remembers its ids (with their legacy row ids, in the TEMP table
   * `seen`, ON COMMIT DROP) and answers how many of them are rows already. An id this import
   * remembered before, from an earlier batch or earlier in this one, is a RowCollision.
   *
   * While every batch has been all new (a first import), `seen` has no index: an id of an earlier
   * batch is a row by now, so a batch repeating one is not all new, and one repeating an id of
   * its own is found here, in memory. The first batch that finds rows makes the unique index
   * (the ids remembered so far are distinct, by the same argument), and from then on the index
   * is what finds an id remembered before, across batches of any size.
   */
  private async claim<R>(
    plan: TablePlan<R>,
    table: TargetTable<R>,
    rows: readonly R[],
    batch: number,
    prepared: Prepared | undefined,
  ): Promise<number> {
    const ids = prepared ? prepared.ids : idsOf(table, rows);
    if (ids === null) return -1;
    const target = quote(table.name);
    const existing = plan.byId
      ? `(SELECT count(*) FROM ${target} WHERE id = ANY($1::uuid[]))::int`
      : '-1';
    if (plan.seen === null || !table.legacyId) {
      if (!plan.byId) return -1;
      const { rows: found } = await this.client.query<{ existing: number }>(
        `SELECT ${existing} AS existing`,
        [ids],
      );
      return found[0].existing;
    }
    const legacyIds = prepared?.legacyIds ?? rows.map(table.legacyId);
    if (!plan.seenIndexed) {
      const repeated = repeatedId(ids);
      if (repeated !== null)
        throw new RowCollision(
          table.name,
          String(ids[repeated.first]),
          legacyIds[repeated.first],
          legacyIds[repeated.second],
        );
      const { rows: result } = await this.client.query<{ existing: number }>(
        `WITH existing AS (SELECT ${existing} AS n),
         fresh AS (
           INSERT INTO ${plan.seen} (id, legacy_row_id, batch)
           SELECT id, legacy_row_id, $3 FROM unnest($1::uuid[], $2::text[]) AS b(id, legacy_row_id)
            WHERE (SELECT n FROM existing) = 0)
         SELECT n AS existing FROM existing`,
        [ids, legacyIds, batch],
      );
      if (result[0].existing === 0) return 0;
      await this.client.query(`CREATE UNIQUE INDEX ON ${plan.seen} (id)`);
      plan.seenIndexed = true;
    }
    const { rows: result } = await this.client.query<{ fresh: number; existing: number }>(
      `WITH fresh AS (
         INSERT INTO ${plan.seen} (id, legacy_row_id, batch)
         SELECT id, legacy_row_id, $3 FROM unnest($1::uuid[], $2::text[]) AS b(id, legacy_row_id)
         ON CONFLICT (id) DO NOTHING RETURNING 1)
       SELECT (SELECT count(*) FROM fresh)::int AS fresh, ${existing} AS existing`,
      [ids, legacyIds, batch],
    );
    if (result[0].fresh < rows.length)
      await this.collision(plan.seen, table.name, ids, legacyIds, batch);
    return result[0].existing;
  }

  /** Names the first id of the batch that an earlier batch wrote, or that the batch repeats. */
  private async collision(
    seen: string,
    table: string,
    ids: readonly ColumnValue[],
    legacyIds: readonly string[],
    batch: number,
  ): Promise<never> {
    const { rows } = await this.client.query<{ id: string; first: string; second: string }>(
      `SELECT b.id, o.legacy_row_id AS first, b.legacy_row_id AS second
         FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS b(id, legacy_row_id, n)
         JOIN ${seen} o ON o.id = b.id AND o.batch < $3
        ORDER BY b.n LIMIT 1`,
      [ids, legacyIds, batch],
    );
    if (rows.length > 0) throw new RowCollision(table, rows[0].id, rows[0].first, rows[0].second);
    const repeated = repeatedId(ids);
    if (repeated !== null)
      throw new RowCollision(
        table,
        String(ids[repeated.first]),
        legacyIds[repeated.first],
        legacyIds[repeated.second],
      );
    throw new Error(`${table}: batch ${batch} repeats an id, but none was found`);
  }

  /** The staging table of a plan, made on first use, emptied for each batch. */
  private async stage(plan: TablePlan<never>): Promise<void> {
    if (this.made.has(plan.stage)) {
      await this.client.query(`TRUNCATE ${plan.stage}`);
    } else {
      await this.client.query(plan.createStage);
      this.made.add(plan.stage);
    }
  }
}

/**
 * Lets an import read and convert the next batch while the database writes the last one: the
 * two run on different cores. At most one batch is being written at a time, and each starts
 * only once the one before is written, so batches reach the database in the order they were
 * made. Whatever else an import asks the database at source level (a placeholder, a project's
 * agent names, the broker's existing users) waits for `settled()` first, so it sees every row
 * written before it and no write's statements interleave with another's. A failed write fails
 * the next `start()` or `settled()`, and the transaction with it.
 */
export class WriteBehind {
  private pending: Promise<void> | null = null;

  /** Whether a batch is being written. */
  get busy(): boolean {
    return this.pending !== null;
  }

  /** Starts `write` once the write before it is done; answers without waiting for it. */
  async start(write: () => Promise<void>): Promise<void> {
    await this.settled();
    const pending = write();
    // Reported by the next start() or settled(), not as an unhandled rejection.
    pending.catch(() => undefined);
    this.pending = pending;
  }

  /** Waits for the batch being written; throws its error. */
  async settled(): Promise<void> {
    const pending = this.pending;
    if (pending === null) return;
    try {
      await pending;
    } finally {
      if (this.pending === pending) this.pending = null;
    }
  }
}

/** Rows read between two turns of the event loop while a batch is being written. */
const ROWS_PER_TURN = 100;

/**
 * Collects rows and writes them `size` at a time, behind the reading (see WriteBehind); `flush`
 * writes the rest and waits until all is written.
 */
export class Batch<T> {
  private rows: T[] = [];

  /**
   * `prepare` runs on a full batch before it waits for the write before it, so what it makes
   * (StagedWriter.prepare) is made while the database is still busy with that write.
   */
  constructor(
    private readonly behind: WriteBehind,
    private readonly size: number,
    private readonly write: (rows: T[]) => Promise<void>,
    private readonly prepare?: (rows: T[]) => void,
  ) {}

  async push(row: T): Promise<void> {
    this.rows.push(row);
    if (this.rows.length >= this.size) await this.send();
    // A write is a few statements, each sent when the one before answers: reading in one
    // stretch of promise callbacks would hold those answers back until the batch is full.
    else if (this.behind.busy && this.rows.length % ROWS_PER_TURN === 0)
      await new Promise((resolve) => setImmediate(resolve));
  }

  async flush(): Promise<void> {
    await this.send();
    await this.behind.settled();
  }

  private async send(): Promise<void> {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    this.prepare?.(rows);
    await this.behind.start(() => this.write(rows));
  }
}
