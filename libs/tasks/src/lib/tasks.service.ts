import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { RequestValidationError } from '@agenthub/errors';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  ForeignKeyConstraintViolationException,
  OptimisticLockError,
  TransactionPropagation,
} from '@mikro-orm/core';
import {
  mayAccessProject,
  Principal,
  principalIds,
  Project,
  ProjectAccessPolicy,
  User,
} from '@agenthub/auth';
import { Agent } from '@agenthub/agents';
import { Page, page } from '@agenthub/http';
import { PerformanceRecorder } from '@agenthub/performance';
import { Task } from './entities/task.entity';
import { TaskRepository } from './task.repository';
import { findCycle } from './task-graph';
import { TaskLeaseSweeper } from './task-lease.sweeper';
import { TaskEvents } from './task-events';
import { TaskStepHooks } from './task-step-hooks';
import { outcomeOf } from './task-outcome';
import { applyTransition, isFinalTaskStatus, TaskStatus } from './task-lifecycle';
import {
  AgentActionForbiddenError,
  AgentFieldForbiddenError,
  AgentRequiredError,
  DependencyCycleError,
  InvalidAssigneeError,
  InvalidDependencyError,
  NoEligibleAgentError,
  NotTaskAssigneeError,
  SelfDependencyError,
  TaskBlockedError,
  TaskHasDependentsError,
  TaskNotFoundError,
  TaskNotLeasedError,
  TaskVersionConflictError,
  UnknownCapabilityError,
  WorkflowStepLockedError,
  WorkflowStepReopenError,
} from './tasks.errors';
import type { AssigneeType } from './dto/assign-task.dto';
import type { AssignTaskDto } from './dto/assign-task.dto';
import { ClaimTaskDto, DEFAULT_LEASE_SECONDS, LeaseDto } from './dto/claim-task.dto';
import type { CreateTaskDto } from './dto/create-task.dto';
import type { ListTasksQueryDto } from './dto/list-tasks-query.dto';
import type { TaskFieldsDto } from './dto/task-fields.dto';
import { AGENT_UPDATABLE_FIELDS, UpdateTaskDto } from './dto/update-task.dto';
import { TaskResponseDto, toTaskResponse } from './dto/task-response.dto';

/**
 * All or nothing, in the request's transaction when there is one (the request-transaction
 * interceptor opens one per mutating request): a savepoint would only add round trips.
 */
const JOIN_TRANSACTION = { propagation: TransactionPropagation.REQUIRED };

const toDate = (value: string | null | undefined): Date | null | undefined =>
  value === undefined ? undefined : value === null ? null : new Date(value);

/** Copies the plain fields a request gave (undefined = left as is) onto the task. */
function applyTaskFields(task: Task, fields: Partial<TaskFieldsDto>): void {
  if (fields.title !== undefined) task.title = fields.title;
  if (fields.description !== undefined) task.description = fields.description;
  if (fields.priority !== undefined) task.priority = fields.priority;
  if (fields.required_capabilities !== undefined)
    task.requiredCapabilities = fields.required_capabilities;
  if (fields.max_attempts !== undefined) task.maxAttempts = fields.max_attempts;
  if (fields.due_date !== undefined) task.dueDate = toDate(fields.due_date) ?? null;
  if (fields.room_id !== undefined) task.roomId = fields.room_id;
  if (fields.workflow_id !== undefined) task.workflowId = fields.workflow_id;
  if (fields.step_order !== undefined) task.stepOrder = fields.step_order;
}

/**
 * Tasks: CRUD, the dependency graph, the lifecycle, assignment, claiming and leases.
 *
 * Who may do what: users through the shared project policy ('read' to look, 'manage' to
 * change). Agents (API keys) read the tasks of their own project and may create tasks there
 * (an orchestrating agent splits work; `created_by` then names the agent); they change only
 * status and result of tasks assigned to themselves, cancel the tasks they created, claim
 * tasks and extend their leases; they may not delete or (re)assign tasks.
 */
