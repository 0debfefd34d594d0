import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { ProjectScope } from '@agenthub/auth';
import {
  AGENT_AVAILABLE_SQL,
  AGENT_CAPABILITY_NAMES_SQL,
  AGENT_MEAN_CONFIDENCE_SQL,
} from '@agenthub/agents';
import { pagedQuery, PreparedStatements } from '@agenthub/database';
import { Task } from './entities/task.entity';
import type { DependencyEdge } from './task-graph';
import { TaskStatus, transitionSql } from './task-lifecycle';
import type { TaskPriority } from './task-priority';
import type { AssigneeType } from './dto/assign-task.dto';
import type { TaskSort } from './dto/list-tasks-query.dto';

/** The columns of a task as the entity maps them (not the generated search/rank columns). */
export const COLUMNS = `t.id, t.project_id, t.room_id, t.workflow_id, t.workflow_execution_id, t.step_key, t.on_dependency_failure, t.inputs, t.step_order, t.title, t.description, t.status, t.priority,
  t.assigned_agent_id, t.assigned_user_id, t.created_by_user_id, t.created_by_agent_id, t.required_capabilities, t.result, t.parts,
  t.attempts, t.max_attempts, t.lease_expires_at, t.version, t.due_date, t.started_at, t.completed_at, t.created_at, t.updated_at`;

const ORDER_BY: Record<TaskSort, string> = {
  created_at: 't.created_at ASC, t.id ASC',
  '-created_at': 't.created_at DESC, t.id DESC',
  priority: 't.priority_rank DESC, t.created_at ASC, t.step_order ASC, t.id ASC',
  '-priority': 't.priority_rank ASC, t.created_at ASC, t.id ASC',
  due_date: 't.due_date ASC NULLS LAST, t.created_at ASC, t.id ASC',
  '-due_date': 't.due_date DESC NULLS LAST, t.created_at ASC, t.id ASC',
};

/**
 * Whether dependency `dep` still holds task `t` back: it is not completed, unless `t` is a
 * workflow step that continues past a failed or cancelled dependency. The one rule claim,
 * the start of a task and the workflow engine's readiness share. (Plain tasks have no policy:
 * the coalesce keeps a NULL from making the whole condition NULL, which NOT EXISTS would read
 * as "nothing holds it back".)
 */
export const UNSATISFIED_DEPENDENCY_SQL = `dep.status <> 'completed' AND NOT (coalesce(t.on_dependency_failure, 'cancel') = 'continue' AND dep.status IN ('failed', 'cancelled'))`;

/** A RETURNING (or SELECT) list: the task's columns and its dependency ids, oldest first. */
export const COLUMNS_WITH_DEPENDENCIES = `${COLUMNS},
  ARRAY(SELECT d.depends_on_id FROM task_dependencies d JOIN tasks dep ON dep.id = d.depends_on_id
        WHERE d.task_id = t.id ORDER BY dep.created_at, dep.id) AS dependencies`;

/**
 * A row of {@link COLUMNS} as a detached {@link Task} (not in the unit of work): for rows a
 * statement has already written, which are only answered with, never flushed. `parseDate`:
 * the platform's (the driver hands timestamps over as text).
 */
function detachedTask(row: Record<string, unknown>, parseDate: (value: string) => Date): Task {
  const date = (value: unknown): Date | null =>
    value == null ? null : value instanceof Date ? value : parseDate(value as string);
  const task = new Task();
  task.id = row['id'] as string;
  task.projectId = row['project_id'] as string;
  task.roomId = row['room_id'] as string | null;
  task.workflowId = row['workflow_id'] as string | null;
  task.workflowExecutionId = row['workflow_execution_id'] as string | null;
  task.stepKey = row['step_key'] as string | null;
  task.onDependencyFailure = row['on_dependency_failure'] as Task['onDependencyFailure'];
  task.inputs = row['inputs'] as Task['inputs'];
  task.stepOrder = row['step_order'] as number | null;
  task.title = row['title'] as string;
  task.description = row['description'] as string | null;
  task.status = row['status'] as TaskStatus;
  task.priority = row['priority'] as Task['priority'];
  task.assignedAgentId = row['assigned_agent_id'] as string | null;
  task.assignedUserId = row['assigned_user_id'] as string | null;
  task.createdByUserId = row['created_by_user_id'] as string | null;
  task.createdByAgentId = row['created_by_agent_id'] as string | null;
  task.requiredCapabilities = row['required_capabilities'] as string[];
  task.result = row['result'] as Task['result'];
  task.parts = row['parts'] as Task['parts'];
  task.attempts = row['attempts'] as number;
  task.maxAttempts = row['max_attempts'] as number;
  task.leaseExpiresAt = date(row['lease_expires_at']);
  task.version = row['version'] as number;
  task.dueDate = date(row['due_date']);
  task.startedAt = date(row['started_at']);
  task.completedAt = date(row['completed_at']);
  task.createdAt = date(row['created_at']) as Date;
  task.updatedAt = date(row['updated_at']) as Date;
  return task;
}

