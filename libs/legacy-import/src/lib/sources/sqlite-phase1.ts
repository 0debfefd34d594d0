import type { ImportContext } from '../context';
import { AgentRow } from '../context';
import { importedId } from '../ids';
import { taskBatch, taskValues } from '../tasks-writer';
import { AGENT_STATUS_FALLBACK, AGENT_STATUS_MAP, mapEnum, parseCapabilities } from '../values';
import { countOf, openSqlite, sqliteReadError } from '../sqlite-file';

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
 * An agent's capabilities, the way every source stores them (config.legacy_capabilities for
 * text that is not JSON, confidences for the object form), with the adjustments reported.
 */
export function agentCapabilities(
  ctx: ImportContext,
  raw: unknown,
  sourceTable: string,
  legacyId: string,
  config: Record<string, unknown>,
) {
  const caps = parseCapabilities(raw);
  if (caps.verbatim !== null) {
    config['legacy_capabilities'] = caps.verbatim;
    ctx.adjust({
      source_table: sourceTable,
      legacy_id: legacyId,
      kind: 'capabilities_not_json',
      field: 'capabilities',
      from: caps.verbatim,
      to: caps.names,
      message:
        'capabilities are not a JSON list or object; kept verbatim in config.legacy_capabilities, names split on commas',
    });
  }
  for (const c of caps.clamped) {
    ctx.adjust({
      source_table: sourceTable,
      legacy_id: legacyId,
      kind: 'capability_confidence_clamped',
      field: `capabilities.${c.name}`,
      from: c.from,
      to: c.to,
      message: `confidence ${c.from} of "${c.name}" stored as ${c.to} (0..1, two decimals)`,
    });
  }
  return {
    names: caps.names,
    details: caps.names.map((name) => ({ name, confidence: caps.confidences.get(name) })),
  };
}

export function agentStatus(
  ctx: ImportContext,
  raw: unknown,
  sourceTable: string,
  legacyId: string,
  config: Record<string, unknown>,
): string {
  const status = mapEnum(AGENT_STATUS_MAP, AGENT_STATUS_FALLBACK, raw);
  if (status.changed) {
    config['legacy_status'] = status.original;
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
  return status.value;
}

/** Seed 002's phase-1 SQLite file: agents, then tasks (assignees resolved, orphans given placeholders). */
export async function importSqlitePhase1(
  ctx: ImportContext,
  path: string,
  projectId: string,
): Promise<void> {
  const db = openSqlite(path, ['agents', 'tasks']);
  try {
    const agentIds = new Map<string, string>();
    const agentsReport = ctx.report.table('agents');
    let bar = ctx.progress.start('agents', countOf(db, 'agents'));
    const agents = ctx.agentBatch();
    try {
      for (const a of db
        .prepare('SELECT * FROM agents ORDER BY rowid')
        .iterate() as IterableIterator<Phase1Agent>) {
        agentsReport.read++;
        const legacyId = String(a.id);
        const { id } = importedId(ctx.kind, projectId, 'agents', legacyId);
        agentIds.set(legacyId, id);
        const config: Record<string, unknown> = { legacy_id: legacyId, legacy_source: ctx.kind };
        const status = agentStatus(ctx, a.status, 'agents', legacyId, config);
        const caps = agentCapabilities(ctx, a.capabilities, 'agents', legacyId, config);
        const row: AgentRow = {
          id,
          legacyId,
          sourceTable: 'agents',
          projectId,
          name: await ctx.uniqueName(
            projectId,
            id,
            a.name?.trim() ? a.name : `Agent ${legacyId}`,
            'agents',
            legacyId,
          ),
          agentType: a.agent_type || 'generic',
          status,
          capabilities: caps.names,
          config,
          systemPrompt: a.system_prompt,
          modelProvider: a.model_provider,
          modelName: a.model_name,
          isActive: true,
          createdAt: ctx.time(a.created_at, 'agents', legacyId, 'created_at', true),
          updatedAt: null,
          details: caps.details,
        };
        row.updatedAt = ctx.time(a.updated_at, 'agents', legacyId, 'updated_at') ?? row.createdAt;
        await agents.push(row);
        bar.advance(1);
      }
      await agents.flush();
    } catch (error) {
      sqliteReadError(path, error);
    } finally {
      bar.stop();
    }

    const tasksReport = ctx.report.table('tasks');
    bar = ctx.progress.start('tasks', countOf(db, 'tasks'));
    const tasks = taskBatch(ctx);
    let orphans: Parameters<ImportContext['ensurePlaceholders']>[0] = [];
    try {
      for (const t of db
        .prepare('SELECT * FROM tasks ORDER BY rowid')
        .iterate() as IterableIterator<Phase1Task>) {
        tasksReport.read++;
        const legacyId = String(t.id);
        const { id } = importedId(ctx.kind, projectId, 'tasks', legacyId);
        const legacy: Record<string, unknown> = { id: legacyId, source: ctx.kind };
        const values = taskValues(ctx, 'tasks', legacyId, t, legacy);
        let assignee: string | null = null;
        if (t.assigned_agent_id !== null && t.assigned_agent_id !== undefined) {
          const ref = String(t.assigned_agent_id);
          assignee = agentIds.get(ref) ?? null;
          if (!assignee && ref.trim() === '') {
            legacy['assigned_agent_id'] = ref;
            tasksReport.nulled++;
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
            // Phase-1 ids are free text, so any non-empty one can still name an agent: it gets a placeholder.
            assignee = importedId(ctx.kind, projectId, 'agents', ref).id;
            orphans.push({
              id: assignee,
              projectId,
              legacyId: ref,
              sourceTable: 'tasks',
              rowId: legacyId,
              field: 'assigned_agent_id',
            });
          }
        }
        const createdAt = ctx.time(t.created_at, 'tasks', legacyId, 'created_at', true);
        await tasks.push({
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
          updatedAt: ctx.time(t.updated_at, 'tasks', legacyId, 'updated_at') ?? createdAt,
        });
        // Placeholders go in before the batch that references them is written.
        if (orphans.length >= 1) {
          await ctx.ensurePlaceholders(orphans);
          orphans = [];
        }
        bar.advance(1);
      }
      await tasks.flush();
    } catch (error) {
      sqliteReadError(path, error);
    } finally {
      bar.stop();
    }
  } finally {
    db.close();
  }
}
