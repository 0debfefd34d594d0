import type { ClientBase } from 'pg';
import type { MigrationLogger } from '@agenthub/migrations';
import type { Adjustment, ReportBuilder } from './report';
import {
  Batch,
  RowCollision,
  StagedWriter,
  TargetTable,
  WriteBehind,
  UpsertCounts,
  UpsertOptions,
} from './sql-writer';
import { EnumMapping, Mapped, mapEnum, ParsedTime, parseTimestamp } from './values';

/** Progress of one pass over a source table (the migrator's bar on a TTY, log lines elsewhere). */
export interface ImportProgress {
  start(label: string, total: number): { advance(n: number): void; stop(): void };
}

/** The migrator's logger (JSON lines off a TTY). */
export type ImportLogger = MigrationLogger;

/** Input the importer cannot take (a corrupt file, a missing project): nothing is written. */
export class LegacyImportError extends Error {
  override readonly name = 'LegacyImportError';
  constructor(
    message: string,
    readonly kind: 'invalid' | 'failed' = 'invalid',
  ) {
    super(message);
  }
}

/** The name of the placeholder agent made for an id that names no agent. */
const placeholderName = (id: string) => `Migrated Agent ${id}`;

/** An agent id a source row references, and where (reported with the placeholder it gets). */
export interface AgentReference {
  id: string;
  projectId: string;
  /** the id as the source wrote it */
  legacyId: string;
  /** the referencing row: its table, legacy id and field */
  sourceTable: string;
  rowId: string | null;
  field: string;
}

/**
 * Everything one import run shares: the transaction's client, the report, batching, and the
 * rules every source applies.
 */
export class ImportContext {
  private names = new Map<string, { byName: Map<string, string>; byId: Map<string, string> }>();
  private placeholders = new Set<string>();
  private readonly writer: StagedWriter;
  /** Batches are written behind the reading; see WriteBehind. */
  readonly behind = new WriteBehind();

  constructor(
    readonly client: ClientBase,
    readonly report: ReportBuilder,
    readonly kind: string,
    readonly batchSize: number,
    readonly progress: ImportProgress,
  ) {
    this.writer = new StagedWriter(client);
  }

  /**
   * Writes one batch of `table` (see StagedWriter) and counts it in the report. Two rows of this
   * import that would be the same row are an error naming both legacy rows: keeping either
   * would lose the other.
   */
  async write<R>(
    table: TargetTable<R>,
    rows: readonly R[],
    options: UpsertOptions & { sourceTable?: string } = {},
  ): Promise<void> {
    let counts: UpsertCounts;
    try {
      counts = await this.writer.upsert(table, rows, options);
    } catch (error) {
      if (!(error instanceof RowCollision)) throw error;
      throw new LegacyImportError(
        `${options.sourceTable ?? table.name} rows ${JSON.stringify(error.first)} and ` +
          `${JSON.stringify(error.second)} both map to ${table.name} id ${error.id} ` +
          '(the same UUID written twice, e.g. dashed and as 32 hex digits): one import cannot ' +
          'keep both, and keeping one would lose the other. ' +
          'Make the ids unique in the source and import again; nothing was written',
      );
    }
    const report = this.report.table(table.name);
    report.inserted += counts.inserted;
    report.updated += counts.updated;
    report.unchanged += counts.unchanged;
  }

  /** Rows of `table`, written `batchSize` at a time. */
  batch<R>(table: TargetTable<R>): Batch<R> {
    return this.batchOf(table, (rows) => this.write(table, rows));
  }

  /**
   * Rows written `batchSize` at a time by `write`, which writes them into `table` (and maybe
   * more); each batch is made ready for `table` while the one before it is written
   * (StagedWriter.prepare).
   */
  batchOf<R>(table: TargetTable<R>, write: (rows: R[]) => Promise<void>): Batch<R> {
    return new Batch(this.behind, this.batchSize, write, (rows) =>
      this.writer.prepare(table, rows),
    );
  }

  adjust(a: Adjustment): void {
    this.report.adjust(a);
  }

  /**
   * A timestamp column's value as UTC, or null when missing or unreadable (a created_at and the
   * like then gets the import time, see nowIfNull). An unreadable one is reported; a missing one
   * when `reportMissing`.
   */
  time(
    raw: unknown,
    sourceTable: string,
    legacyId: string | null,
    field: string,
    reportMissing = false,
  ): string | null {
    const parsed: ParsedTime = parseTimestamp(raw);
    if (parsed.ok) return parsed.value;
    if (!parsed.missing) {
      this.adjust({
        source_table: sourceTable,
        legacy_id: legacyId,
        kind: 'timestamp_unreadable',
        field,
        from: raw,
        to: 'import time',
        message: `${field} ${JSON.stringify(raw)} is not a timestamp; the import time was used`,
      });
    } else if (reportMissing) {
      this.adjust({
        source_table: sourceTable,
        legacy_id: legacyId,
        kind: 'timestamp_missing',
        field,
        from: null,
        to: 'import time',
        message: `${field} was empty; the import time was used`,
      });
    }
    return null;
  }

  /**
   * A legacy enum value through its mapping (see mapEnum); a stored value that differs from the
   * original is reported (the caller keeps the original on the row).
   */
  mapEnum(
    mapping: EnumMapping,
    raw: unknown,
    sourceTable: string,
    legacyId: string,
    field: string,
  ): Mapped {
    const mapped = mapEnum(mapping, raw);
    if (mapped.changed)
      this.adjust({
        source_table: sourceTable,
        legacy_id: legacyId,
        kind: 'enum_mapped',
        field,
        from: mapped.original,
        to: mapped.value,
        message: `${field} "${mapped.original}" stored as "${mapped.value}"`,
      });
    return mapped;
  }

