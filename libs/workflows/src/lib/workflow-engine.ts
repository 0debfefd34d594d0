import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditService } from '@agenthub/auth';
import {
  isFinalTaskStatus,
  StepState,
  StepTaskRepository,
  Task,
  TaskEvents,
  TaskResponseDto,
  TaskStatus,
  TaskStepHooks,
  WorkflowStepLockedError,
  WorkflowStepObserver,
} from '@agenthub/tasks';
import { toExecutionResponse } from './execution-response';
import { WorkflowExecutionEvents } from './workflow-execution-events';
import { ExecutionRow, WorkflowExecutionRepository } from './workflow-execution.repository';

/** How an execution whose steps are all final ended. */
function outcome(steps: readonly StepState[]): {
  status: 'completed' | 'failed' | 'cancelled';
  errorMessage: string | null;
} {
  const failed = steps.filter((s) => s.status === 'failed').map((s) => s.key);
  const cancelled = steps.filter((s) => s.status === 'cancelled').map((s) => s.key);
  if (failed.length === 0 && cancelled.length === 0)
    return { status: 'completed', errorMessage: null };
  const parts = [
    failed.length ? `failed: ${failed.join(', ')}` : null,
    cancelled.length ? `cancelled: ${cancelled.join(', ')}` : null,
  ].filter((p) => p !== null);
  return {
    // A failed step fails the execution; steps cancelled by hand (none failed) cancel it.
    status: failed.length ? 'failed' : 'cancelled',
    errorMessage: `Steps ${parts.join('; ')}`,
  };
}

/** Each completed step's result under its key. */
export const resultsOf = (steps: readonly StepState[]): Record<string, unknown> =>
  Object.fromEntries(steps.filter((s) => s.status === 'completed').map((s) => [s.key, s.result]));

/**
 * Moves executions forward as their steps' tasks change: hands results on to the steps
 * that are now ready, applies the failure policy, and ends the execution when every step
 * is final. It hears of every step change through the task lib's hooks (TaskStepHooks), in
 * the transaction of that change, whoever made it (an agent's PATCH, the lease sweeper).
 *
 * Exactly once: everything it does to an execution happens with the execution's row locked
 * (FOR UPDATE), and reads the steps only after taking that lock. Two last steps completing
 * at once, in two API processes, each lock the row in turn; the second to get it sees the
 * first's committed step and its own, so only it ends the execution (one event, one audit
 * row, one completed_at), and the first, seeing a step still open, does not.
 */
@Injectable()
export class WorkflowEngine implements WorkflowStepObserver, OnModuleInit {
  constructor(
    private readonly executions: WorkflowExecutionRepository,
    private readonly steps: StepTaskRepository,
    private readonly taskEvents: TaskEvents,
    private readonly events: WorkflowExecutionEvents,
    private readonly audit: AuditService,
    private readonly hooks: TaskStepHooks,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  async beforeStatusChange(task: Task, _to: TaskStatus): Promise<void> {
    await this.executions.lock(task.workflowExecutionId as string);
  }

  async assertStepEditable(task: Task, change: 'delete' | 'dependencies'): Promise<void> {
    const status = await this.executions.statusShared(task.workflowExecutionId as string);
    if (status === 'running') throw new WorkflowStepLockedError(change);
  }

  lockExecutions(executionIds: string[]): Promise<string[]> {
    return this.executions.lockAvailable(executionIds);
  }

  async stepsChanged(tasks: TaskResponseDto[]): Promise<void> {
    // Only a step that became final moves its execution (a claim or a lease renewal does not).
    const finalByExecution = new Map<string, TaskResponseDto[]>();
    for (const task of tasks) {
      if (!isFinalTaskStatus(task.status)) continue;
      const id = task.workflow_execution_id as string;
      finalByExecution.set(id, [...(finalByExecution.get(id) ?? []), task]);
    }
    // In id order, so two transactions that touch the same executions lock them in one order.
    for (const id of [...finalByExecution.keys()].sort()) {
      const execution = await this.executions.lock(id);
      if (!execution || execution.status !== 'running') continue;
      await this.advance(execution, finalByExecution.get(id) ?? []);
    }
  }

  /** After `finals` (steps of the execution) became final; the execution's row is locked. */
  private async advance(
    execution: ExecutionRow,
    finals: readonly TaskResponseDto[],
  ): Promise<void> {
    const changed = new Map<string, TaskResponseDto>();
    let ended = finals.map((t) => t.id);
    if (finals.some((t) => t.status !== 'completed')) {
      const cancelled = await this.steps.cascadeFailures(execution.id);
      for (const task of cancelled) changed.set(task.id, task);
      ended = [...ended, ...cancelled.map((t) => t.id)];
    }
    for (const task of await this.steps.refreshInputs(execution.id, { dependentsOf: ended }))
      changed.set(task.id, task);
    if (changed.size > 0) await this.taskEvents.announce('task.updated', ...changed.values());
    await this.settle(execution);
  }

  /**
   * Brings the execution's row in line with its steps (the row is locked): `current_step`
   * while some step is open, else the end (completed, failed or cancelled) with its event
   * and an audit row by the system. `cancelRequest`: a cancel request, whose steps are all
   * final by now: the execution ends cancelled, audited as that request. Returns the row.
   */
  async settle(
    execution: ExecutionRow,
    options: { cancelRequest?: boolean } = {},
  ): Promise<ExecutionRow> {
    // While steps are open (most calls), an aggregate says enough: the steps themselves
    // (with their results) are read only once they are all final.
    const progress = await this.steps.progress(execution.id);
    if (progress.open > 0 && !options.cancelRequest) {
      return progress.currentStep === execution.current_step
        ? execution
        : this.executions.setCurrentStep(execution.id, progress.currentStep);
    }
    const steps = (await this.steps.states([execution.id])).get(execution.id) ?? [];
    const end = options.cancelRequest
      ? { status: 'cancelled' as const, errorMessage: null }
      : outcome(steps);
    const row = await this.executions.finish(execution.id, {
      status: end.status,
      resultData: resultsOf(steps),
      errorMessage: end.errorMessage,
    });
    await this.events.emit(`workflow_execution.${end.status}`, toExecutionResponse(row, steps));
    if (options.cancelRequest) return row;
    await this.audit.record({
      actorType: 'system',
      actorId: null,
      action: `workflow_execution.${end.status}`,
      resourceType: 'workflow_execution',
      resourceId: execution.id,
      projectId: execution.project_id,
      requestId: null,
    });
    return row;
  }
}
