import type { ImportContext } from './context';
import { addCounts, Batch, ColumnSpec } from './sql-writer';
import {
  mapEnum,
  TASK_PRIORITY_FALLBACK,
  TASK_PRIORITY_MAP,
  TASK_STATUS_FALLBACK,
  TASK_STATUS_MAP,
} from './values';

export interface TaskRow {
  id: string;
  /** the source row's own id (named when two rows collide) */
  legacyId: string;
  projectId: string;
  roomId?: string | null;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  assignedAgentId: string | null;
  assignedUserId?: string | null;
  createdByUserId?: string | null;
  createdByAgentId?: string | null;
  result: Record<string, unknown> | null;
  dueDate?: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

const TASK_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'uuid' },
  { name: 'project_id', type: 'uuid' },
  { name: 'room_id', type: 'uuid' },
  { name: 'title', type: 'text' },
  { name: 'description', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'priority', type: 'text' },
  { name: 'assigned_agent_id', type: 'uuid' },
  { name: 'assigned_user_id', type: 'uuid' },
  { name: 'created_by_user_id', type: 'uuid' },
  { name: 'created_by_agent_id', type: 'uuid' },
  { name: 'result', type: 'jsonb' },
  { name: 'due_date', type: 'timestamptz' },
  { name: 'started_at', type: 'timestamptz' },
  { name: 'completed_at', type: 'timestamptz' },
  { name: 'created_at', type: 'timestamptz', nowIfNull: true },
  { name: 'updated_at', type: 'timestamptz', nowIfNull: true },
];

const TITLE_MAX = 500;

/**
 * The values every task source shares the rules for: status and priority through the mapping
 * table (originals kept in result.legacy and reported), a title that fits the column.
 * `legacy` is the object stored as result.legacy (it starts with the legacy id).
 */
export function taskValues(
  ctx: ImportContext,
  sourceTable: string,
  legacyId: string,
  raw: { title: unknown; status: unknown; priority: unknown },
  legacy: Record<string, unknown>,
) {
  const status = mapEnum(TASK_STATUS_MAP, TASK_STATUS_FALLBACK, raw.status);
  if (status.changed) {
    legacy['status'] = status.original;
    ctx.adjust({
      source_table: sourceTable,
      legacy_id: legacyId,
      kind: 'enum_mapped',
      field: 'status',
      from: status.original,
      to: status.value,
      message: `status "${status.original}" stored as "${status.value}"`,
    });
  }
  const priority = mapEnum(TASK_PRIORITY_MAP, TASK_PRIORITY_FALLBACK, raw.priority);
  if (priority.changed) {
    legacy['priority'] = priority.original;
    ctx.adjust({
      source_table: sourceTable,
      legacy_id: legacyId,
      kind: 'enum_mapped',
      field: 'priority',
      from: priority.original,
      to: priority.value,
      message: `priority "${priority.original}" stored as "${priority.value}"`,
    });
  }
  let title = raw.title === null || raw.title === undefined ? '' : String(raw.title);
  if (title.trim() === '' || [...title].length > TITLE_MAX) {
    legacy['title'] = title;
    const to =
      title.trim() === '' ? '(untitled)' : [...title].slice(0, TITLE_MAX - 1).join('') + '…';
    ctx.adjust({
      source_table: sourceTable,
      legacy_id: legacyId,
      kind: 'value_not_kept',
      field: 'title',
      from: title,
      to,
      message:
        title.trim() === ''
          ? 'empty title; stored as "(untitled)"'
          : `title longer than ${TITLE_MAX} characters; shortened (the whole title is in result.legacy.title)`,
    });
    title = to;
  }
  return { status: status.value, priority: priority.value, title };
}

export async function writeTasks(ctx: ImportContext, rows: TaskRow[]): Promise<void> {
  addCounts(
    ctx.report.table('tasks'),
    await ctx.upsert(
      'tasks',
      TASK_COLUMNS,
      rows.map((r) => [
        r.id,
        r.projectId,
        r.roomId ?? null,
        r.title,
        r.description,
        r.status,
        r.priority,
        r.assignedAgentId,
        r.assignedUserId ?? null,
        r.createdByUserId ?? null,
        r.createdByAgentId ?? null,
        r.result === null ? null : JSON.stringify(r.result),
        r.dueDate ?? null,
        r.startedAt ?? null,
        r.completedAt ?? null,
        r.createdAt,
        r.updatedAt,
      ]),
      {
        legacyIds: rows.map((r) => r.legacyId),
        sourceTable: 'tasks',
        check: ctx.assertStagedSameProject('tasks'),
      },
    ),
  );
}

export interface DependencyEdge {
  projectId: string;
  taskId: string;
  dependsOnId: string;
  sourceTable: string;
  legacyTaskId: string;
  legacyDependsOn: string;
}

/** Writes dependency edges; an edge whose task does not exist is dropped and reported. */
export async function writeDependencies(
  ctx: ImportContext,
  edges: DependencyEdge[],
): Promise<void> {
  if (edges.length === 0) return;
  const table = ctx.report.table('task_dependencies');
  table.read += edges.length;
  const { rows } = await ctx.client.query<{ id: string; project_id: string }>(
    `SELECT id, project_id FROM tasks WHERE id = ANY($1::uuid[])`,
    [[...new Set(edges.flatMap((e) => [e.taskId, e.dependsOnId]))]],
  );
  // An edge needs both tasks, in the edge's project (a task of another project is as good as missing).
  const projectOf = new Map(rows.map((r) => [r.id, r.project_id]));
  const existing = { has: (id: string, projectId?: string) => projectOf.get(id) === projectId };
  const kept: unknown[][] = [];
  const seen = new Set<string>();
  for (const e of edges) {
    if (
      !existing.has(e.dependsOnId, e.projectId) ||
      !existing.has(e.taskId, e.projectId) ||
      e.taskId === e.dependsOnId
    ) {
      table.dropped++;
      ctx.adjust({
        source_table: e.sourceTable,
        legacy_id: e.legacyTaskId,
        kind: 'dependency_dropped',
        field: 'dependencies',
        from: e.legacyDependsOn,
        to: null,
        message:
          e.taskId === e.dependsOnId
            ? 'a task cannot depend on itself; dependency dropped'
            : `depends on task ${e.legacyDependsOn}, which does not exist; dependency dropped`,
      });
      continue;
    }
    const key = `${e.taskId}/${e.dependsOnId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push([e.projectId, e.taskId, e.dependsOnId]);
  }
  const cols: ColumnSpec[] = [
    { name: 'project_id', type: 'uuid' },
    { name: 'task_id', type: 'uuid' },
    { name: 'depends_on_id', type: 'uuid' },
  ];
  addCounts(
    table,
    await ctx.upsert('task_dependencies', cols, kept, { conflict: ['task_id', 'depends_on_id'] }),
  );
}

export function taskBatch(ctx: ImportContext): Batch<TaskRow> {
  return new Batch(ctx.batchSize, (rows) => writeTasks(ctx, rows));
}