/** A status change of an agent's own task, made in one statement ({@link TaskRepository.moveAssigned}). */
export interface AssignedMove {
  taskId: string;
  agentId: string;
  projectId: string;
  to: TaskStatus;
  /** The new result (`null` clears it); undefined: kept. */
  result?: Record<string, unknown> | null;
  /** The version the caller read, when it gave one. */
  version?: number;
  now: Date;
}

export interface TaskListFilter {
  /** Which projects the list may draw from. */
  scope: ProjectScope;
  status?: TaskStatus;
  priority?: TaskPriority;
  assignedTo?: string;
  assignedToType?: AssigneeType;
  roomId?: string;
  workflowId?: string;
  q?: string;
  sort?: TaskSort;
  limit: number;
  offset: number;
}

export interface ClaimRequest {
  agentId: string;
  projectId: string;
  /** What the claimed task may require; `null`: whatever the agent's registry entry lists. */
  capabilities: string[] | null;
  leaseSeconds: number;
}

export interface OpenDependency {
  id: string;
  title: string;
  status: TaskStatus;
}

/**
 * The SQL of tasks that the unit of work does not express: the dependency graph, lists
 * with full-text search, and claiming and leases (row locks, SKIP LOCKED, the database's
 * clock). Rows come back as {@link Task} entities (`em.map`), so one mapping serves all.
 */