  /** Fails when any of these ids is a row of another project: an import never moves rows. */
  private async assertSameProject(
    table: 'agents' | 'tasks',
    ids: string[],
    projects: string[],
  ): Promise<void> {
    if (ids.length === 0) return;
    await this.sameProject(table, 'unnest($1::uuid[], $2::uuid[]) AS s(id, project_id)', [
      ids,
      projects,
    ]);
  }

  /** The same check for a staged batch (the staging table has id and project_id). */
  assertStagedSameProject(table: 'agents' | 'tasks'): (stage: string) => Promise<void> {
    return (stage) => this.sameProject(table, `${stage} s`, []);
  }

  private async sameProject(
    table: 'agents' | 'tasks',
    source: string,
    params: unknown[],
  ): Promise<void> {
    const { rows } = await this.client.query<{ id: string; project_id: string; wanted: string }>(
      `SELECT t.id, t.project_id, s.project_id AS wanted
         FROM ${table} t JOIN ${source} ON s.id = t.id
        WHERE t.project_id <> s.project_id LIMIT 5`,
      params,
    );
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id).join(', ');
    const belong = rows.length === 1 ? 'belongs' : 'belong';
    throw new LegacyImportError(
      `${table} ${ids} already ${belong} to project ${rows[0].project_id}, not to ${rows[0].wanted}: ` +
        'an import never moves rows between projects (import into that project, or remove the rows first)',
    );
  }

  private async projectNames(projectId: string) {
    let entry = this.names.get(projectId);
    if (!entry) {
      await this.behind.settled();
      const { rows } = await this.client.query<{ id: string; name: string }>(
        'SELECT id, name FROM agents WHERE project_id = $1',
        [projectId],
      );
      entry = {
        byName: new Map(rows.map((r) => [r.name, r.id])),
        byId: new Map(rows.map((r) => [r.id, r.name])),
      };
      this.names.set(projectId, entry);
    }
    return entry;
  }

  /**
   * The name an agent gets: its own, unless another agent of the project (in the database or
   * earlier in this import) has it; then " (2)", " (3)"… — reported. Stable across re-runs:
   * an agent keeps the name it got the first time.
   */
  async uniqueName(
    projectId: string,
    id: string,
    wanted: string,
    sourceTable: string,
    legacyId: string,
  ): Promise<string> {
    const entry = await this.projectNames(projectId);
    let name = wanted;
    for (let n = 2; entry.byName.has(name) && entry.byName.get(name) !== id; n++)
      name = `${wanted} (${n})`;
    const previous = entry.byId.get(id);
    if (previous !== undefined && previous !== name && entry.byName.get(previous) === id)
      entry.byName.delete(previous);
    entry.byName.set(name, id);
    entry.byId.set(id, name);
    if (name !== wanted) {
      this.report.table('agents').renamed++;
      this.adjust({
        source_table: sourceTable,
        legacy_id: legacyId,
        kind: 'name_deduplicated',
        field: 'name',
        from: wanted,
        to: name,
        message: `another agent of the project is named "${wanted}"; this one is "${name}"`,
      });
    }
    return name;
  }

  /**
   * Makes sure an agent the source references exists: when it does not (in the source or the
   * database), a placeholder "Migrated Agent <uuid>" (offline, inactive until someone renames
   * and activates it), one per distinct id, reported with the row that referenced it first.
   */
  async ensurePlaceholders(refs: readonly AgentReference[]): Promise<void> {
    const fresh = refs.filter((r) => !this.placeholders.has(r.id));
    if (fresh.length === 0) return;
    // Written before the batch that holds the row naming it, and after the batches before.
    await this.behind.settled();
    const distinct = new Map(fresh.map((r) => [r.id, r]));
    for (const id of distinct.keys()) this.placeholders.add(id);
    const list = [...distinct.values()];
    await this.assertSameProject(
      'agents',
      list.map((r) => r.id),
      list.map((r) => r.projectId),
    );
    const { rows } = await this.client.query<{ id: string }>(
      `INSERT INTO agents (id, project_id, name, agent_type, status, capabilities, config, is_active)
       SELECT s.id, s.project_id, s.name, 'generic', 'offline', '[]'::jsonb,
              jsonb_build_object(
                'placeholder', true, 'legacy_id', s.legacy_id, 'legacy_source', $5::text),
              false
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])
           AS s(id, project_id, name, legacy_id)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        list.map((r) => r.id),
        list.map((r) => r.projectId),
        list.map((r) => placeholderName(r.id)),
        list.map((r) => r.legacyId),
        this.kind,
      ],
    );
    const created = new Set(rows.map((r) => r.id));
    const table = this.report.table('agents');
    table.placeholders += created.size;
    table.unchanged += list.length - created.size;
    for (const r of list) {
      if (!created.has(r.id)) continue;
      const name = placeholderName(r.id);
      const entry = this.names.get(r.projectId);
      entry?.byName.set(name, r.id);
      entry?.byId.set(r.id, name);
      this.adjust({
        source_table: r.sourceTable,
        legacy_id: r.rowId,
        kind: 'placeholder_created',
        field: r.field,
        from: r.legacyId,
        to: r.id,
        message: `${r.field} ${r.legacyId} names no agent; placeholder "${name}" (offline, inactive) created`,
      });
    }
  }
}
