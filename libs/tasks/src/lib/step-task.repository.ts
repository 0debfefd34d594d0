import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Task } from './entities/task.entity';
import { COLUMNS_WITH_DEPENDENCIES, UNSATISFIED_DEPENDENCY_SQL } from './task.repository';
import type { DependencyFailurePolicy, TaskStatus } from './task-lifecycle';
import type { TaskPriority } from './task-priority';
import { toTaskResponse, TaskResponseDto } from './dto/task-response.dto';

/** One step of a new execution, as a task to insert. */
export interface NewStepTask {
  id: string;
  stepKey: string;
  stepOrder: number;
  title: string;
  description: string | null;
  priority: TaskPriority;
  requiredCapabilities: string[];
  maxAttempts: number;
  onDependencyFailure: DependencyFailurePolicy;
  /** Ids (of tasks of this same batch) the step waits for. */
  dependsOn: string[];
}

export interface ExecutionScope {
  projectId: string;
  workflowId: string;
  executionId: string;
  contextData: Record<string, unknown>;
  createdBy: { userId: string | null; agentId: string | null };
}

/** A step's place and state, for an execution's `steps` and status. */
export interface StepState {
  executionId: string;
  key: string;
  taskId: string;
  status: TaskStatus;
  stepOrder: number;
  result: Record<string, unknown> | null;
}

/**
 * The SQL of workflow steps on the tasks table: how an execution's tasks are created,
 * cancelled, cascaded, handed their inputs and reset. The workflow engine calls these with
 * the execution's row locked (so each runs once per change); every method returns the tasks
 * it changed as REST shows them, for their `task.updated` events. The status moves are the
 * lifecycle's (task-lifecycle.ts): to a final status stamps completed_at and ends the lease;
 * back to pending clears both times and the attempt count.
 */
@Injectable()
export class StepTaskRepository {
  constructor(private readonly em: EntityManager) {}

  private toResponses(rows: Record<string, unknown>[]): TaskResponseDto[] {
    return rows.map(({ dependencies, ...row }) =>
      toTaskResponse(this.em.map(Task, row), dependencies as string[]),
    );
  }

  /**
   * Inserts every step of a new execution with its dependency edges: two statements
   * whatever the number of steps. Each step's `inputs` starts as `{context}`.
   */
  async insertSteps(
    scope: ExecutionScope,
    steps: readonly NewStepTask[],
  ): Promise<TaskResponseDto[]> {
    const inputs = JSON.stringify({ context: scope.contextData });
    const rows = steps.map((s) => ({
      id: s.id,
      step_key: s.stepKey,
      step_order: s.stepOrder,
      title: s.title,
      description: s.description,
      priority: s.priority,
      required_capabilities: s.requiredCapabilities,
      max_attempts: s.maxAttempts,
      on_dependency_failure: s.onDependencyFailure,
    }));
    await this.em.execute(
      `INSERT INTO tasks (id, project_id, workflow_id, workflow_execution_id, step_key, step_order, title,
         description, priority, required_capabilities, max_attempts, on_dependency_failure, inputs,
         created_by_user_id, created_by_agent_id)
       SELECT x.id, ?, ?, ?, x.step_key, x.step_order, x.title, x.description, x.priority,
         x.required_capabilities, x.max_attempts, x.on_dependency_failure, ?::jsonb, ?, ?
       FROM jsonb_to_recordset(?::jsonb) AS x(id uuid, step_key text, step_order integer, title text,
         description text, priority text, required_capabilities jsonb, max_attempts integer,
         on_dependency_failure text)`,
      [
        scope.projectId,
        scope.workflowId,
        scope.executionId,
        inputs,
        scope.createdBy.userId,
        scope.createdBy.agentId,
        JSON.stringify(rows),
      ],
      'run',
    );
    const edges = steps.flatMap((s) =>
      s.dependsOn.map((on) => ({ task_id: s.id, depends_on_id: on })),
    );
    if (edges.length > 0) {
      await this.em.execute(
        `INSERT INTO task_dependencies (project_id, task_id, depends_on_id)
         SELECT ?, x.task_id, x.depends_on_id FROM jsonb_to_recordset(?::jsonb) AS x(task_id uuid, depends_on_id uuid)`,
        [scope.projectId, JSON.stringify(edges)],
        'run',
      );
    }
    const created = await this.em.execute<Record<string, unknown>[]>(
      `SELECT ${COLUMNS_WITH_DEPENDENCIES} FROM tasks t WHERE t.workflow_execution_id = ? ORDER BY t.step_order, t.step_key`,
      [scope.executionId],
    );
    return this.toResponses(created);
  }

