import type Database from 'better-sqlite3';
import type { AgentReference, ImportContext } from '../context';
import { importedId } from '../ids';
import { openSqlite, sqliteReadError, tableRows } from '../sqlite-file';
import { agentBatch, agentCapabilities, agentStatus } from '../agents-writer';
import { taskBatch, taskValues } from '../tasks-writer';

interface Phase1Agent {
  id: string;
  name: string;
  agent_type: string;
  status: string | null;
  capabilities: string | null;
  system_prompt: string | null;
  model_provider: string | null;
  model_name: string | null;
  created_at: string | null;
  updated_at: string | null;
}

interface Phase1Task {
  id: string;
  title: string;
  description: string | null;
  status: string | null;
  priority: string | null;
  assigned_agent_id: string | null;
  created_at: string | null;
  updated_at: string | null;
}

/**
 * The phase-1 SQLite platform's database file: agents, then tasks (assignees resolved, orphans
 * given placeholders), all into `projectId`.
 */
export async function importSqlitePhase1(
  ctx: ImportContext,
  path: string,
  projectId: string,
): Promise<void> {
  const db = openSqlite(path, ['agents', 'tasks']);
  try {
    const agentIds = await importAgents(ctx, db, projectId);
    await importTasks(ctx, db, projectId, agentIds);
  } catch (error) {
    sqliteReadError(path, error);
  } finally {
    db.close();
  }
}

/** Writes the file's agents; answers the id each legacy agent id got. */
async function importAgents(
  ctx: ImportContext,
  db: Database.Database,
  projectId: string,
): Promise<Map<string, string>> {
  const agentIds = new Map<string, string>();
  const batch = agentBatch(ctx);
  for (const a of tableRows<Phase1Agent>(ctx, db, 'agents')) {
    const legacyId = String(a.id);
    const { id } = importedId(ctx.kind, projectId, 'agents', legacyId);
    agentIds.set(legacyId, id);
    const config: Record<string, unknown> = { legacy_id: legacyId, legacy_source: ctx.kind };
    const status = agentStatus(ctx, a.status, 'agents', legacyId, config);
    const caps = agentCapabilities(ctx, a.capabilities, 'agents', legacyId, config);
    const wanted = a.name?.trim() ? a.name : `Agent ${legacyId}`;
    const name = await ctx.uniqueName(projectId, id, wanted, 'agents', legacyId);
    const createdAt = ctx.time(a.created_at, 'agents', legacyId, 'created_at', true);
    await batch.push({
      id,
      legacyId,
      sourceTable: 'agents',
      projectId,
      name,
      agentType: a.agent_type || 'generic',
      status,
      capabilities: caps.names,
      config,
      systemPrompt: a.system_prompt,
      modelProvider: a.model_provider,
      modelName: a.model_name,
      isActive: true,
      createdAt,
      updatedAt: ctx.time(a.updated_at, 'agents', legacyId, 'updated_at') ?? createdAt,
      details: caps.details,
    });
  }
  await batch.flush();
  return agentIds;
}

/** Writes the file's tasks; an assignee that is not one of `agentIds` gets a placeholder. */
async function importTasks(
  ctx: ImportContext,
  db: Database.Database,
  projectId: string,
  agentIds: Map<string, string>,
): Promise<void> {
  const batch = taskBatch(ctx);
  for (const t of tableRows<Phase1Task>(ctx, db, 'tasks')) {
    const legacyId = String(t.id);
    const { id } = importedId(ctx.kind, projectId, 'tasks', legacyId);
    const legacy: Record<string, unknown> = { id: legacyId, source: ctx.kind };
    const values = taskValues(ctx, 'tasks', legacyId, t, legacy);
    let assignee: string | null = null;
    let orphan: AgentReference | null = null;
    if (t.assigned_agent_id !== null && t.assigned_agent_id !== undefined) {
      const ref = String(t.assigned_agent_id);
      assignee = agentIds.get(ref) ?? null;
      if (!assignee && ref.trim() === '') {
        legacy['assigned_agent_id'] = ref;
        ctx.report.table('tasks').nulled++;
        ctx.adjust({
          source_table: 'tasks',
          legacy_id: legacyId,
          kind: 'reference_nulled',
          field: 'assigned_agent_id',
          from: ref,
          to: null,
          message: 'assigned_agent_id is empty, which cannot be an id; set to NULL',
        });
      } else if (!assignee) {
        // Phase-1 ids are free text: any non-empty one can name an agent, so it gets a placeholder.
        assignee = importedId(ctx.kind, projectId, 'agents', ref).id;
        orphan = {
          id: assignee,
          projectId,
          legacyId: ref,
          sourceTable: 'tasks',
          rowId: legacyId,
          field: 'assigned_agent_id',
        };
      }
    }
    const createdAt = ctx.time(t.created_at, 'tasks', legacyId, 'created_at', true);
    const updatedAt = ctx.time(t.updated_at, 'tasks', legacyId, 'updated_at') ?? createdAt;
    // The placeholder goes in before the row: pushing it may write its batch.
    if (orphan) await ctx.ensurePlaceholders([orphan]);
    await batch.push({
      id,
      legacyId,
      projectId,
      title: values.title,
      description: t.description,
      status: values.status,
      priority: values.priority,
      assignedAgentId: assignee,
      result: { legacy },
      createdAt,
      updatedAt,
    });
  }
  await batch.flush();
}
