import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { ProjectScope } from '@agenthub/auth';
import { pagedQuery } from '@agenthub/database';
import type { ExecutionStatus } from './entities/workflow-execution.entity';

/** An execution row as the SQL reads it. */
export interface ExecutionRow {
  id: string;
  project_id: string;
  workflow_id: string;
  workflow_version: number;
  status: ExecutionStatus;
  current_step: number | null;
  context_data: Record<string, unknown>;
  result_data: Record<string, unknown>;
  started_by_user_id: string | null;
  started_by_agent_id: string | null;
  started_at: Date;
  completed_at: Date | null;
  error_message: string | null;
}

const COLUMNS = `e.id, e.project_id, e.workflow_id, e.workflow_version, e.status, e.current_step, e.context_data,
  e.result_data, e.started_by_user_id, e.started_by_agent_id, e.started_at, e.completed_at, e.error_message`;

/** What starting an execution reads of its workflow. */
export interface WorkflowToStart {
  id: string;
  project_id: string;
  status: string;
  version: number;
}

export interface ExecutionListFilter {
  scope: ProjectScope;
  workflowId?: string;
  status?: ExecutionStatus;
  limit: number;
  offset: number;
}

/**
 * The SQL of executions. Their status only moves with the row locked (`lock`, FOR UPDATE),
 * which the engine, cancel and retry take before they touch any of the execution's tasks.
 */
@Injectable()
export class WorkflowExecutionRepository {
  /**
   * The rows this transaction holds locked, as it last read or wrote them: a step's PATCH
   * locks its execution before the task's row (TaskStepHooks' lock order) and the engine
   * needs it again after, without another round trip. Only this transaction can change a
   * row it holds, so the copy stays true until the transaction ends (and goes with it).
   */
  private readonly held = new WeakMap<object, Map<string, ExecutionRow>>();

  constructor(private readonly em: EntityManager) {}

  private heldRows(): Map<string, ExecutionRow> | undefined {
    const transaction = this.em.getTransactionContext<object>();
    if (!transaction) return undefined;
    let rows = this.held.get(transaction);
    if (!rows) this.held.set(transaction, (rows = new Map()));
    return rows;
  }

  /** Keeps a locked row's latest state for {@link lock}. */
  private hold(row: ExecutionRow | undefined): ExecutionRow {
    if (row) this.heldRows()?.set(row.id, row);
    return row as ExecutionRow;
  }