  /**
   * How far the execution is, without reading its steps: how many are not final yet, and
   * the lowest step_order among those (null once none is open). One aggregate over the
   * execution's tasks, which is what every step's completion asks.
   */
  async progress(executionId: string): Promise<{ open: number; currentStep: number | null }> {
    const [row] = await this.em.execute<{ open: string; current_step: number | null }[]>(
      `SELECT count(*) FILTER (WHERE status NOT IN ('completed', 'failed', 'cancelled')) AS open,
              min(step_order) FILTER (WHERE status NOT IN ('completed', 'failed', 'cancelled')) AS current_step
       FROM tasks WHERE workflow_execution_id = ?`,
      [executionId],
    );
    return { open: Number(row.open), currentStep: row.current_step };
  }

  /** Every step of these executions, in step order. */
  async states(executionIds: readonly string[]): Promise<Map<string, StepState[]>> {
    const byExecution = new Map<string, StepState[]>(executionIds.map((id) => [id, []]));
    if (executionIds.length === 0) return byExecution;
    const rows = await this.em.execute<
      {
        workflow_execution_id: string;
        step_key: string;
        id: string;
        status: TaskStatus;
        step_order: number;
        result: Record<string, unknown> | null;
      }[]
    >(
      `SELECT workflow_execution_id, step_key, id, status, step_order, result FROM tasks
       WHERE workflow_execution_id IN (?) ORDER BY step_order, step_key`,
      [executionIds],
    );
    for (const r of rows) {
      byExecution.get(r.workflow_execution_id)?.push({
        executionId: r.workflow_execution_id,
        key: r.step_key,
        taskId: r.id,
        status: r.status,
        stepOrder: r.step_order,
        result: r.result,
      });
    }
    return byExecution;
  }

