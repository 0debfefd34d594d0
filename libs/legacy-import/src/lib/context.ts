import type { ClientBase } from 'pg';
import type { MigrationLogger } from '@agenthub/migrations';
import { derivedId } from './ids';
import type { Adjustment, ReportBuilder } from './report';
import {
  addCounts,
  Batch,
  ColumnSpec,
  RowCollision,
  StagedWriter,
  UpsertCounts,
  UpsertOptions,
} from './sql-writer';
import { ParsedTime, parseTimestamp } from './values';

/** Progress of one pass over a source table (the migrator's bar on a TTY, log lines elsewhere). */
export interface ImportProgress {
  start(label: string, total: number): { advance(n: number): void; stop(): void };
}

/** The migrator's logger (JSON lines off a TTY). */
export type ImportLogger = MigrationLogger;

/** Raised for input the importer cannot take (a corrupt file, a missing project): nothing is written. */
export class LegacyImportError extends Error {
  override readonly name = 'LegacyImportError';
  constructor(
    message: string,
    readonly kind: 'invalid' | 'failed' = 'invalid',
  ) {
    super(message);
  }
}

export interface AgentRow {
  id: string;
  /** the source row's own id, and where it came from (named when two rows collide) */
  legacyId: string;
  sourceTable: string;
  projectId: string;
  name: string;
  nickname?: string | null;
  agentType: string;
  status: string;
  capabilities: string[];
  config: Record<string, unknown> | null;
  systemPrompt?: string | null;
  modelProvider?: string | null;
  modelName?: string | null;
  isActive: boolean;
  createdAt: string | null;
  updatedAt: string | null;
  details: {
    name: string;
    confidence?: number;
    description?: string | null;
    inputSchema?: unknown;
    outputSchema?: unknown;
  }[];
}

const AGENT_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'uuid' },
  { name: 'project_id', type: 'uuid' },
  { name: 'name', type: 'text' },
  { name: 'nickname', type: 'text' },
  { name: 'agent_type', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'capabilities', type: 'jsonb' },
  { name: 'config', type: 'jsonb' },
  { name: 'system_prompt', type: 'text' },
  { name: 'model_provider', type: 'text' },
  { name: 'model_name', type: 'text' },
  { name: 'is_active', type: 'boolean' },
  { name: 'created_at', type: 'timestamptz', nowIfNull: true },
  { name: 'updated_at', type: 'timestamptz', nowIfNull: true },
];

const CAPABILITY_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'uuid' },
  { name: 'agent_id', type: 'uuid' },
  { name: 'capability_name', type: 'text' },
  { name: 'confidence_score', type: 'numeric' },
  { name: 'description', type: 'text' },
  { name: 'input_schema', type: 'jsonb' },
  { name: 'output_schema', type: 'jsonb' },
];

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
export const DEFAULT_CONFIDENCE = 0.5;

/** Everything one import run shares: the transaction's client, the report, batching, and the rules every source applies. */
export class ImportContext {
  private names = new Map<string, { byName: Map<string, string>; byId: Map<string, string> }>();
  private placeholders = new Set<string>();
  private readonly writer: StagedWriter;

  constructor(
    readonly client: ClientBase,
    readonly report: ReportBuilder,
    readonly kind: string,
    readonly batchSize: number,
    readonly progress: ImportProgress,
    readonly logger: ImportLogger,
  ) {
    this.writer = new StagedWriter(client);
  }

  /**
   * Writes one batch of `table` (see StagedWriter). Two rows of this import that would be the
   * same row are an error naming both legacy rows: keeping either would lose the other.
   */
  async upsert(
    table: string,
    columns: ColumnSpec[],
    rows: unknown[][],
    options: UpsertOptions & { sourceTable?: string } = {},
  ): Promise<UpsertCounts> {
    try {
      return await this.writer.upsert(table, columns, rows, options);
    } catch (error) {
      if (!(error instanceof RowCollision)) throw error;
      const from = options.sourceTable ?? table;
      throw new LegacyImportError(
        `${from} rows ${JSON.stringify(error.first)} and ${JSON.stringify(error.second)} both map to ${table} id ${error.id} ` +
          `(the same UUID written twice, e.g. dashed and as 32 hex digits): one import cannot keep both, and keeping one would lose the other. ` +
          `Make the ids unique in the source and import again; nothing was written`,
      );
    }
  }

