import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { TransactionPropagation } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Principal, principalIds, ProjectAccessPolicy } from '@agenthub/auth';
import { Page, page } from '@agenthub/http';
import { DEFAULT_MAX_ATTEMPTS, StepTaskRepository, TaskEvents } from '@agenthub/tasks';
import type { ExecutionResponseDto } from './dto/execution-response.dto';
import type {
  ListExecutionsQueryDto,
  ListWorkflowExecutionsQueryDto,
  StartExecutionDto,
} from './dto/execution-requests.dto';
import { toExecutionResponse } from './execution-response';
import { topologicalOrder, WorkflowDefinition } from './workflow-definition';
import { WorkflowEngine } from './workflow-engine';
import { WorkflowExecutionEvents } from './workflow-execution-events';
import {
  ExecutionNotRetryableError,
  ExecutionNotRunningError,
  WorkflowExecutionNotFoundError,
} from './workflow-execution.errors';
import { ExecutionRow, WorkflowExecutionRepository } from './workflow-execution.repository';
import {
  WorkflowAgentForbiddenError,
  WorkflowNotActiveError,
  WorkflowNotFoundError,
  WorkflowVersionNotFoundError,
} from './workflows.errors';

/** In the request's transaction (one per mutating request): all or nothing. */
const JOIN_TRANSACTION = { propagation: TransactionPropagation.REQUIRED };

/**
 * Executions: start (a version's steps become tasks), read, cancel and retry. Who may: the
 * project's agents and managers read and start; only managers (owner, superusers) cancel
 * and retry. Every status change takes the execution's row lock first (WorkflowEngine).
 */
