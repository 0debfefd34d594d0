import { Injectable } from '@nestjs/common';
import type { Task } from './entities/task.entity';
import type { TaskResponseDto } from './dto/task-response.dto';
import type { TaskStatus } from './task-lifecycle';

/**
 * What the task queue asks of whoever runs workflow steps on it (the workflows lib): the
 * tasks lib knows that some tasks are steps of an execution (`workflow_execution_id`), not
 * what an execution is. Every call is made in the transaction of the change.
 *
 * Lock order: an execution's row is locked before any of its tasks' rows, everywhere (the
 * engine, cancel and retry lock the execution first and then touch its tasks). So a task
 * change that will need the execution takes its lock first (`beforeStatusChange`), and the
 * lease sweeper only fails steps whose execution it could lock at once (`lockExecutions`).
 */
export interface WorkflowStepObserver {
  /** A step task's status is about to change through the API: lock its execution now. */
  beforeStatusChange(task: Task, to: TaskStatus): Promise<void>;
  /** Throws (409) when the step task may not be deleted, or re-pointed, right now. */
  assertStepEditable(task: Task, change: 'delete' | 'dependencies'): Promise<void>;
  /** Locks those of the executions that nobody else holds (SKIP LOCKED); returns their ids. */
  lockExecutions(executionIds: string[]): Promise<string[]>;
  /** Step tasks changed (as REST now shows them): advance their executions. */
  stepsChanged(tasks: TaskResponseDto[]): Promise<void>;
}

/**
 * The one place the task lib calls into workflow steps: the workflows module registers its
 * observer at start; without one (no workflows module), every hook does nothing.
 */
@Injectable()
export class TaskStepHooks {
  private observer: WorkflowStepObserver | null = null;

  register(observer: WorkflowStepObserver): void {
    this.observer = observer;
  }

  async beforeStatusChange(task: Task, to: TaskStatus): Promise<void> {
    if (task.workflowExecutionId && task.status !== to)
      await this.observer?.beforeStatusChange(task, to);
  }

  async assertStepEditable(task: Task, change: 'delete' | 'dependencies'): Promise<void> {
    if (task.workflowExecutionId) await this.observer?.assertStepEditable(task, change);
  }

  async lockExecutions(executionIds: string[]): Promise<string[]> {
    if (executionIds.length === 0 || !this.observer) return executionIds;
    return this.observer.lockExecutions(executionIds);
  }

  async stepsChanged(tasks: readonly TaskResponseDto[]): Promise<void> {
    const steps = tasks.filter((t) => t.workflow_execution_id !== null);
    if (steps.length > 0) await this.observer?.stepsChanged(steps);
  }
}
