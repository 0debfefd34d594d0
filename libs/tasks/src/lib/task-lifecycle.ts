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
 * What entering each status does to the lifecycle fields, besides setting the status: the
 * one table both {@link applyTransition} (on an entity) and {@link transitionSql} (in one
 * UPDATE) read, so the two cannot disagree.
 * - → in_progress stamps started_at and counts an attempt;
 * - → completed / failed / cancelled stamps completed_at;
 * - → pending (reopen) clears both and starts the attempt count afresh;
 * - leaving in_progress ends the lease.
 */
const ON_ENTER: Readonly<
  Record<
    TaskStatus,
    {
      startedAt: 'now' | 'clear' | 'keep';
      completedAt: 'now' | 'clear';
      leaseExpiresAt: 'lease' | 'clear';
      attempts: 'count' | 'reset' | 'keep';
    }
  >
> = {
  pending: { startedAt: 'clear', completedAt: 'clear', leaseExpiresAt: 'clear', attempts: 'reset' },
  in_progress: {
    startedAt: 'now',
    completedAt: 'clear',
    leaseExpiresAt: 'lease',
    attempts: 'count',
  },
  completed: { startedAt: 'keep', completedAt: 'now', leaseExpiresAt: 'clear', attempts: 'keep' },
  failed: { startedAt: 'keep', completedAt: 'now', leaseExpiresAt: 'clear', attempts: 'keep' },
  cancelled: { startedAt: 'keep', completedAt: 'now', leaseExpiresAt: 'clear', attempts: 'keep' },
};

/**
 * The state after moving to `to` ({@link ON_ENTER}), or an {@link IllegalTransitionError}.
 * Setting the status a task already has changes nothing (so a retried PATCH is harmless).
 */
export function applyTransition(
  state: LifecycleState,
  to: TaskStatus,
  options: TransitionOptions,
): LifecycleState {
  const from = state.status;
  if (from === to) return { ...state };
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to, TASK_TRANSITIONS[from]);
  const enter = ON_ENTER[to];
  return {
    status: to,
    startedAt:
      enter.startedAt === 'now'
        ? options.now
        : enter.startedAt === 'clear'
          ? null
          : state.startedAt,
    completedAt: enter.completedAt === 'now' ? options.now : null,
    leaseExpiresAt: enter.leaseExpiresAt === 'lease' ? (options.leaseUntil ?? null) : null,
    attempts:
      enter.attempts === 'count'
        ? state.attempts + 1
        : enter.attempts === 'reset'
          ? 0
          : state.attempts,
  };
}

/**
 * The same move as {@link applyTransition}, for an UPDATE of `tasks` that makes it in the
 * statement that checks it: `from`, the statuses the row must be in (the legal sources of a
 * real move to `to`: a row already in `to` is left to the caller, like an illegal one), and
 * `set`, the SET list (with `?` placeholders for `params`, in order) of the status and the
 * lifecycle columns; `alias` is the name the UPDATE gives `tasks`.
 */
export function transitionSql(
  to: TaskStatus,
  options: TransitionOptions,
  alias: string,
): { from: TaskStatus[]; set: string; params: unknown[] } {
  const enter = ON_ENTER[to];
  const set = ['status = ?'];
  const params: unknown[] = [to];
  if (enter.startedAt === 'now') {
    set.push('started_at = ?');
    params.push(options.now);
  } else if (enter.startedAt === 'clear') set.push('started_at = NULL');
  if (enter.completedAt === 'now') {
    set.push('completed_at = ?');
    params.push(options.now);
  } else set.push('completed_at = NULL');
  if (enter.leaseExpiresAt === 'lease') {
    set.push('lease_expires_at = ?');
    params.push(options.leaseUntil ?? null);
  } else set.push('lease_expires_at = NULL');
  if (enter.attempts === 'count') set.push(`attempts = ${alias}.attempts + 1`);
  else if (enter.attempts === 'reset') set.push('attempts = 0');
  return {
    from: TASK_STATUSES.filter((from) => from !== to && canTransition(from, to)),
    set: set.join(', '),
    params,
  };
}
