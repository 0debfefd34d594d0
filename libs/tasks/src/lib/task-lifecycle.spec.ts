import {
  applyTransition,
  canTransition,
  LifecycleState,
  TASK_STATUSES,
  TASK_TRANSITIONS,
  TaskStatus,
  transitionSql,
} from './task-lifecycle';
import { IllegalTransitionError } from './tasks.errors';

const t0 = new Date('2026-01-01T10:00:00Z');
const now = new Date('2026-01-01T12:00:00Z');
const lease = new Date('2026-01-01T12:05:00Z');

function stateIn(status: TaskStatus): LifecycleState {
  return {
    status,
    startedAt: status === 'pending' ? null : t0,
    completedAt: ['completed', 'failed', 'cancelled'].includes(status) ? t0 : null,
    leaseExpiresAt: status === 'in_progress' ? t0 : null,
    attempts: status === 'pending' ? 0 : 2,
  };
}

const LEGAL: [TaskStatus, TaskStatus][] = [
  ['pending', 'in_progress'],
  ['pending', 'cancelled'],
  ['in_progress', 'completed'],
  ['in_progress', 'failed'],
  ['in_progress', 'cancelled'],
  ['failed', 'pending'],
  ['cancelled', 'pending'],
];

describe('task lifecycle', () => {
  it('allows exactly the documented transitions', () => {
    const allowed = TASK_STATUSES.flatMap((from) =>
      TASK_STATUSES.filter((to) => canTransition(from, to)).map((to) => [from, to]),
    );
    expect(allowed.sort()).toEqual([...LEGAL].sort());
  });

  it.each(LEGAL.filter(([, to]) => to === 'in_progress'))(
    '%s → %s stamps started_at, counts an attempt and takes the lease',
    (from, to) => {
      expect(applyTransition(stateIn(from), to, { now, leaseUntil: lease })).toEqual({
        status: 'in_progress',
        startedAt: now,
        completedAt: null,
        leaseExpiresAt: lease,
        attempts: 1,
      });
    },
  );

  it('→ in_progress without a lease (a person works on it) leaves lease_expires_at empty', () => {
    expect(applyTransition(stateIn('pending'), 'in_progress', { now }).leaseExpiresAt).toBeNull();
  });

  it.each(LEGAL.filter(([, to]) => ['completed', 'failed', 'cancelled'].includes(to)))(
    '%s → %s stamps completed_at, keeps started_at and ends the lease',
    (from, to) => {
      const before = stateIn(from);
      expect(applyTransition(before, to, { now })).toEqual({
        status: to,
        startedAt: before.startedAt,
        completedAt: now,
        leaseExpiresAt: null,
        attempts: before.attempts,
      });
    },
  );

  it.each(LEGAL.filter(([, to]) => to === 'pending'))(
    '%s → %s (reopen) clears both timestamps and the attempt count',
    (from, to) => {
      expect(applyTransition(stateIn(from), to, { now })).toEqual({
        status: 'pending',
        startedAt: null,
        completedAt: null,
        leaseExpiresAt: null,
        attempts: 0,
      });
    },
  );

  const illegal = TASK_STATUSES.flatMap((from) =>
    TASK_STATUSES.filter((to) => to !== from && !TASK_TRANSITIONS[from].includes(to)).map(
      (to) => [from, to] as const,
    ),
  );

  it.each(illegal)('refuses %s → %s with a 409 naming both ends', (from, to) => {
    let error: unknown;
    try {
      applyTransition(stateIn(from), to, { now });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect((error as IllegalTransitionError).status).toBe(409);
    expect((error as IllegalTransitionError).code).toBe('TASK.ILLEGAL_TRANSITION');
    expect((error as Error).message).toContain(`from ${from} to ${to}`);
  });

  it('counts every illegal pair (13 of 20)', () => {
    expect(illegal).toHaveLength(13);
  });

  it.each(TASK_STATUSES)('setting %s again changes nothing', (status) => {
    const before = stateIn(status);
    expect(applyTransition(before, status, { now, leaseUntil: lease })).toEqual(before);
  });
});

describe('transitionSql', () => {
  it.each(LEGAL)('%s → %s moves from exactly the legal sources', (_from, to) => {
    const { from } = transitionSql(to, { now, leaseUntil: lease }, 't');
    expect(from.sort()).toEqual(
      TASK_STATUSES.filter((s) => s !== to && canTransition(s, to)).sort(),
    );
  });

  it('sets what applyTransition sets (completed: completed_at now, the lease gone)', () => {
    expect(transitionSql('completed', { now }, 't')).toEqual({
      from: ['in_progress'],
      set: 'status = ?, completed_at = ?, lease_expires_at = NULL',
      params: ['completed', now],
    });
    expect(transitionSql('in_progress', { now, leaseUntil: lease }, 'x')).toEqual({
      from: ['pending'],
      set: 'status = ?, started_at = ?, completed_at = NULL, lease_expires_at = ?, attempts = x.attempts + 1',
      params: ['in_progress', now, lease],
    });
    expect(transitionSql('pending', { now }, 't').set).toBe(
      'status = ?, started_at = NULL, completed_at = NULL, lease_expires_at = NULL, attempts = 0',
    );
  });
});
