import { TaskLeaseSweeper } from '@agenthub/tasks';
import {
  AuthHeaders,
  claimTask,
  createAgentsWithKeys,
  createProject,
  createTask,
  expectProblem,
  getTask,
  moveTask,
  patchTask,
  query,
  TaskJson,
  TestApp,
} from '@agenthub/testing';
import { createApiTestApp } from './create-api-test-app';
import { useWorld } from './world';

const ms = (iso: string | null) => (iso ? Date.parse(iso) : NaN);

describe('claiming tasks', () => {
  const w = useWorld();

  /** A project of its own (so other tests' tasks are not claimable) with one agent and its key. */
  async function arena(
    capabilities: string[] = [],
  ): Promise<{ project: string; agent: string; key: AuthHeaders }> {
    const project = (await createProject(w.t, w.owner, 'Arena')).id;
    const [{ id, key }] = await createAgentsWithKeys(w.t, w.owner, project, 1, { capabilities });
    return { project, agent: id, key };
  }

  /** Moves a task's lease into the past, as if its agent had stopped renewing it. */
  const expireLease = (taskId: string) =>
    query(
      w.db.url,
      `UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1`,
      [taskId],
    );

  const sweeper = () => w.t.app.get(TaskLeaseSweeper);

  it('hands out the highest priority first, then the oldest, and 204 once nothing is left', async () => {
    const { project, agent, key } = await arena();
    const low = await createTask(w.t, w.owner, project, { priority: 'low' });
    const mediumOld = await createTask(w.t, w.owner, project, { priority: 'medium' });
    const urgent = await createTask(w.t, w.owner, project, { priority: 'urgent' });
    const mediumNew = await createTask(w.t, w.owner, project, { priority: 'medium' });
    const high = await createTask(w.t, w.owner, project, { priority: 'high' });

    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await claimTask(w.t, key);
      expect(res.statusCode).toBe(200);
      order.push(res.json().id);
      expect(res.json().assigned_to).toBe(agent);
    }
    expect(order).toEqual([urgent.id, high.id, mediumOld.id, mediumNew.id, low.id]);
    const none = await claimTask(w.t, key);
    expect(none.statusCode).toBe(204);
    expect(none.body).toBe('');
  });

  it('writes an audit row for a claim that takes a task, none for one that finds nothing', async () => {
    const { project, agent, key } = await arena();
    const claimRows = () =>
      query(
        w.db.url,
        `SELECT actor_type, actor_id, action, resource_id, project_id FROM audit_log WHERE actor_id = $1 AND action = 'task.claim'`,
        [agent],
      );

    expect((await claimTask(w.t, key)).statusCode).toBe(204);
    expect(await claimRows()).toEqual([]);

    const task = await createTask(w.t, w.owner, project);
    expect((await claimTask(w.t, key)).statusCode).toBe(200);
    expect((await claimTask(w.t, key)).statusCode).toBe(204);
    expect(await claimRows()).toEqual([
      {
        actor_type: 'agent',
        actor_id: agent,
        action: 'task.claim',
        resource_id: task.id,
        project_id: project,
      },
    ]);
  });

  it('marks the task in_progress, assigned, started, counted and leased (5 minutes unless asked)', async () => {
    const { project, agent, key } = await arena();
    const task = await createTask(w.t, w.owner, project);
    const t0 = Date.now();
    const res = await claimTask(w.t, key);
    const claimed = res.json<TaskJson>();
    expect(claimed).toMatchObject({
      id: task.id,
      status: 'in_progress',
      assigned_to: agent,
      assigned_to_type: 'agent',
      attempts: 1,
      version: task.version + 1,
      completed_at: null,
    });
    expect(ms(claimed.started_at)).toBeGreaterThanOrEqual(t0 - 1000);
    expect(ms(claimed.lease_expires_at) - ms(claimed.started_at)).toBe(300_000);
    expect(await getTask(w.t, w.owner, task.id)).toEqual(claimed);

    await createTask(w.t, w.owner, project);
    const short = (await claimTask(w.t, key, { lease_seconds: 60 })).json<TaskJson>();
    expect(ms(short.lease_expires_at) - ms(short.started_at)).toBe(60_000);
    expectProblem(
      await claimTask(w.t, key, { lease_seconds: 5 }),
      400,
      'REQUEST.VALIDATION_FAILED',
    );
  });

  it('never hands out a task whose dependencies are not all completed', async () => {
    const { project, key } = await arena();
    const first = await createTask(w.t, w.owner, project, { priority: 'low' });
    const second = await createTask(w.t, w.owner, project, {
      priority: 'urgent',
      dependencies: [first.id],
    });
    expect((await claimTask(w.t, key)).json().id).toBe(first.id); // the urgent one waits
    expect((await claimTask(w.t, key)).statusCode).toBe(204);
    await patchTask(w.t, key, first.id, { status: 'completed' });
    expect((await claimTask(w.t, key)).json().id).toBe(second.id);
  });

  it('never hands out a task whose dependency failed or was cancelled: only completed ones count', async () => {
    const { project, key } = await arena();
    const failing = await createTask(w.t, w.owner, project);
    const dropped = await createTask(w.t, w.owner, project);
    await createTask(w.t, w.owner, project, { dependencies: [failing.id] });
    await createTask(w.t, w.owner, project, { dependencies: [dropped.id] });
    expect((await claimTask(w.t, key)).json().id).toBe(failing.id);
    await patchTask(w.t, key, failing.id, { status: 'failed' });
    await patchTask(w.t, w.owner, dropped.id, { status: 'cancelled' });
    expect((await claimTask(w.t, key)).statusCode).toBe(204);
  });

  it('matches required capabilities against the agent’s (all of them, or the subset it asks for)', async () => {
    const { project, key } = await arena(['python', 'sql']);
    const rust = await createTask(w.t, w.owner, project, {
      required_capabilities: ['rust'],
      priority: 'urgent',
    });
    const both = await createTask(w.t, w.owner, project, {
      required_capabilities: ['python', 'sql'],
      priority: 'high',
    });
    const sqlOnly = await createTask(w.t, w.owner, project, { required_capabilities: ['sql'] });

    // Asking for python only: neither the python+sql task nor the sql task is covered.
    expect((await claimTask(w.t, key, { capabilities: ['python'] })).statusCode).toBe(204);
    expect((await claimTask(w.t, key, { capabilities: ['sql'] })).json().id).toBe(sqlOnly.id);
    expect((await claimTask(w.t, key)).json().id).toBe(both.id);
    expect((await claimTask(w.t, key)).statusCode).toBe(204);
    expect((await getTask(w.t, w.owner, rust.id)).status).toBe('pending');

    const unknown = await claimTask(w.t, key, { capabilities: ['sql', 'rust'] });
    expectProblem(unknown, 400, 'TASK.UNKNOWN_CAPABILITY');
    expect(unknown.json().detail).toContain('rust');
  });

  it("counts the use of the agent's capabilities when the tasks that required them end, not at claim", async () => {
    const { project, agent, key } = await arena(['python', 'sql', 'go']);
    await createTask(w.t, w.owner, project, { required_capabilities: ['python', 'sql'] });
    await createTask(w.t, w.owner, project, { required_capabilities: ['sql'] });
    await createTask(w.t, w.owner, project);
    const claimed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await claimTask(w.t, key);
      expect(res.statusCode).toBe(200);
      claimed.push(res.json().id);
    }
    const unused = await query(
      w.db.url,
      `SELECT count(*)::int AS n FROM agent_capabilities WHERE agent_id = $1 AND usage_count > 0`,
      [agent],
    );
    expect(unused).toEqual([{ n: 0 }]);
    for (const id of claimed) await patchTask(w.t, key, id, { status: 'completed' });
    const res = await w.t.request({
      method: 'GET',
      url: `/api/v1/agents/${agent}/capabilities`,
      headers: w.owner,
    });
    type Capability = { capability_name: string; usage_count: number };
    const { capabilities } = res.json<{ capabilities: Capability[] }>();
    const usage = Object.fromEntries(capabilities.map((c) => [c.capability_name, c.usage_count]));
    expect(usage).toEqual({ python: 1, sql: 2, go: 0 });
  });

  it('skips tasks assigned to a user or to another agent, and takes those assigned to itself', async () => {
    const { project, agent, key } = await arena();
    const [other] = await createAgentsWithKeys(w.t, w.owner, project, 1);
    await createTask(w.t, w.owner, project, {
      priority: 'urgent',
      assigned_to: w.ownerId,
      assigned_to_type: 'user',
    });
    const forOther = await createTask(w.t, w.owner, project, {
      priority: 'urgent',
      assigned_to: other.id,
      assigned_to_type: 'agent',
    });
    const forMe = await createTask(w.t, w.owner, project, {
      priority: 'low',
      assigned_to: agent,
      assigned_to_type: 'agent',
    });
    expect((await claimTask(w.t, key)).json().id).toBe(forMe.id);
    expect((await claimTask(w.t, key)).statusCode).toBe(204);
    expect((await claimTask(w.t, other.key)).json().id).toBe(forOther.id);
  });

  it('is for agents of the project only', async () => {
    expectProblem(await claimTask(w.t, w.owner), 403, 'TASK.AGENT_REQUIRED');
    expectProblem(await claimTask(w.t, w.superuser), 403, 'TASK.AGENT_REQUIRED');
    expectProblem(await claimTask(w.t, w.otherProjectAgentKey, { project_id: w.p1 }), 403);
    expectProblem(
      await claimTask(w.t, w.agentKey, { project_id: '00000000-0000-4000-8000-000000000000' }),
      404,
    );
    expectProblem(await claimTask(w.t, {}), 401);
    expectProblem(await claimTask(w.t, w.agentKey, { colour: 'red' }), 400);
    const noBody = await w.t.request({
      method: 'POST',
      url: '/api/v1/tasks/claim',
      headers: w.agentKey,
    });
    expect([200, 204]).toContain(noBody.statusCode);
  });

  it('gives each of 200 tasks to exactly one of 20 concurrent claimers, across two API processes', async () => {
    const { project } = await arena();
    const claimers = await createAgentsWithKeys(w.t, w.owner, project, 20);
    await query(
      w.db.url,
      `INSERT INTO tasks (id, project_id, title, priority)
       SELECT gen_random_uuid(), $1, 'bulk ' || n, (ARRAY['low', 'medium', 'high', 'urgent'])[1 + n % 4]
       FROM generate_series(1, 200) AS n`,
      [project],
    );
    const second: TestApp = await createApiTestApp(w.db.url);
    try {
      const claimedBy = new Map<string, string[]>();
      await Promise.all(
        claimers.map(async ({ id, key }, i) => {
          const app = i % 2 === 0 ? w.t : second;
          for (;;) {
            const res = await claimTask(app, key);
            if (res.statusCode === 204) return;
            expect(res.statusCode).toBe(200);
            const taskId = res.json().id as string;
            claimedBy.set(taskId, [...(claimedBy.get(taskId) ?? []), id]);
          }
        }),
      );
      expect(claimedBy.size).toBe(200);
      expect([...claimedBy.values()].filter((agents) => agents.length !== 1)).toEqual([]);
      const rows = await query<{ status: string; attempts: number; n: number }>(
        w.db.url,
        `SELECT status, attempts, count(*)::int AS n FROM tasks WHERE project_id = $1 GROUP BY status, attempts`,
        [project],
      );
      expect(rows).toEqual([{ status: 'in_progress', attempts: 1, n: 200 }]);
      // Everyone got some work: the claimers really ran side by side.
      const perAgent = new Map<string, number>();
      for (const [agent] of claimedBy.values()) perAgent.set(agent, (perAgent.get(agent) ?? 0) + 1);
      expect(perAgent.size).toBeGreaterThan(10);
    } finally {
      await second.close();
    }
  }, 30_000); // a second app and 220 requests: more than the default 5 s on a busy CI machine

  describe('leases', () => {
    /** `POST /tasks/:id/lease` as `as`, answered as is. */
    const renewLease = (taskId: string, as: AuthHeaders, payload: Record<string, unknown> = {}) =>
      w.t.request({ method: 'POST', url: `/api/v1/tasks/${taskId}/lease`, headers: as, payload });

    it('takes back an expired task (sweeper), then fails it once max_attempts is used up', async () => {
      const { project, key } = await arena();
      const [second] = await createAgentsWithKeys(w.t, w.owner, project, 1);
      const task = await createTask(w.t, w.owner, project, { max_attempts: 2 });

      const first = (await claimTask(w.t, key)).json<TaskJson>();
      expect(first.attempts).toBe(1);
      await expireLease(task.id);
      expect(await sweeper().sweep()).toBeGreaterThanOrEqual(0);
      const requeued = await getTask(w.t, w.owner, task.id);
      expect(requeued).toMatchObject({
        status: 'pending',
        assigned_to: null,
        attempts: 1,
        started_at: null,
        completed_at: null,
        lease_expires_at: null,
        version: first.version + 1,
      });

      // The agent that lost its lease may no longer finish the task.
      expectProblem(
        await patchTask(w.t, key, task.id, { status: 'completed' }),
        403,
        'TASK.NOT_ASSIGNEE',
      );

      const again = (await claimTask(w.t, second.key)).json<TaskJson>();
      expect(again).toMatchObject({ id: task.id, attempts: 2, assigned_to: second.id });
      await expireLease(task.id);
      await sweeper().sweep();
      const failed = await getTask(w.t, w.owner, task.id);
      expect(failed).toMatchObject({
        status: 'failed',
        attempts: 2,
        result: { error: 'lease expired' },
        lease_expires_at: null,
        assigned_to: null,
      });
      expect(ms(failed.completed_at)).toBeGreaterThan(ms(again.started_at) - 1);
      expect(failed.started_at).toBe(again.started_at);
      expect((await claimTask(w.t, key)).statusCode).toBe(204);

      // Reopened, it has its attempts back.
      const reopened = await moveTask(w.t, w.owner, task.id, 'pending');
      expect(reopened).toMatchObject({ status: 'pending', attempts: 0, completed_at: null });
      expect((await claimTask(w.t, key)).json()).toMatchObject({ id: task.id, attempts: 1 });
    });

    it('records each taken-back task in the audit log as the system', async () => {
      const { project, key } = await arena();
      const task = await createTask(w.t, w.owner, project);
      await claimTask(w.t, key);
      await expireLease(task.id);
      await sweeper().sweep();
      const rows = await query(
        w.db.url,
        `SELECT actor_type, actor_id, action, project_id FROM audit_log WHERE resource_id = $1 AND actor_type = 'system'`,
        [task.id],
      );
      expect(rows).toEqual([
        {
          actor_type: 'system',
          actor_id: null,
          action: 'task.lease_expired_requeued',
          project_id: project,
        },
      ]);
    });

    it('is also enforced at claim time, without waiting for the sweeper', async () => {
      const { project, key } = await arena();
      const [rescuer] = await createAgentsWithKeys(w.t, w.owner, project, 1);
      const task = await createTask(w.t, w.owner, project);
      await claimTask(w.t, key);
      await expireLease(task.id);
      const res = await claimTask(w.t, rescuer.key);
      expect(res.json()).toMatchObject({
        id: task.id,
        assigned_to: rescuer.id,
        attempts: 2,
        status: 'in_progress',
      });
    });

    it('leaves live leases alone', async () => {
      const { project, key } = await arena();
      const task = await createTask(w.t, w.owner, project);
      const claimed = (await claimTask(w.t, key)).json();
      await sweeper().sweep();
      expect(await getTask(w.t, w.owner, task.id)).toEqual(claimed);
    });

    it('frees the task of a deleted agent once its lease runs out', async () => {
      const { project, agent: doomed, key: doomedKey } = await arena();
      const task = await createTask(w.t, w.owner, project);
      await claimTask(w.t, doomedKey);
      const deleted = await w.t.request({
        method: 'DELETE',
        url: `/api/v1/agents/${doomed}`,
        headers: w.owner,
      });
      expect(deleted.statusCode).toBe(204);
      expect(await getTask(w.t, w.owner, task.id)).toMatchObject({
        status: 'in_progress',
        assigned_to: null,
      });
      await expireLease(task.id);
      await sweeper().sweep();
      expect((await getTask(w.t, w.owner, task.id)).status).toBe('pending');
    });

    it('lets the holder extend its lease; nobody else', async () => {
      const { project, agent, key } = await arena();
      const [other] = await createAgentsWithKeys(w.t, w.owner, project, 1);
      const task = await createTask(w.t, w.owner, project);
      const claimed = (await claimTask(w.t, key)).json<TaskJson>();
      const lease = (as: AuthHeaders, payload: Record<string, unknown> = {}) =>
        renewLease(task.id, as, payload);

      const t0 = Date.now();
      const extended = await lease(key, { lease_seconds: 3600 });
      expect(extended.statusCode).toBe(200);
      expect(extended.json()).toMatchObject({
        id: task.id,
        assigned_to: agent,
        version: claimed.version + 1,
      });
      expect(ms(extended.json().lease_expires_at) - t0).toBeGreaterThan(3_590_000);
      const byDefault = await lease(key);
      expect(ms(byDefault.json().lease_expires_at) - t0).toBeLessThan(310_000);

      expectProblem(await lease(other.key), 403, 'TASK.NOT_ASSIGNEE');
      expectProblem(await lease(w.owner), 403, 'TASK.AGENT_REQUIRED');
      expectProblem(await lease(w.otherProjectAgentKey), 403);
      expectProblem(await lease(key, { lease_seconds: 10 ** 6 }), 400);

      await patchTask(w.t, key, task.id, { status: 'completed' });
      expectProblem(await lease(key), 409, 'TASK.NOT_LEASED');
      expectProblem(await renewLease('00000000-0000-4000-8000-000000000000', key), 404);
    });

    it('an extended lease survives the sweep that would have taken it back', async () => {
      const { project, key } = await arena();
      const task = await createTask(w.t, w.owner, project);
      await claimTask(w.t, key);
      await expireLease(task.id);
      // The agent is alive after all and says so before any sweeper noticed.
      expect((await renewLease(task.id, key)).statusCode).toBe(200);
      await sweeper().sweep();
      expect((await getTask(w.t, w.owner, task.id)).status).toBe('in_progress');
    });
  });
});