@Injectable()
export class TasksService {
  constructor(
    private readonly em: EntityManager,
    private readonly tasks: TaskRepository,
    private readonly policy: ProjectAccessPolicy,
    private readonly leases: TaskLeaseSweeper,
    private readonly events: TaskEvents,
    private readonly steps: TaskStepHooks,
    private readonly performance: PerformanceRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(principal: Principal, dto: CreateTaskDto): Promise<TaskResponseDto> {
    // An agent's 'read' access is exactly its own project: where it may create tasks.
    await this.policy.assertCanAccess(
      principal,
      dto.project_id,
      principal.kind === 'agent' ? 'read' : 'manage',
    );
    const task = new Task();
    task.projectId = dto.project_id;
    applyTaskFields(task, dto);
    task.parts = dto.parts ?? null;
    const creator = principalIds(principal);
    task.createdByUserId = creator.userId;
    task.createdByAgentId = creator.agentId;
    if (dto.auto_assign) {
      await this.assignToBestAgent(task, dto, 'auto_assign');
    } else if (dto.assigned_to != null || dto.assigned_to_type !== undefined) {
      await this.applyAssignee(task, dto.assigned_to ?? null, dto.assigned_to_type);
    }
    const dependencies = dto.dependencies ?? [];

    return this.em.transactional(async (em) => {
      if (dependencies.length > 0) {
        await this.tasks.lockProjectGraph(task.projectId);
        await this.assertInProject(task.projectId, dependencies);
      }
      em.persist(task);
      await em.flush();
      // A new task has no dependents yet, so its edges cannot close a cycle.
      if (dependencies.length > 0)
        await this.tasks.replaceDependencies(task.projectId, task.id, dependencies);
      const created = await this.respond(task);
      await this.events.emit('task.created', created);
      return created;
    }, JOIN_TRANSACTION);
  }

  async list(principal: Principal, query: ListTasksQueryDto): Promise<Page<TaskResponseDto>> {
    const scope = await this.policy.listScope(principal, query.project_id);
    const { tasks, total } = await this.tasks.list({
      scope,
      status: query.status,
      priority: query.priority,
      assignedTo: query.assigned_to,
      assignedToType: query.assigned_to_type,
      roomId: query.room_id,
      workflowId: query.workflow_id,
      q: query.q,
      sort: query.sort,
      limit: query.limit,
      offset: query.offset,
    });
    const dependencies = await this.tasks.dependenciesOf(tasks.map((t) => t.id));
    return page(
      tasks.map((t) => toTaskResponse(t, dependencies.get(t.id) ?? [])),
      total,
      query,
    );
  }

  async get(principal: Principal, id: string): Promise<TaskResponseDto> {
    const task = await this.em.findOne(Task, { id });
    if (!task) throw new TaskNotFoundError();
    await this.policy.assertCanAccess(principal, task.projectId, 'read');
    return this.respond(task);
  }

  /**
   * Changes fields, dependencies and status in one transaction, all or nothing. A stale
   * `version` is refused up front; a change that lands between our read and our write is
   * caught by the versioned UPDATE (MikroORM adds `WHERE version = ?`). Both are 409s.
   */
  async update(principal: Principal, id: string, dto: UpdateTaskDto): Promise<TaskResponseDto> {
    if (principal.kind === 'agent' && isAssigneeFinish(dto)) {
      const finished = await this.em.transactional(
        () => this.finishAsAssignee(principal, id, dto),
        JOIN_TRANSACTION,
      );
      if (finished) return finished;
    }
    return this.em.transactional(async (em) => {
      // One read: the task, whose project it is (for the policy) and its dependencies.
      const found = await this.tasks.findForUpdate(id);
      if (!found) throw new TaskNotFoundError();
      const { task } = found;
      this.assertMayUpdate(
        principal,
        { id: task.projectId, ownerId: found.projectOwnerId },
        task,
        dto,
      );
      if (dto.version !== undefined && dto.version !== task.version)
        throw new TaskVersionConflictError(dto.version, task.version);
      if (
        task.workflowExecutionId &&
        ((dto.workflow_id !== undefined && dto.workflow_id !== task.workflowId) ||
          (dto.step_order !== undefined && dto.step_order !== task.stepOrder))
      )
        throw new WorkflowStepLockedError('placement');
      if (dto.status !== undefined && task.workflowExecutionId) {
        if (dto.status === 'pending' && task.status !== 'pending')
          throw new WorkflowStepReopenError();
        // Before this task's row is written: the execution's lock comes first (TaskStepHooks).
        await this.steps.beforeStatusChange(task, dto.status);
      }

      if (dto.dependencies !== undefined) {
        await this.steps.assertStepEditable(task, 'dependencies');
        await this.setDependencies(task, dto.dependencies);
        // Edges live in their own table; touching the row bumps the version all the same.
        task.updatedAt = new Date();
      }
      applyTaskFields(task, dto);
      if (dto.result !== undefined) task.result = dto.result;
      const statusBefore = task.status;
      if (dto.status !== undefined) await this.moveTo(task, dto.status);
      const versionBefore = task.version;
      try {
        await em.flush();
      } catch (error) {
        if (error instanceof OptimisticLockError)
          throw new TaskVersionConflictError(dto.version, undefined);
        throw error;
      }
      // Unless they were just replaced, the dependencies read with the task are still its own.
      const updated =
        dto.dependencies === undefined
          ? toTaskResponse(task, found.dependencies)
          : await this.respond(task);
      // The task just ended under its agent: its points and what its capabilities learn.
      const outcome = task.status !== statusBefore ? outcomeOf(task, task.assignedAgentId) : null;
      if (outcome) await this.performance.learnFrom([outcome]);
      // A PATCH that changed nothing wrote nothing (the version did not move): no event.
      if (task.version !== versionBefore) await this.events.emit('task.updated', updated);
      return updated;
    }, JOIN_TRANSACTION);
  }

  /**
   * An agent ends its own task (`{status, result?, version?}`, status final), the queue's
   * hot path: the move in one statement (TaskRepository.moveAssigned: status guard and
   * optimistic version check, so it happens once), then the same checks as the general path
   * on the row as it was, which throw (the transaction then takes the move back), the same
   * transition ({@link applyTransition}) for the answer, and the same learning and event, in
   * the same transaction. `null` when the statement did not move the task (not the agent's,
   * a workflow step, an illegal or no-op move, a stale version, not found): nothing was
   * written, and the general path decides and says why.
   */
  private async finishAsAssignee(
    principal: Extract<Principal, { kind: 'agent' }>,
    id: string,
    dto: UpdateTaskDto & { status: TaskStatus },
  ): Promise<TaskResponseDto | null> {
    const now = new Date();
    const found = await this.tasks.moveAssigned({
      taskId: id,
      agentId: principal.agentId,
      projectId: principal.projectId,
      to: dto.status,
      result: dto.result,
      version: dto.version,
      now,
    });
    if (!found?.moved) return null;
    const { task, projectOwnerId, dependencies } = found;
    this.assertMayUpdate(principal, { id: task.projectId, ownerId: projectOwnerId }, task, dto);
    if (dto.version !== undefined && dto.version !== task.version)
      throw new TaskVersionConflictError(dto.version, task.version);
    Object.assign(task, applyTransition(task, dto.status, { now, leaseUntil: null }));
    if (dto.result !== undefined) task.result = dto.result;
    task.version += 1;
    task.updatedAt = now;
    const updated = toTaskResponse(task, dependencies);
    const outcome = outcomeOf(task, task.assignedAgentId);
    if (outcome) await this.performance.learnFrom([outcome]);
    await this.events.emit('task.updated', updated);
    return updated;
  }

  /** Refused (409) while other tasks depend on it, unless `force`: then their edges to it go too. */
  async remove(principal: Principal, id: string, force: boolean): Promise<{ projectId: string }> {
    if (principal.kind === 'agent') throw new AgentActionForbiddenError('delete tasks');
    return this.em.transactional(async (em) => {
      const task = await em.findOne(Task, { id });
      if (!task) throw new TaskNotFoundError();
      await this.policy.assertCanAccess(principal, task.projectId, 'manage');
      await this.steps.assertStepEditable(task, 'delete');
      await this.tasks.lockProjectGraph(task.projectId);
      const dependents = await this.tasks.dependents(id);
      if (!force && dependents.length > 0) throw new TaskHasDependentsError(dependents);
      const deleted = await this.respond(task);
      await em.nativeDelete(Task, { id });
      await this.events.emit('task.deleted', deleted);
      // Forced: the tasks that waited for it lost that dependency (the edges went with it).
      if (dependents.length > 0) {
        const changed = await em.find(Task, { id: { $in: dependents } });
        const edges = await this.tasks.dependenciesOf(dependents);
        await this.events.emit(
          'task.updated',
          ...changed.map((t) => toTaskResponse(t, edges.get(t.id) ?? [])),
        );
      }
      return { projectId: task.projectId };
    }, JOIN_TRANSACTION);
  }

  async assign(principal: Principal, id: string, dto: AssignTaskDto): Promise<TaskResponseDto> {
    if (principal.kind === 'agent') throw new AgentActionForbiddenError('assign tasks');
    const task = await this.em.findOne(Task, { id });
    if (!task) throw new TaskNotFoundError();
    await this.policy.assertCanAccess(principal, task.projectId, 'manage');
    if (dto.auto) {
      await this.assignToBestAgent(task, dto, 'auto');
    } else {
      await this.applyAssignee(task, dto.assigned_to ?? null, dto.assigned_to_type);
    }
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof OptimisticLockError)
        throw new TaskVersionConflictError(undefined, undefined);
      // The assignee was deleted between our check and the write.
      if (error instanceof ForeignKeyConstraintViolationException)
        throw new InvalidAssigneeError('The assignee no longer exists');
      throw error;
    }
    // (In the request transaction: the event commits with the assignment.)
    const assigned = await this.respond(task);
    await this.events.emit('task.updated', assigned);
    return assigned;
  }

  /**
   * Hands the calling agent its next task (`null`: nothing claimable right now). Expired
   * leases of the project are taken back first, so a crashed agent's task is claimable at
   * once, not only at the sweeper's next round (at the cost of extra statements only when
   * there are any).
   */
  async claim(principal: Principal, dto: ClaimTaskDto): Promise<TaskResponseDto | null> {
    if (principal.kind !== 'agent') throw new AgentRequiredError('claim tasks');
    const projectId = dto.project_id ?? principal.projectId;
    if (dto.project_id) await this.policy.assertCanAccess(principal, dto.project_id, 'read');

    let capabilities: string[] | null = null;
    if (dto.capabilities) {
      const agent = await this.em.findOne(
        Agent,
        { id: principal.agentId },
        { fields: ['capabilities'] },
      );
      const unknown = dto.capabilities.filter((c) => !agent?.capabilities.includes(c));
      if (unknown.length > 0) throw new UnknownCapabilityError(unknown);
      capabilities = dto.capabilities;
    }

    const request = {
      agentId: principal.agentId,
      projectId,
      capabilities,
      leaseSeconds: dto.lease_seconds ?? DEFAULT_LEASE_SECONDS,
    };
    // Usually no lease of the project has run out: then the claim statement itself checks
    // that and claims. Otherwise it claims nothing, and the expired ones are taken back first.
    let claimed = await this.tasks.claim(request, { unlessExpiredLeases: true });
    if (claimed === 'expired_leases') {
      await this.leases.requeueExpired(projectId);
      claimed = await this.tasks.claim(request);
    }
    if (!claimed || claimed === 'expired_leases') return null;
    const task = toTaskResponse(claimed.task, claimed.dependencies);
    await this.events.emit('task.updated', task);
    return task;
  }

  /** The lease holder (the assigned agent of an in_progress task) pushes its lease out. */
  async extendLease(principal: Principal, id: string, dto: LeaseDto): Promise<TaskResponseDto> {
    if (principal.kind !== 'agent') throw new AgentRequiredError('hold task leases');
    const extended = await this.tasks.extendLease(
      id,
      principal.agentId,
      dto.lease_seconds ?? DEFAULT_LEASE_SECONDS,
    );
    if (extended) {
      const task = await this.respond(extended);
      await this.events.emit('task.updated', task);
      return task;
    }

    // Say why not.
    const task = await this.em.findOne(Task, { id });
    if (!task) throw new TaskNotFoundError();
    await this.policy.assertCanAccess(principal, task.projectId, 'read');
    if (task.assignedAgentId !== principal.agentId) throw new NotTaskAssigneeError();
    throw new TaskNotLeasedError(task.status);
  }

  /**
   * `auto` / `auto_assign`: assigns the task to the agent TaskRepository.bestAgentFor picks,
   * or answers 409 when none fits; naming an assignee as well is a 400.
   */
  private async assignToBestAgent(
    task: Task,
    request: { assigned_to?: string | null; assigned_to_type?: AssigneeType },
    flag: 'auto' | 'auto_assign',
  ): Promise<void> {
    if (request.assigned_to !== undefined || request.assigned_to_type !== undefined)
      throw new RequestValidationError({ assigned_to: [`not allowed with ${flag}`] });
    const best = await this.tasks.bestAgentFor(
      task.projectId,
      task.requiredCapabilities,
      this.config.agentHeartbeatTimeoutSeconds,
    );
    if (!best) throw new NoEligibleAgentError(task.requiredCapabilities);
    await this.applyAssignee(task, best.id, 'agent');
  }

  private async respond(task: Task): Promise<TaskResponseDto> {
    const dependencies = await this.tasks.dependenciesOf([task.id]);
    return toTaskResponse(task, dependencies.get(task.id) ?? []);
  }

  private assertMayUpdate(
    principal: Principal,
    project: { id: string; ownerId: string },
    task: Task,
    dto: UpdateTaskDto,
  ): void {
    if (principal.kind === 'user') {
      this.policy.assertMayAccess(principal, project, 'manage');
      return;
    }
    this.policy.assertMayAccess(principal, project, 'read');
    if (task.assignedAgentId !== principal.agentId) {
      // The agent that created a task (handed it to another, over A2A for one) may call it
      // off: cancel it, and change nothing else.
      if (task.createdByAgentId === principal.agentId && isCancelOnly(dto)) return;
      throw new NotTaskAssigneeError();
    }
    const others = Object.keys(dto).filter(
      (field) =>
        (dto as Record<string, unknown>)[field] !== undefined && !AGENT_UPDATABLE_FIELDS.has(field),
    );
    if (others.length > 0) throw new AgentFieldForbiddenError(others);
  }

  /** Validates and stores the new dependency list of an existing task (caller's transaction). */
  private async setDependencies(task: Task, dependencies: string[]): Promise<void> {
    if (dependencies.includes(task.id)) throw new SelfDependencyError();
    await this.tasks.lockProjectGraph(task.projectId);
    await this.assertInProject(task.projectId, dependencies);
    const cycle = findCycle(
      task.id,
      dependencies,
      await this.tasks.reachableEdges(task.projectId, dependencies),
    );
    if (cycle) {
      const titles = new Map(
        (await this.em.find(Task, { id: { $in: cycle } }, { fields: ['title'] })).map((t) => [
          t.id,
          t.title,
        ]),
      );
      throw new DependencyCycleError(cycle, (taskId) => `${taskId} "${titles.get(taskId) ?? '?'}"`);
    }
    await this.tasks.replaceDependencies(task.projectId, task.id, dependencies);
  }

  private async assertInProject(projectId: string, ids: string[]): Promise<void> {
    const strangers = await this.tasks.notInProject(projectId, ids);
    if (strangers.length > 0) throw new InvalidDependencyError(strangers);
  }

  /** A lifecycle move, with the rule that needs the database: no start before the dependencies are done. */
  private async moveTo(task: Task, to: TaskStatus): Promise<void> {
    const now = new Date();
    // An agent working on a task holds a lease; a person does not.
    const leaseUntil = task.assignedAgentId
      ? new Date(now.getTime() + DEFAULT_LEASE_SECONDS * 1000)
      : null;
    const next = applyTransition(task, to, { now, leaseUntil }); // an illegal move says so before anything else
    if (to === 'in_progress' && task.status !== 'in_progress') {
      // Share-locks the completed dependencies so that none is reopened before we commit.
      const open = await this.tasks.openDependencies(task.id, true);
      if (open.length > 0) throw new TaskBlockedError(open);
    }
    Object.assign(task, next);
  }

  /**
   * Sets (or with `null`, clears) the assignee: an agent or a user of the task's project. A
   * task in progress keeps being leased only while an agent works on it: a new agent gets a
   * fresh lease, a person or nobody none (else the sweeper would take the task back).
   */
  private async applyAssignee(
    task: Task,
    assignedTo: string | null,
    type: AssigneeType | undefined,
  ): Promise<void> {
    await this.setAssignee(task, assignedTo, type);
    if (task.status === 'in_progress') {
      task.leaseExpiresAt = task.assignedAgentId
        ? new Date(Date.now() + DEFAULT_LEASE_SECONDS * 1000)
        : null;
    }
  }

  private async setAssignee(
    task: Task,
    assignedTo: string | null,
    type: AssigneeType | undefined,
  ): Promise<void> {
    task.assignedAgentId = null;
    task.assignedUserId = null;
    if (assignedTo === null) {
      if (type !== undefined)
        throw new InvalidAssigneeError('assigned_to_type needs an assigned_to');
      return;
    }
    if (type === 'agent') {
      const agent = await this.em.findOne(
        Agent,
        { id: assignedTo },
        { fields: ['projectId', 'isActive'] },
      );
      if (!agent || agent.projectId !== task.projectId)
        throw new InvalidAssigneeError('The assignee is not an agent of this project');
      if (!agent.isActive) throw new InvalidAssigneeError('The assignee agent is inactive');
      task.assignedAgentId = agent.id;
      return;
    }
    const [user, project] = await Promise.all([
      this.em.findOne(User, { id: assignedTo }, { fields: ['email', 'isSuperuser', 'isActive'] }),
      this.em.findOne(Project, { id: task.projectId }, { fields: ['owner'] }),
    ]);
    // "A user of the project" is whoever the project policy lets manage it: its owner and superusers.
    const member =
      user &&
      project &&
      mayAccessProject(
        { kind: 'user', userId: user.id, email: user.email, isSuperuser: user.isSuperuser },
        { id: project.id, ownerId: project.owner.id },
        'manage',
      );
    if (!member) throw new InvalidAssigneeError('The assignee is not a user of this project');
    if (!user.isActive) throw new InvalidAssigneeError('The assignee user is inactive');
    task.assignedUserId = user.id;
  }
}

/** A final `status`, with at most `result` and the optimistic `version`: an agent ending its work. */
function isAssigneeFinish(dto: UpdateTaskDto): dto is UpdateTaskDto & { status: TaskStatus } {
  if (dto.status === undefined || !isFinalTaskStatus(dto.status)) return false;
  return Object.entries(dto).every(
    ([field, value]) =>
      value === undefined || field === 'status' || field === 'result' || field === 'version',
  );
}

/** `{status: 'cancelled'}`, with the optimistic `version` at most. */
function isCancelOnly(dto: UpdateTaskDto): boolean {
  const fields = Object.entries(dto).filter(([, value]) => value !== undefined);
  return (
    dto.status === 'cancelled' &&
    fields.every(([field]) => field === 'status' || field === 'version')
  );
}