  /**
   * The failure policy: every pending step with `on_dependency_failure = 'cancel'` that has a
   * failed or cancelled dependency is cancelled, and so on down the graph (a cancelled step
   * is a cancelled dependency for its own dependents). Steps that `continue` are left alone.
   */
  async cascadeFailures(executionId: string): Promise<TaskResponseDto[]> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `WITH RECURSIVE doomed(id) AS (
         SELECT c.id FROM tasks p
           JOIN task_dependencies d ON d.depends_on_id = p.id
           JOIN tasks c ON c.id = d.task_id
         WHERE p.workflow_execution_id = ? AND p.status IN ('failed', 'cancelled')
           AND c.status = 'pending' AND c.on_dependency_failure = 'cancel'
         UNION
         SELECT c.id FROM doomed
           JOIN task_dependencies d ON d.depends_on_id = doomed.id
           JOIN tasks c ON c.id = d.task_id
         WHERE c.status = 'pending' AND c.on_dependency_failure = 'cancel'
       )
       UPDATE tasks t SET status = 'cancelled', completed_at = now(), lease_expires_at = NULL,
         version = t.version + 1, updated_at = now()
       FROM doomed WHERE t.id = doomed.id
       RETURNING ${COLUMNS_WITH_DEPENDENCIES}`,
      [executionId],
    );
    return this.toResponses(rows);
  }

  /**
   * Hands their parents' outcomes to those of `candidates` (task ids, or the dependents of
   * `dependentsOf`) that are pending and now ready to run (no dependency holds them back,
   * {@link UNSATISFIED_DEPENDENCY_SQL}): `inputs` becomes `{context, <key>: <result>, …}`, where
   * a dependency that did not complete shows as `{status, result}`. Written in the transaction
   * that made the last dependency final, so a step is never claimable without its inputs.
   */
  async refreshInputs(
    executionId: string,
    candidates: { ids: readonly string[] } | { dependentsOf: readonly string[] },
  ): Promise<TaskResponseDto[]> {
    const ids = 'ids' in candidates ? candidates.ids : candidates.dependentsOf;
    if (ids.length === 0) return [];
    const which =
      'ids' in candidates
        ? 't.id IN (?)'
        : 't.id IN (SELECT d.task_id FROM task_dependencies d WHERE d.depends_on_id IN (?))';
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `WITH ready AS (
         SELECT t.id, jsonb_build_object('context', t.inputs -> 'context') || coalesce((
             SELECT jsonb_object_agg(coalesce(dep.step_key, dep.id::text),
               CASE WHEN dep.status = 'completed' THEN coalesce(dep.result, 'null'::jsonb)
                    ELSE jsonb_build_object('status', dep.status, 'result', dep.result) END)
             FROM task_dependencies d JOIN tasks dep ON dep.id = d.depends_on_id WHERE d.task_id = t.id
           ), '{}'::jsonb) AS inputs
         FROM tasks t
         WHERE t.workflow_execution_id = ? AND t.status = 'pending' AND ${which}
           AND NOT EXISTS (
             SELECT 1 FROM task_dependencies d JOIN tasks dep ON dep.id = d.depends_on_id
             WHERE d.task_id = t.id AND ${UNSATISFIED_DEPENDENCY_SQL})
       )
       UPDATE tasks t SET inputs = ready.inputs, version = t.version + 1, updated_at = now()
       FROM ready WHERE t.id = ready.id AND t.inputs IS DISTINCT FROM ready.inputs
       RETURNING ${COLUMNS_WITH_DEPENDENCIES}`,
      [executionId, ids],
    );
    return this.toResponses(rows);
  }

  /** Cancels the execution's steps that are not final yet (pending ones and those in progress). */
  async cancelOpen(executionId: string): Promise<TaskResponseDto[]> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `UPDATE tasks t SET status = 'cancelled', completed_at = now(), lease_expires_at = NULL,
         version = t.version + 1, updated_at = now()
       WHERE t.workflow_execution_id = ? AND t.status IN ('pending', 'in_progress')
       RETURNING ${COLUMNS_WITH_DEPENDENCIES}`,
      [executionId],
    );
    return this.toResponses(rows);
  }

  /**
   * A retry: the execution's failed and cancelled steps go back to pending, unassigned from
   * the agent that had them, with attempts, times and result cleared and `inputs` back to
   * `{context}` (then filled again for those already ready). Completed steps stay as they are.
   */
  async resetForRetry(executionId: string): Promise<TaskResponseDto[]> {
    const rows = await this.em.execute<{ id: string }[]>(
      `UPDATE tasks t SET status = 'pending', attempts = 0, started_at = NULL, completed_at = NULL,
         lease_expires_at = NULL, assigned_agent_id = NULL, result = NULL,
         inputs = jsonb_build_object('context', t.inputs -> 'context'),
         version = t.version + 1, updated_at = now()
       WHERE t.workflow_execution_id = ? AND t.status IN ('failed', 'cancelled')
       RETURNING t.id`,
      [executionId],
    );
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return [];
    await this.refreshInputs(executionId, { ids });
    const reset = await this.em.execute<Record<string, unknown>[]>(
      `SELECT ${COLUMNS_WITH_DEPENDENCIES} FROM tasks t WHERE t.id IN (?) ORDER BY t.step_order, t.step_key`,
      [ids],
    );
    return this.toResponses(reset);
  }
}
