import type { ImportContext } from './context';
import { Batch } from './sql-writer';
import { TASK_DEPENDENCIES, TaskDependencyRow, TaskRow, TASKS } from './target-tables';
import { TASK_PRIORITY, TASK_STATUS, textOf } from './values';

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
  raw: { title?: unknown; status?: unknown; priority?: unknown },
  legacy: Record<string, unknown>,
) {
  const status = ctx.mapEnum(TASK_STATUS, raw.status, sourceTable, legacyId, 'status');
  if (status.changed) legacy['status'] = status.original;
  const priority = ctx.mapEnum(TASK_PRIORITY, raw.priority, sourceTable, legacyId, 'priority');
  if (priority.changed) legacy['priority'] = priority.original;
  const title = fittedTitle(ctx, textOf(raw.title) ?? '', sourceTable, legacyId, legacy);
  return { status: status.value, priority: priority.value, title };
}

/**
 * A title the column takes: "(untitled)" for an empty one, a long one shortened; the original
 * is kept in `legacy` and reported.
 */
function fittedTitle(
  ctx: ImportContext,
  title: string,
  sourceTable: string,
  legacyId: string,
  legacy: Record<string, unknown>,
): string {
  const empty = title.trim() === '';
  // TITLE_MAX counts characters; the UTF-16 length is never below their count and costs nothing.
  const tooLong = title.length > TITLE_MAX && [...title].length > TITLE_MAX;
  if (!empty && !tooLong) return title;
  const to = empty ? '(untitled)' : [...title].slice(0, TITLE_MAX - 1).join('') + '…';
  legacy['title'] = title;
  ctx.adjust({
    source_table: sourceTable,
    legacy_id: legacyId,
    kind: 'value_not_kept',
    field: 'title',
    from: title,
    to,
    message: empty
      ? 'empty title; stored as "(untitled)"'
      : `title longer than ${TITLE_MAX} characters; shortened (the whole title is in result.legacy.title)`,
  });
  return to;
}

export async function writeTasks(ctx: ImportContext, rows: readonly TaskRow[]): Promise<void> {
  await ctx.write(TASKS, rows, { checkExisting: ctx.assertStagedSameProject('tasks') });
}

export interface DependencyEdge {
  projectId: string;
  taskId: string;
  dependsOnId: string;
  sourceTable: string;
  legacyTaskId: string;
  legacyDependsOn: string;
}

/** Writes dependency edges; an edge to a missing task or to itself is dropped and reported. */
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
  // An edge needs both tasks in its project: a task of another project is as good as missing.
  const projectOf = new Map(rows.map((r) => [r.id, r.project_id]));
  const inProject = (taskId: string, projectId: string) => projectOf.get(taskId) === projectId;
  const kept: TaskDependencyRow[] = [];
  const seen = new Set<string>();
  for (const e of edges) {
    const toItself = e.taskId === e.dependsOnId;
    if (toItself || !inProject(e.dependsOnId, e.projectId) || !inProject(e.taskId, e.projectId)) {
      table.dropped++;
      ctx.adjust({
        source_table: e.sourceTable,
        legacy_id: e.legacyTaskId,
        kind: 'dependency_dropped',
        field: 'dependencies',
        from: e.legacyDependsOn,
        to: null,
        message: toItself
          ? 'a task cannot depend on itself; dependency dropped'
          : `depends on task ${e.legacyDependsOn}, which does not exist; dependency dropped`,
      });
      continue;
    }
    const key = `${e.taskId}/${e.dependsOnId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push({ projectId: e.projectId, taskId: e.taskId, dependsOnId: e.dependsOnId });
  }
  await ctx.write(TASK_DEPENDENCIES, kept);
}

export function taskBatch(ctx: ImportContext): Batch<TaskRow> {
  return ctx.batchOf(TASKS, (rows) => writeTasks(ctx, rows));
}