  async get(id: string): Promise<ExecutionRow | null> {
    const rows = await this.em.execute<ExecutionRow[]>(
      `SELECT ${COLUMNS} FROM workflow_executions e WHERE e.id = ?`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The execution, its row locked until the transaction ends (the serialisation point of its status). */
  async lock(id: string): Promise<ExecutionRow | null> {
    const held = this.heldRows()?.get(id);
    if (held) return held;
    const rows = await this.em.execute<ExecutionRow[]>(
      `SELECT ${COLUMNS} FROM workflow_executions e WHERE e.id = ? FOR UPDATE`,
      [id],
    );
    return rows[0] ? this.hold(rows[0]) : null;
  }

  /** Locks those of `ids` nobody else holds right now; returns their ids. */
  async lockAvailable(ids: readonly string[]): Promise<string[]> {
    const rows = await this.em.execute<{ id: string }[]>(
      `SELECT id FROM workflow_executions WHERE id IN (?) ORDER BY id FOR UPDATE SKIP LOCKED`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  /** The status, share-locked: it cannot change (a retry, an end) before the transaction ends. */
  async statusShared(id: string): Promise<ExecutionStatus | null> {
    const rows = await this.em.execute<{ status: ExecutionStatus }[]>(
      `SELECT status FROM workflow_executions WHERE id = ? FOR SHARE`,
      [id],
    );
    return rows[0]?.status ?? null;
  }

  /**
   * The workflow, share-locked so that its status (and current version) cannot change while
   * an execution of it starts.
   */
  async workflowToStart(workflowId: string): Promise<WorkflowToStart | null> {
    const rows = await this.em.execute<WorkflowToStart[]>(
      `SELECT id, project_id, status, version FROM workflows WHERE id = ? FOR SHARE`,
      [workflowId],
    );
    return rows[0] ?? null;
  }

  async workflowProject(workflowId: string): Promise<{ project_id: string } | null> {
    const rows = await this.em.execute<{ project_id: string }[]>(
      `SELECT project_id FROM workflows WHERE id = ?`,
      [workflowId],
    );
    return rows[0] ?? null;
  }

  async definitionOf(workflowId: string, version: number): Promise<unknown> {
    const rows = await this.em.execute<{ definition: unknown }[]>(
      `SELECT definition FROM workflow_versions WHERE workflow_id = ? AND version = ?`,
      [workflowId, version],
    );
    return rows[0]?.definition ?? null;
  }

  async insert(execution: {
    id: string;
    projectId: string;
    workflowId: string;
    version: number;
    contextData: Record<string, unknown>;
    startedBy: { userId: string | null; agentId: string | null };
  }): Promise<ExecutionRow> {
    const rows = await this.em.execute<ExecutionRow[]>(
      `INSERT INTO workflow_executions AS e (id, project_id, workflow_id, workflow_version, status, current_step,
         context_data, started_by_user_id, started_by_agent_id)
       VALUES (?, ?, ?, ?, 'running', 0, ?::jsonb, ?, ?)
       RETURNING ${COLUMNS}`,
      [
        execution.id,
        execution.projectId,
        execution.workflowId,
        execution.version,
        JSON.stringify(execution.contextData),
        execution.startedBy.userId,
        execution.startedBy.agentId,
      ],
    );
    return rows[0];
  }

  async setCurrentStep(id: string, currentStep: number | null): Promise<ExecutionRow> {
    const rows = await this.em.execute<ExecutionRow[]>(
      `UPDATE workflow_executions e SET current_step = ?, updated_at = now() WHERE e.id = ? RETURNING ${COLUMNS}`,
      [currentStep, id],
    );
    return this.hold(rows[0]);
  }

  /** The end of a run: completed, failed or cancelled, stamped now. */
  async finish(
    id: string,
    end: {
      status: Exclude<ExecutionStatus, 'running'>;
      resultData: object;
      errorMessage: string | null;
    },
  ): Promise<ExecutionRow> {
    const rows = await this.em.execute<ExecutionRow[]>(
      `UPDATE workflow_executions e SET status = ?, current_step = NULL, result_data = ?::jsonb, error_message = ?,
         completed_at = now(), updated_at = now()
       WHERE e.id = ? RETURNING ${COLUMNS}`,
      [end.status, JSON.stringify(end.resultData), end.errorMessage, id],
    );
    return this.hold(rows[0]);
  }

  /** Running again (a retry): the end's stamps and outcome are cleared. */
  async reopen(id: string): Promise<ExecutionRow> {
    const rows = await this.em.execute<ExecutionRow[]>(
      `UPDATE workflow_executions e SET status = 'running', result_data = '{}'::jsonb, error_message = NULL,
         completed_at = NULL, updated_at = now()
       WHERE e.id = ? RETURNING ${COLUMNS}`,
      [id],
    );
    return this.hold(rows[0]);
  }

  /** A page of executions, newest first. */
  async list(filter: ExecutionListFilter): Promise<{ rows: ExecutionRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.scope.kind === 'projects') {
      if (filter.scope.projectIds.length === 0) return { rows: [], total: 0 };
      where.push('e.project_id IN (?)');
      params.push(filter.scope.projectIds);
    }
    if (filter.workflowId !== undefined) {
      where.push('e.workflow_id = ?');
      params.push(filter.workflowId);
    }
    if (filter.status !== undefined) {
      where.push('e.status = ?');
      params.push(filter.status);
    }
    return pagedQuery<ExecutionRow>(this.em, {
      select: COLUMNS,
      from: `FROM workflow_executions e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
      fromParams: params,
      orderBy: 'e.started_at DESC, e.id DESC',
      limit: filter.limit,
      offset: filter.offset,
    });
  }
}
