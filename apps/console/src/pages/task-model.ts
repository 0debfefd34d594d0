import type { Task } from '../ui/task-queries';

/** What an operator may do with a task now, as the lifecycle (docs/api.md) allows it. */
export interface TaskActions {
  /** Give it to an agent (or "auto", the best one) or to oneself: while work is ahead. */
  assign: boolean;
  /** Take it back from its assignee: a pending task only (one in progress is held). */
  unassign: boolean;
  /** pending or in_progress → cancelled. */
  cancel: boolean;
  /** failed or cancelled → pending; never for a workflow step (its execution is retried). */
  reopen: boolean;
  /** A failed or cancelled workflow step: retry its execution instead. */
  retryExecution: boolean;
  delete: boolean;
}

export function taskActions(
  task: Pick<Task, 'status' | 'assigned_to' | 'workflow_execution_id'>,
): TaskActions {
  const open = task.status === 'pending' || task.status === 'in_progress';
  const ended = task.status === 'failed' || task.status === 'cancelled';
  const step = task.workflow_execution_id !== null;
  return {
    assign: open,
    unassign: task.status === 'pending' && task.assigned_to !== null,
    cancel: open,
    reopen: ended && !step,
    retryExecution: ended && step,
    delete: true,
  };
}

/**
 * How many dependencies keep the task from starting: those not completed (for a workflow
 * step that continues on failure, those not yet finished at all).
 */
export function openDependencies(
  dependencies: readonly (Pick<Task, 'status'> | undefined)[],
  onFailure: Task['on_dependency_failure'] = null,
): number {
  const done = (status: Task['status']) =>
    status === 'completed' ||
    (onFailure === 'continue' && (status === 'failed' || status === 'cancelled'));
  return dependencies.filter((d) => d && !done(d.status)).length;
}
