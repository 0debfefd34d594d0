import { TASK_STATUSES, TASK_TRANSITIONS, TaskStatus } from '@agenthub/tasks';
import {
  createTask,
  expectProblem,
  getTask,
  moveTask,
  patchTask,
  TaskJson,
} from '@agenthub/testing';
import { useWorld } from './world';

/** How to reach each status from a new task with legal moves. */
const PATH_TO: Record<TaskStatus, TaskStatus[]> = {
  pending: [],
  in_progress: ['in_progress'],
  completed: ['in_progress', 'completed'],
  failed: ['in_progress', 'failed'],
  cancelled: ['cancelled'],
};

const LEGAL = TASK_STATUSES.flatMap((from) =>
  TASK_TRANSITIONS[from].map((to) => [from, to] as const),
);
const ILLEGAL = TASK_STATUSES.flatMap((from) =>
  TASK_STATUSES.filter((to) => to !== from && !TASK_TRANSITIONS[from].includes(to)).map(
    (to) => [from, to] as const,
  ),
);

const ms = (iso: string | null) => (iso ? Date.parse(iso) : null);

describe('task lifecycle', () => {
  const w = useWorld();

  async function taskIn(
    status: TaskStatus,
    fields: Record<string, unknown> = {},
  ): Promise<TaskJson> {
    const task = await createTask(w.t, w.owner, w.p1, fields);
    return moveTask(w.t, w.owner, task.id, ...PATH_TO[status]);
  }

  it('has the 7 legal moves of the issue', () => {
    expect(LEGAL).toHaveLength(7);
    expect(ILLEGAL).toHaveLength(13);
  });

  it.each(LEGAL)('%s → %s is allowed and stamps the right times', async (from, to) => {
    const before = await taskIn(from);
    const t0 = Date.now();
    const res = await patchTask(w.t, w.owner, before.id, { status: to });
    const t1 = Date.now();
    expect(res.statusCode).toBe(200);
    const after = res.json<TaskJson>();
    expect(after.status).toBe(to);
    expect(after.version).toBe(before.version + 1);
    const justNow = (iso: string | null) => {
      expect(iso).not.toBeNull();
      expect(ms(iso)!).toBeGreaterThanOrEqual(t0 - 5);
      expect(ms(iso)!).toBeLessThanOrEqual(t1 + 5);
    };
    if (to === 'in_progress') {
      justNow(after.started_at);
      expect(after.completed_at).toBeNull();
      expect(after.attempts).toBe(before.attempts + 1);
    } else if (to === 'pending') {
      expect(after.started_at).toBeNull();
      expect(after.completed_at).toBeNull();
      expect(after.attempts).toBe(0);
    } else {
      justNow(after.completed_at);
      expect(after.started_at).toBe(before.started_at);
    }
    expect(after.lease_expires_at).toBeNull(); // no agent works on these
    expect(await getTask(w.t, w.owner, before.id)).toEqual(after);
  });

  it.each(ILLEGAL)('%s → %s is refused with 409 and changes nothing', async (from, to) => {
    const before = await taskIn(from);
    const res = await patchTask(w.t, w.owner, before.id, { status: to, title: 'changed' });
    expectProblem(res, 409, 'TASK.ILLEGAL_TRANSITION');
    expect(res.json().detail).toContain(`from ${from} to ${to}`);
    expect(await getTask(w.t, w.owner, before.id)).toEqual(before);
  });

  it('treats setting the current status again as no change', async () => {
    const task = await taskIn('completed');
    const res = await patchTask(w.t, w.owner, task.id, {
      status: 'completed',
      result: { ok: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'completed',
      completed_at: task.completed_at,
      result: { ok: true },
    });
  });

  describe('dependencies block the start', () => {
    it('refuses → in_progress (409 naming the open dependencies) until every dependency is completed', async () => {
      const done = await taskIn('completed');
      const open = await createTask(w.t, w.owner, w.p1, { title: 'Pour the foundation' });
      const running = await taskIn('in_progress');
      const task = await createTask(w.t, w.owner, w.p1, {
        dependencies: [done.id, open.id, running.id],
      });

      const blocked = await patchTask(w.t, w.owner, task.id, { status: 'in_progress' });
      expectProblem(blocked, 409, 'TASK.BLOCKED');
      expect(blocked.json().detail).toContain(`${open.id} "Pour the foundation" (pending)`);
      expect(blocked.json().detail).toContain(`${running.id}`);
      expect(blocked.json().detail).not.toContain(done.id);
      expect((await getTask(w.t, w.owner, task.id)).status).toBe('pending');

      await moveTask(w.t, w.owner, open.id, 'in_progress', 'completed');
      await moveTask(w.t, w.owner, running.id, 'completed');
      const started = await patchTask(w.t, w.owner, task.id, { status: 'in_progress' });
      expect(started.statusCode).toBe(200);
    });

    it('does not count a cancelled or failed dependency as done', async () => {
      const cancelled = await taskIn('cancelled');
      const failed = await taskIn('failed');
      const task = await createTask(w.t, w.owner, w.p1, {
        dependencies: [cancelled.id, failed.id],
      });
      expectProblem(
        await patchTask(w.t, w.owner, task.id, { status: 'in_progress' }),
        409,
        'TASK.BLOCKED',
      );
    });

    it('checks the dependencies given in the same PATCH', async () => {
      const open = await createTask(w.t, w.owner, w.p1);
      const task = await createTask(w.t, w.owner, w.p1);
      expectProblem(
        await patchTask(w.t, w.owner, task.id, { dependencies: [open.id], status: 'in_progress' }),
        409,
        'TASK.BLOCKED',
      );
      expect((await getTask(w.t, w.owner, task.id)).dependencies).toEqual([]);
    });

    it('says "illegal" before "blocked" for a move that is never allowed', async () => {
      const open = await createTask(w.t, w.owner, w.p1);
      const task = await taskIn('completed');
      await patchTask(w.t, w.owner, task.id, { dependencies: [open.id] });
      expectProblem(
        await patchTask(w.t, w.owner, task.id, { status: 'in_progress' }),
        409,
        'TASK.ILLEGAL_TRANSITION',
      );
    });
  });

  describe('the assignee agent', () => {
    it('moves its task through the lifecycle and reports a result; holds a lease while working', async () => {
      const task = await createTask(w.t, w.owner, w.p1, {
        assigned_to: w.a1,
        assigned_to_type: 'agent',
      });
      const t0 = Date.now();
      const started = await patchTask(w.t, w.agentKey, task.id, { status: 'in_progress' });
      expect(started.statusCode).toBe(200);
      // 5 minutes by default
      expect(ms(started.json().lease_expires_at)! - t0).toBeGreaterThan(290_000);
      expect(ms(started.json().lease_expires_at)! - t0).toBeLessThan(310_000);

      const done = await patchTask(w.t, w.agentKey, task.id, {
        status: 'completed',
        result: { summary: 'all good', files: 3 },
      });
      expect(done.statusCode).toBe(200);
      expect(done.json()).toMatchObject({
        status: 'completed',
        result: { summary: 'all good', files: 3 },
        lease_expires_at: null,
      });
    });

    it('may not change anything but status and result (403), nor touch tasks of other agents (403)', async () => {
      const mine = await createTask(w.t, w.owner, w.p1, {
        assigned_to: w.a1,
        assigned_to_type: 'agent',
      });
      const res = await patchTask(w.t, w.agentKey, mine.id, {
        status: 'in_progress',
        priority: 'urgent',
      });
      expectProblem(res, 403, 'TASK.AGENT_FIELD_FORBIDDEN');
      expect(res.json().detail).toContain('priority');

      const theirs = await createTask(w.t, w.owner, w.p1, {
        assigned_to: w.a2,
        assigned_to_type: 'agent',
      });
      expectProblem(
        await patchTask(w.t, w.agentKey, theirs.id, { status: 'in_progress' }),
        403,
        'TASK.NOT_ASSIGNEE',
      );
      const nobodys = await createTask(w.t, w.owner, w.p1);
      expectProblem(
        await patchTask(w.t, w.agentKey, nobodys.id, { status: 'in_progress' }),
        403,
        'TASK.NOT_ASSIGNEE',
      );
      expect((await getTask(w.t, w.owner, theirs.id)).status).toBe('pending');
    });

    it('may cancel a task it created and handed to another agent, and do nothing else to it', async () => {
      const handed = await createTask(w.t, w.agentKey, w.p1, {
        assigned_to: w.a2,
        assigned_to_type: 'agent',
      });
      expect(handed.created_by).toBe(w.a1);
      for (const change of [{ status: 'in_progress' }, { status: 'cancelled', priority: 'low' }])
        expectProblem(
          await patchTask(w.t, w.agentKey, handed.id, change),
          403,
          'TASK.NOT_ASSIGNEE',
        );
      const cancelled = await patchTask(w.t, w.agentKey, handed.id, {
        status: 'cancelled',
        version: handed.version,
      });
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.json()).toMatchObject({ status: 'cancelled', assigned_to: w.a2 });
    });

    it('follows the same transition rules (409)', async () => {
      const task = await createTask(w.t, w.owner, w.p1, {
        assigned_to: w.a1,
        assigned_to_type: 'agent',
      });
      expectProblem(
        await patchTask(w.t, w.agentKey, task.id, { status: 'completed' }),
        409,
        'TASK.ILLEGAL_TRANSITION',
      );
    });

    it('refuses a result that is not an object', async () => {
      const task = await createTask(w.t, w.owner, w.p1, {
        assigned_to: w.a1,
        assigned_to_type: 'agent',
      });
      expectProblem(
        await patchTask(w.t, w.agentKey, task.id, { result: [1, 2] }),
        400,
        'REQUEST.VALIDATION_FAILED',
      );
      expectProblem(
        await patchTask(w.t, w.agentKey, task.id, { result: 'done' }),
        400,
        'REQUEST.VALIDATION_FAILED',
      );
    });
  });
});
