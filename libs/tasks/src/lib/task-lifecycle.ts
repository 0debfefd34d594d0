import { IllegalTransitionError } from './tasks.errors';

export const TASK_STATUSES = [
  'pending',
  'in_progress',
  'completed',
  'failed',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Where a task's work has ended (until someone reopens it). */
export const FINAL_TASK_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

export const isFinalTaskStatus = (status: TaskStatus): boolean =>
  FINAL_TASK_STATUSES.includes(status);

/**
 * What a workflow step does when one of its dependencies ends failed or cancelled: `cancel`
 * (the default; it is cancelled too, and so on down the graph) or `continue` (it may run once
 * every dependency is final). Plain tasks have none: they wait for completed dependencies.
 */
export const DEPENDENCY_FAILURE_POLICIES = ['cancel', 'continue'] as const;
export type DependencyFailurePolicy = (typeof DEPENDENCY_FAILURE_POLICIES)[number];

/**
 * Where a task may go from each status. completed is final; failed and cancelled can be
 * reopened (→ pending). Claim (pending → in_progress) and the lease sweeper (in_progress →
 * failed, or back to pending, a move only the system makes) change the status in SQL of their
 * own (task.repository.ts).
 */
export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['in_progress', 'cancelled'],
  in_progress: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: ['pending'],
  cancelled: ['pending'],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

/** The part of a task a status change touches. */
export interface LifecycleState {
  status: TaskStatus;
  startedAt: Date | null;
  completedAt: Date | null;
  leaseExpiresAt: Date | null;
  attempts: number;
}

export interface TransitionOptions {
  now: Date;
  /**
   * When the task goes to in_progress: until when its worker holds it. Given when the
   * assignee is an agent (it must keep its lease or the task is requeued); a person
   * working on a task holds no lease.
   */
  leaseUntil?: Date | null;
}

/**
 * The state after moving to `to`, or an {@link IllegalTransitionError}. Setting the status
 * a task already has changes nothing (so a retried PATCH is harmless).
 * - → in_progress stamps started_at and counts an attempt;
 * - → completed / failed / cancelled stamps completed_at;
 * - → pending (reopen) clears both and starts the attempt count afresh;
 * - leaving in_progress ends the lease.
 */
export function applyTransition(
  state: LifecycleState,
  to: TaskStatus,
  options: TransitionOptions,
): LifecycleState {
  const from = state.status;
  if (from === to) return { ...state };
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to, TASK_TRANSITIONS[from]);
  switch (to) {
    case 'in_progress':
      return {
        status: to,
        startedAt: options.now,
        completedAt: null,
        leaseExpiresAt: options.leaseUntil ?? null,
        attempts: state.attempts + 1,
      };
    case 'pending':
      return { status: to, startedAt: null, completedAt: null, leaseExpiresAt: null, attempts: 0 };
    default:
      return { ...state, status: to, completedAt: options.now, leaseExpiresAt: null };
  }
}