@Injectable()
export class TaskRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly statements: PreparedStatements,
  ) {}

  private detached(row: Record<string, unknown>): Task {
    const platform = this.em.getPlatform();
    return detachedTask(row, (value) => platform.parseDate(value));
  }

  private toEntities(rows: Record<string, unknown>[]): Task[] {
    return rows.map((row) => this.em.map(Task, row));
  }

  /**
   * The task (a managed entity, for the unit of work to update), its project's owner (for
   * the access policy) and its dependency ids: what a PATCH needs, in one round trip.
   */
  async findForUpdate(
    id: string,
  ): Promise<{ task: Task; projectOwnerId: string; dependencies: string[] } | null> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `SELECT ${COLUMNS}, p.owner_id AS project_owner_id,
         ARRAY(SELECT d.depends_on_id FROM task_dependencies d JOIN tasks dep ON dep.id = d.depends_on_id
               WHERE d.task_id = t.id ORDER BY dep.created_at, dep.id) AS dependencies
       FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.id = ?`,
      [id],
    );
    if (rows.length === 0) return null;
    const { project_owner_id: projectOwnerId, dependencies, ...row } = rows[0];
    return {
      task: this.toEntities([row])[0],
      projectOwnerId: projectOwnerId as string,
      dependencies: dependencies as string[],
    };
  }

  /**
   * Moves an agent's own task to `move.to` in one statement, when nothing stands in the way:
   * the task is the agent's (assigned to it, in its project), not a workflow step (those lock
   * their execution first: TaskStepHooks), in a status it may legally leave for `to`
   * ({@link transitionSql}, the lifecycle's one table), and still at the version read (and
   * at `move.version` when given). The optimistic check `t.version = b.version` makes the move
   * happen once: a concurrent change of the row (PostgreSQL re-checks the condition on the
   * newest row version after waiting for its lock) leaves this UPDATE with no row.
   *
   * Answers the row as it was before (with its project's owner and its dependencies), and
   * whether the move was made; `null` when there is no such task. When it was not, nothing
   * was written and the caller takes the general path, which says why.
   */
  async moveAssigned(move: AssignedMove): Promise<{
    task: Task;
    projectOwnerId: string;
    dependencies: string[];
    moved: boolean;
  } | null> {
    const transition = transitionSql(move.to, { now: move.now }, 't');
    const rows = await this.statements.all<Record<string, unknown>>(
      this.em,
      `WITH b AS (
         SELECT ${COLUMNS}, p.owner_id AS project_owner_id,
           ARRAY(SELECT d.depends_on_id FROM task_dependencies d JOIN tasks dep ON dep.id = d.depends_on_id
                 WHERE d.task_id = t.id ORDER BY dep.created_at, dep.id) AS dependencies
         FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.id = ?
       ), moved AS (
         UPDATE tasks t SET ${transition.set},
           result = CASE WHEN ?::boolean THEN ?::jsonb ELSE t.result END,
           version = t.version + 1, updated_at = ?
         FROM b
         WHERE t.id = b.id AND t.version = b.version AND t.status = ANY(?::text[])
           AND t.workflow_execution_id IS NULL AND t.assigned_agent_id = ? AND t.project_id = ?
           ${move.version === undefined ? '' : 'AND t.version = ?'}
         RETURNING t.id
       )
       SELECT b.*, EXISTS (SELECT 1 FROM moved) AS moved FROM b`,
      [
        move.taskId,
        ...transition.params,
        move.result !== undefined,
        move.result == null ? null : JSON.stringify(move.result),
        move.now,
        `{${transition.from.join(',')}}`,
        move.agentId,
        move.projectId,
        ...(move.version === undefined ? [] : [move.version]),
      ],
    );
    if (rows.length === 0) return null;
    const { project_owner_id: projectOwnerId, dependencies, moved, ...row } = rows[0];
    return {
      task: this.detached(row),
      projectOwnerId: projectOwnerId as string,
      dependencies: dependencies as string[],
      moved: moved === true,
    };
  }

  /** Dependency ids of each task (tasks without any are absent from the map). */
  async dependenciesOf(taskIds: readonly string[]): Promise<Map<string, string[]>> {
    const byTask = new Map<string, string[]>();
    if (taskIds.length === 0) return byTask;
    const rows = await this.em.execute<{ task_id: string; depends_on_id: string }[]>(
      `SELECT d.task_id, d.depends_on_id FROM task_dependencies d JOIN tasks dep ON dep.id = d.depends_on_id
       WHERE d.task_id IN (?) ORDER BY dep.created_at, dep.id`,
      [taskIds],
    );
    for (const { task_id, depends_on_id } of rows) {
      const list = byTask.get(task_id);
      if (list) list.push(depends_on_id);
      else byTask.set(task_id, [depends_on_id]);
    }
    return byTask;
  }

  /**
   * Serialises changes to one project's dependency graph until the transaction ends: the
   * cycle check and the insert of the edges it approved must not interleave with another
   * request's (A→B and B→A at the same time would each see no cycle). Also taken by
   * deletes, so "nobody depends on it" stays true until the row is gone. Needs a transaction.
   */
  async lockProjectGraph(projectId: string): Promise<void> {
    await this.em.execute(
      `SELECT pg_advisory_xact_lock(hashtextextended('agenthub.task_graph:' || ?, 0))`,
      [projectId],
    );
  }

  /** Those of `ids` that are not tasks of `projectId` (missing, or in another project). */
  async notInProject(projectId: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.em.execute<{ id: string }[]>(
      `SELECT id FROM tasks WHERE project_id = ? AND id IN (?)`,
      [projectId, ids],
    );
    const found = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !found.has(id));
  }

  /**
   * Every edge reachable from `from` along "depends on", within one project: the part of
   * the graph a new edge task → from[i] could close a cycle through. Reachability with
   * UNION (not UNION ALL, and no path column) visits each edge once, so this is linear in
   * the reachable subgraph even for dense DAGs where the number of paths explodes; naming
   * the cycle is left to `findCycle` on these edges.
   */
  async reachableEdges(projectId: string, from: readonly string[]): Promise<DependencyEdge[]> {
    if (from.length === 0) return [];
    const rows = await this.em.execute<{ task_id: string; depends_on_id: string }[]>(
      `WITH RECURSIVE reach(task_id, depends_on_id) AS (
         SELECT d.task_id, d.depends_on_id FROM task_dependencies d WHERE d.project_id = ? AND d.task_id IN (?)
         UNION
         SELECT d.task_id, d.depends_on_id FROM reach r JOIN task_dependencies d ON d.task_id = r.depends_on_id
       )
       SELECT task_id, depends_on_id FROM reach`,
      [projectId, from],
    );
    return rows.map((r) => [r.task_id, r.depends_on_id] as const);
  }

  /** Makes `ids` exactly the dependencies of the task. */
  async replaceDependencies(
    projectId: string,
    taskId: string,
    ids: readonly string[],
  ): Promise<void> {
    // (An array bound to one `?` expands to a list: `IN (?)` and `ARRAY[?]` rely on that.)
    if (ids.length === 0) {
      await this.em.execute(`DELETE FROM task_dependencies WHERE task_id = ?`, [taskId], 'run');
      return;
    }
    await this.em.execute(
      `DELETE FROM task_dependencies WHERE task_id = ? AND depends_on_id NOT IN (?)`,
      [taskId, ids],
      'run',
    );
    await this.em.execute(
      `INSERT INTO task_dependencies (project_id, task_id, depends_on_id)
       SELECT ?, ?, dep FROM unnest(ARRAY[?]::uuid[]) AS dep ON CONFLICT DO NOTHING`,
      [projectId, taskId, ids],
      'run',
    );
  }

  /**
   * Dependencies that still hold the task back ({@link UNSATISFIED_DEPENDENCY_SQL}). With
   * `lock`, the others are share-locked until the transaction ends, so none is reopened while
   * the task starts.
   */
  async openDependencies(taskId: string, lock = false): Promise<OpenDependency[]> {
    const rows = await this.em.execute<(OpenDependency & { done: boolean })[]>(
      `SELECT dep.id, dep.title, dep.status, NOT (${UNSATISFIED_DEPENDENCY_SQL}) AS done
       FROM task_dependencies d JOIN tasks dep ON dep.id = d.depends_on_id JOIN tasks t ON t.id = d.task_id
       WHERE d.task_id = ? ORDER BY dep.created_at, dep.id ${lock ? 'FOR SHARE OF dep' : ''}`,
      [taskId],
    );
    return rows.filter((r) => !r.done).map(({ id, title, status }) => ({ id, title, status }));
  }

  /** Tasks that depend on this one. */
  async dependents(taskId: string): Promise<string[]> {
    const rows = await this.em.execute<{ task_id: string }[]>(
      `SELECT d.task_id FROM task_dependencies d JOIN tasks t ON t.id = d.task_id
       WHERE d.depends_on_id = ? ORDER BY t.created_at, t.id`,
      [taskId],
    );
    return rows.map((r) => r.task_id);
  }

  /** A page of tasks and how many match in all. */
  async list(filter: TaskListFilter): Promise<{ tasks: Task[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.scope.kind === 'projects') {
      if (filter.scope.projectIds.length === 0) return { tasks: [], total: 0 };
      where.push('t.project_id IN (?)');
      params.push(filter.scope.projectIds);
    }
    if (filter.status !== undefined) {
      where.push('t.status = ?');
      params.push(filter.status);
    }
    if (filter.priority !== undefined) {
      where.push('t.priority = ?');
      params.push(filter.priority);
    }
    if (filter.assignedTo !== undefined) {
      if (filter.assignedToType === 'agent') where.push('t.assigned_agent_id = ?');
      else if (filter.assignedToType === 'user') where.push('t.assigned_user_id = ?');
      else where.push('coalesce(t.assigned_agent_id, t.assigned_user_id) = ?');
      params.push(filter.assignedTo);
    } else if (filter.assignedToType !== undefined) {
      where.push(
        filter.assignedToType === 'agent'
          ? 't.assigned_agent_id IS NOT NULL'
          : 't.assigned_user_id IS NOT NULL',
      );
    }
    if (filter.roomId !== undefined) {
      where.push('t.room_id = ?');
      params.push(filter.roomId);
    }
    if (filter.workflowId !== undefined) {
      where.push('t.workflow_id = ?');
      params.push(filter.workflowId);
    }
    let rank = '';
    const rankParams: unknown[] = [];
    if (filter.q !== undefined) {
      where.push(`t.search_vector @@ websearch_to_tsquery('english', ?)`);
      params.push(filter.q);
      rank = `, ts_rank(t.search_vector, websearch_to_tsquery('english', ?)) AS search_rank`;
      rankParams.push(filter.q);
    }
    const orderBy = filter.sort
      ? ORDER_BY[filter.sort]
      : filter.q !== undefined
        ? 'search_rank DESC, t.created_at DESC, t.id DESC'
        : ORDER_BY['-created_at'];
    const { rows, total } = await pagedQuery<Record<string, unknown>>(this.em, {
      select: `${COLUMNS}${rank}`,
      selectParams: rankParams,
      from: `FROM tasks t ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
      fromParams: params,
      orderBy,
      limit: filter.limit,
      offset: filter.offset,
    });
    return { tasks: this.toEntities(rows.map(({ search_rank: _r, ...row }) => row)), total };
  }

  /**
   * Hands the agent the best claimable task of the project, or `null`: pending; not
   * assigned to a user or to another agent; every dependency completed; every required
   * capability covered. Best = highest priority, then oldest, then the lowest step_order (the
   * steps of a workflow execution are created at one instant), then id.
   *
   * One statement: the candidate row is locked with FOR UPDATE SKIP LOCKED, so concurrent
   * claimers (in this process or in any other API process on the database) skip it instead
   * of waiting for it or taking it too; and the status is re-checked on the locked row, so a
   * task another claimer has just committed as in_progress is skipped as well. (The use of
   * the capabilities a task required is counted when it ends, with its outcome: the
   * performance recorder.)
   *
   * With `unlessExpiredLeases`, the statement first looks for in_progress tasks of the
   * project whose lease ran out and, when there are any, claims nothing and answers
   * `'expired_leases'`: the caller takes those back and claims again. So the lazy lease
   * sweep costs no statement of its own when there is nothing to take back.
   */
  async claim(
    request: ClaimRequest,
    options: { unlessExpiredLeases?: boolean } = {},
  ): Promise<{ task: Task; dependencies: string[] } | 'expired_leases' | null> {
    const capabilities = request.capabilities === null ? AGENT_CAPABILITY_NAMES_SQL : `?::jsonb`;
    const guard = options.unlessExpiredLeases === true;
    const rows = await this.statements.all<Record<string, unknown>>(
      this.em,
      `WITH ${
        guard
          ? `expired AS (
         SELECT EXISTS (SELECT 1 FROM tasks x
           WHERE x.project_id = ? AND x.status = 'in_progress' AND x.lease_expires_at < now()) AS found
       ), `
          : ''
      }candidate AS (
         SELECT t.id FROM tasks t
         WHERE ${guard ? 'NOT (SELECT found FROM expired) AND ' : ''}t.project_id = ? AND t.status = 'pending' AND t.assigned_user_id IS NULL
           AND (t.assigned_agent_id IS NULL OR t.assigned_agent_id = ?)
           AND t.required_capabilities <@ ${capabilities}
           AND NOT EXISTS (
             SELECT 1 FROM task_dependencies d JOIN tasks dep ON dep.id = d.depends_on_id
             WHERE d.task_id = t.id AND ${UNSATISFIED_DEPENDENCY_SQL})
         ORDER BY t.priority_rank DESC, t.created_at, t.step_order, t.id
         LIMIT 1
         FOR UPDATE OF t SKIP LOCKED
       )
       , claimed AS (
         UPDATE tasks t SET status = 'in_progress', assigned_agent_id = ?, started_at = now(), completed_at = NULL,
           attempts = t.attempts + 1, lease_expires_at = now() + make_interval(secs => ?),
           version = t.version + 1, updated_at = now()
         FROM candidate WHERE t.id = candidate.id
         RETURNING ${COLUMNS_WITH_DEPENDENCIES}
       )
       ${guard ? 'SELECT expired.found AS expired_leases, claimed.* FROM expired LEFT JOIN claimed ON true' : 'SELECT * FROM claimed'}`,
      [
        ...(guard ? [request.projectId] : []),
        // candidate
        request.projectId,
        request.agentId,
        request.capabilities === null ? request.agentId : JSON.stringify(request.capabilities),
        // claimed
        request.agentId,
        request.leaseSeconds,
      ],
    );
    if (rows.length === 0) return null;
    const { dependencies, expired_leases: expiredLeases, ...row } = rows[0];
    if (expiredLeases === true) return 'expired_leases';
    // (Guarded, the answer is one row even when nothing was claimed: the left join's nulls.)
    if (row['id'] === null || row['id'] === undefined) return null;
    // (The claim answer needs the dependencies too: fetched in the same round trip.)
    return { task: this.detached(row), dependencies: dependencies as string[] };
  }

  /**
   * Takes back in_progress tasks whose lease has run out (at most `limit`, optionally of one
   * project): to pending, unassigned, for the next claimer; or, once `attempts` has reached
   * `max_attempts`, to failed with `result.error = "lease expired"`; `attempts` is kept
   * either way. These two moves belong to the system: PATCH cannot make them. Rows another
   * transaction holds are skipped (that one is finishing or extending the task right now).
   * Each row comes back with the agent that held the lease (the move unassigns it).
   */
  async requeueExpired(options: {
    projectId?: string;
    limit: number;
    /**
     * Workflow steps fail here only when their execution is one of these (locked by the
     * caller, as the lock order wants: TaskStepHooks); the others wait for a later round.
     */
    failingStepExecutions: readonly string[];
  }): Promise<{ task: Task; dependencies: string[]; leaseHolderId: string | null }[]> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `WITH expired AS (
         SELECT id, assigned_agent_id FROM tasks
         WHERE lease_expires_at < now() AND status = 'in_progress' ${options.projectId ? 'AND project_id = ?' : ''}
           AND (workflow_execution_id IS NULL OR attempts < max_attempts OR workflow_execution_id = ANY(?::uuid[]))
         ORDER BY lease_expires_at
         LIMIT ?
         FOR UPDATE SKIP LOCKED
       )
       UPDATE tasks t SET
         status = CASE WHEN t.attempts >= t.max_attempts THEN 'failed' ELSE 'pending' END,
         started_at = CASE WHEN t.attempts >= t.max_attempts THEN t.started_at END,
         completed_at = CASE WHEN t.attempts >= t.max_attempts THEN now() END,
         result = CASE WHEN t.attempts >= t.max_attempts
           THEN coalesce(t.result, '{}'::jsonb) || jsonb_build_object('error', 'lease expired') ELSE t.result END,
         assigned_agent_id = NULL,
         lease_expires_at = NULL,
         version = t.version + 1,
         updated_at = now()
       FROM expired WHERE t.id = expired.id
       RETURNING ${COLUMNS_WITH_DEPENDENCIES}, expired.assigned_agent_id AS lease_holder_id`,
      [
        ...(options.projectId ? [options.projectId] : []),
        `{${options.failingStepExecutions.join(',')}}`,
        options.limit,
      ],
    );
    // (The whole task, for the task.updated event of each.)
    return rows.map(({ dependencies, lease_holder_id, ...row }) => ({
      task: this.toEntities([row])[0],
      dependencies: dependencies as string[],
      leaseHolderId: lease_holder_id as string | null,
    }));
  }

  /**
   * The workflow executions whose steps an expired lease is about to fail (attempts used
   * up): the lease sweep locks them before it touches those steps.
   */
  async expiringStepExecutions(options: { projectId?: string; limit: number }): Promise<string[]> {
    const rows = await this.em.execute<{ id: string }[]>(
      `SELECT DISTINCT workflow_execution_id AS id FROM tasks
       WHERE lease_expires_at < now() AND status = 'in_progress' AND attempts >= max_attempts
         AND workflow_execution_id IS NOT NULL ${options.projectId ? 'AND project_id = ?' : ''}
       LIMIT ?`,
      options.projectId ? [options.projectId, options.limit] : [options.limit],
    );
    return rows.map((r) => r.id).sort();
  }

  /**
   * The agent of the project most likely to do work that requires `capabilities` well: among
   * the available ones (AGENT_AVAILABLE_SQL) that have every one of them, the highest mean
   * confidence over them, then the fewest tasks in progress, then the name (then the id, so
   * the choice is always the same). `null` when none is eligible.
   */
  async bestAgentFor(
    projectId: string,
    capabilities: readonly string[],
    heartbeatTimeoutSeconds: number,
  ): Promise<{ id: string; name: string } | null> {
    const names = JSON.stringify([...new Set(capabilities)]);
    const rows = await this.em.execute<{ id: string; name: string }[]>(
      `SELECT a.id, a.name FROM agents a
       WHERE a.project_id = ? AND ${AGENT_AVAILABLE_SQL} AND a.capabilities @> ?::jsonb
       ORDER BY ${AGENT_MEAN_CONFIDENCE_SQL} DESC,
         (SELECT count(*) FROM tasks t WHERE t.assigned_agent_id = a.id AND t.status = 'in_progress') ASC,
         a.name ASC, a.id ASC
       LIMIT 1`,
      [projectId, heartbeatTimeoutSeconds, names, names],
    );
    return rows[0] ?? null;
  }

  /** Moves the lease of an in_progress task held by `agentId`; `null` when it holds none. */
  async extendLease(taskId: string, agentId: string, seconds: number): Promise<Task | null> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `UPDATE tasks t SET lease_expires_at = now() + make_interval(secs => ?), version = t.version + 1, updated_at = now()
       WHERE t.id = ? AND t.status = 'in_progress' AND t.assigned_agent_id = ?
       RETURNING ${COLUMNS}`,
      [seconds, taskId, agentId],
    );
    return rows.length ? this.toEntities(rows)[0] : null;
  }
}