  adjust(a: Adjustment): void {
    this.report.adjust(a);
  }

  /** A timestamp column's value: parsed as UTC, or null (→ the import time) and reported. */
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

  /** Fails when any of these ids already belongs to a row of another project: an import never moves rows silently. */
  async assertSameProject(
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
      `SELECT t.id, t.project_id, s.project_id AS wanted FROM ${table} t JOIN ${source} ON s.id = t.id
        WHERE t.project_id <> s.project_id LIMIT 5`,
      params,
    );
    if (rows.length > 0) {
      throw new LegacyImportError(
        `${table} ${rows.map((r) => r.id).join(', ')} already belong${rows.length === 1 ? 's' : ''} to project ${rows[0].project_id}, not to ${rows[0].wanted}: ` +
          `an import never moves rows between projects (import into that project, or remove the rows first)`,
      );
    }
  }

  private async projectNames(projectId: string) {
    let entry = this.names.get(projectId);
    if (!entry) {
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

  async writeAgents(rows: AgentRow[]): Promise<void> {
    addCounts(
      this.report.table('agents'),
      await this.upsert(
        'agents',
        AGENT_COLUMNS,
        rows.map((r) => [
          r.id,
          r.projectId,
          r.name,
          r.nickname ?? null,
          r.agentType,
          r.status,
          json(r.capabilities),
          json(r.config),
          r.systemPrompt ?? null,
          r.modelProvider ?? null,
          r.modelName ?? null,
          r.isActive,
          r.createdAt,
          r.updatedAt,
        ]),
        {
          legacyIds: rows.map((r) => r.legacyId),
          sourceTable: rows[0]?.sourceTable,
          check: this.assertStagedSameProject('agents'),
        },
      ),
    );
    const details = rows.flatMap((r) =>
      r.details.map((d) => [
        derivedId('agent-capability', r.id, d.name),
        r.id,
        d.name,
        d.confidence ?? DEFAULT_CONFIDENCE,
        d.description ?? null,
        json(d.inputSchema),
        json(d.outputSchema),
      ]),
    );
    const table = this.report.table('agent_capabilities');
    table.read += details.length;
    addCounts(table, await this.upsert('agent_capabilities', CAPABILITY_COLUMNS, details));
  }

  agentBatch(): Batch<AgentRow> {
    return new Batch(this.batchSize, (rows) => this.writeAgents(rows));
  }

  /**
   * Makes sure an agent the source references exists: when it does not (in the source or the
   * database), a placeholder "Migrated Agent <uuid>" (offline, inactive until someone renames
   * and activates it), one per distinct id, reported with the row that referenced it first.
   */
  async ensurePlaceholders(
    refs: {
      id: string;
      projectId: string;
      legacyId: string;
      sourceTable: string;
      rowId: string | null;
      field: string;
    }[],
  ): Promise<void> {
    const fresh = refs.filter((r) => !this.placeholders.has(r.id));
    if (fresh.length === 0) return;
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
       SELECT s.id, s.project_id, 'Migrated Agent ' || s.id, 'generic', 'offline', '[]'::jsonb,
              jsonb_build_object('placeholder', true, 'legacy_id', s.legacy_id, 'legacy_source', $4::text), false
         FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS s(id, project_id, legacy_id)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [list.map((r) => r.id), list.map((r) => r.projectId), list.map((r) => r.legacyId), this.kind],
    );
    const created = new Set(rows.map((r) => r.id));
    const table = this.report.table('agents');
    table.placeholders += created.size;
    table.unchanged += list.length - created.size;
    for (const r of list) {
      if (!created.has(r.id)) continue;
      const entry = this.names.get(r.projectId);
      entry?.byName.set(`Migrated Agent ${r.id}`, r.id);
      entry?.byId.set(r.id, `Migrated Agent ${r.id}`);
      this.adjust({
        source_table: r.sourceTable,
        legacy_id: r.rowId,
        kind: 'placeholder_created',
        field: r.field,
        from: r.legacyId,
        to: r.id,
        message: `${r.field} ${r.legacyId} names no agent; placeholder "Migrated Agent ${r.id}" (offline, inactive) created`,
      });
    }
  }
}