@Injectable()
export class WorkflowExecutionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly executions: WorkflowExecutionRepository,
    private readonly steps: StepTaskRepository,
    private readonly taskEvents: TaskEvents,
    private readonly events: WorkflowExecutionEvents,
    private readonly engine: WorkflowEngine,
    private readonly policy: ProjectAccessPolicy,
  ) {}

  /**
   * One transaction: the execution and one task per step, in a topological order
   * (`step_order`), with the step's fields and its dependency edges; then the steps are
   * claimed like any task. The version is read from workflow_versions, which never changes.
   */
  async start(
    principal: Principal,
    workflowId: string,
    dto: StartExecutionDto,
  ): Promise<ExecutionResponseDto> {
    return this.em.transactional(async () => {
      const workflow = await this.executions.workflowToStart(workflowId);
      if (!workflow) throw new WorkflowNotFoundError();
      await this.policy.assertCanAccess(principal, workflow.project_id, 'read');
      if (workflow.status !== 'active') throw new WorkflowNotActiveError(workflow.status);
      const version = dto.version ?? workflow.version;
      const definition = (await this.executions.definitionOf(
        workflow.id,
        version,
      )) as WorkflowDefinition | null;
      if (!definition) throw new WorkflowVersionNotFoundError(version);

      const startedBy = principalIds(principal);
      const row = await this.executions.insert({
        id: randomUUID(),
        projectId: workflow.project_id,
        workflowId: workflow.id,
        version,
        contextData: dto.context_data ?? {},
        startedBy,
      });
      const order = topologicalOrder(definition);
      const taskIds = new Map(order.map((step) => [step.key, randomUUID()]));
      const idOf = (key: string) => taskIds.get(key) as string;
      const tasks = await this.steps.insertSteps(
        {
          projectId: row.project_id,
          workflowId: row.workflow_id,
          executionId: row.id,
          contextData: row.context_data,
          createdBy: startedBy,
        },
        order.map((step, position) => ({
          id: idOf(step.key),
          stepKey: step.key,
          stepOrder: position,
          title: step.title,
          description: step.description ?? null,
          priority: step.priority ?? 'medium',
          requiredCapabilities: step.required_capabilities ?? [],
          maxAttempts: step.max_attempts ?? DEFAULT_MAX_ATTEMPTS,
          onDependencyFailure: step.on_dependency_failure ?? 'cancel',
          dependsOn: (step.depends_on ?? []).map(idOf),
        })),
      );
      await this.taskEvents.announce('task.created', ...tasks);
      const states = (await this.steps.states([row.id])).get(row.id) ?? [];
      const started = toExecutionResponse(row, states);
      await this.events.emit('workflow_execution.started', started);
      return started;
    }, JOIN_TRANSACTION);
  }

  async get(principal: Principal, id: string): Promise<ExecutionResponseDto> {
    const row = await this.executions.get(id);
    if (!row) throw new WorkflowExecutionNotFoundError();
    await this.policy.assertCanAccess(principal, row.project_id, 'read');
    return this.respond(row);
  }

  /** The executions of one workflow. */
  async listOfWorkflow(
    principal: Principal,
    workflowId: string,
    query: ListWorkflowExecutionsQueryDto,
  ): Promise<Page<ExecutionResponseDto>> {
    const workflow = await this.executions.workflowProject(workflowId);
    if (!workflow) throw new WorkflowNotFoundError();
    await this.policy.assertCanAccess(principal, workflow.project_id, 'read');
    return this.list({ kind: 'projects', projectIds: [workflow.project_id] }, query, workflowId);
  }

  async listAll(
    principal: Principal,
    query: ListExecutionsQueryDto,
  ): Promise<Page<ExecutionResponseDto>> {
    const scope = await this.policy.listScope(principal, query.project_id);
    return this.list(scope, query, query.workflow_id);
  }

  /**
   * Cancels a running execution: its pending steps and those in progress are cancelled (an
   * agent's later update of one gets 409: a cancelled task goes nowhere but back to pending).
   */
  async cancel(principal: Principal, id: string): Promise<ExecutionResponseDto> {
    return this.em.transactional(async () => {
      const execution = await this.lockForManage(principal, id, 'cancel workflow executions');
      if (execution.status !== 'running') throw new ExecutionNotRunningError(execution.status);
      const cancelled = await this.steps.cancelOpen(id);
      await this.taskEvents.announce('task.updated', ...cancelled);
      // Every step is final now: the execution ends cancelled, with its event.
      return this.respond(await this.engine.settle(execution, { cancelRequest: true }));
    }, JOIN_TRANSACTION);
  }

  /**
   * Runs a failed or cancelled execution again: its failed and cancelled steps go back to
   * pending (attempts reset), completed ones keep their results and are not run again.
   */
  async retry(principal: Principal, id: string): Promise<ExecutionResponseDto> {
    return this.em.transactional(async () => {
      const execution = await this.lockForManage(principal, id, 'retry workflow executions');
      if (execution.status !== 'failed' && execution.status !== 'cancelled')
        throw new ExecutionNotRetryableError(execution.status);
      const reset = await this.steps.resetForRetry(id);
      await this.taskEvents.announce('task.updated', ...reset);
      const reopened = await this.executions.reopen(id);
      const retried = await this.respond(await this.engine.settle(reopened));
      await this.events.emit('workflow_execution.retried', retried);
      return retried;
    }, JOIN_TRANSACTION);
  }

  private async lockForManage(
    principal: Principal,
    id: string,
    action: string,
  ): Promise<ExecutionRow> {
    const execution = await this.executions.lock(id);
    if (!execution) throw new WorkflowExecutionNotFoundError();
    await this.policy.assertCanAccess(principal, execution.project_id, 'read');
    if (principal.kind === 'agent') throw new WorkflowAgentForbiddenError(action);
    await this.policy.assertCanAccess(principal, execution.project_id, 'manage');
    return execution;
  }

  private async list(
    scope: Parameters<WorkflowExecutionRepository['list']>[0]['scope'],
    query: ListWorkflowExecutionsQueryDto,
    workflowId: string | undefined,
  ): Promise<Page<ExecutionResponseDto>> {
    const { rows, total } = await this.executions.list({
      scope,
      workflowId,
      status: query.status,
      limit: query.limit,
      offset: query.offset,
    });
    const steps = await this.steps.states(rows.map((r) => r.id));
    return page(
      rows.map((r) => toExecutionResponse(r, steps.get(r.id) ?? [])),
      total,
      query,
    );
  }

  private async respond(row: ExecutionRow): Promise<ExecutionResponseDto> {
    const steps = (await this.steps.states([row.id])).get(row.id) ?? [];
    return toExecutionResponse(row, steps);
  }
}
