import { TaskLeaseSweeper } from '@agenthub/tasks';
import {
  AuthHeaders,
  claimTask,
  createAgent,
  createAgentKey,
  createProject,
  createTask,
  createWorkflow,
  expectProblem,
  patchTask,
  query,
  receiveInbox,
  sendMessage,
} from '@agenthub/testing';
import { useWorld } from './world';

type Point = {
  metric_name: string;
  metric_value: number;
  metric_unit: string | null;
  context: Record<string, unknown> | null;
};

/**
 * What the platform records and learns by itself: points when a task ends under an agent and
 * when an agent acknowledges a message, capability confidence moved by each outcome, and the
 * assignment of a task to the agent most likely to succeed.
 */
describe('performance the platform records and learns from', () => {
  const w = useWorld();

  /** A project of its own with agents (capabilities each) that heartbeat, so they are online. */
  async function fleet(...capabilities: string[][]) {
    const project = (await createProject(w.t, w.owner, 'Fleet')).id;
    const agents: { id: string; name: string; key: AuthHeaders }[] = [];
    for (const [i, caps] of capabilities.entries()) {
      const agent = await createAgent(w.t, w.owner, project, {
        name: `agent-${i}`,
        capabilities: caps,
      });
      const key = {
        authorization: `Bearer ${(await createAgentKey(w.t, w.owner, agent.id)).api_key}`,
      };
      await heartbeat(agent.id, key);
      agents.push({ id: agent.id, name: agent.name, key });
    }
    return { project, agents };
  }

  const heartbeat = async (id: string, key: AuthHeaders, status?: string) => {
    const res = await w.t.request({
      method: 'POST',
      url: `/api/v1/agents/${id}/heartbeat`,
      headers: key,
      payload: status ? { status } : {},
    });
    expect(res.statusCode).toBe(200);
  };

  const pointsOf = (agentId: string) =>
    query<Point>(
      w.db.url,
      `SELECT metric_name, metric_value, metric_unit, context FROM agent_performance
       WHERE agent_id = $1 ORDER BY recorded_at, metric_name`,
      [agentId],
    );

  const confidence = async (agentId: string) =>
    Object.fromEntries(
      (
        await query<{ capability_name: string; confidence: number; usage_count: number }>(
          w.db.url,
          `SELECT capability_name, confidence_score::float AS confidence, usage_count
           FROM agent_capabilities WHERE agent_id = $1`,
          [agentId],
        )
      ).map((r) => [r.capability_name, { confidence: r.confidence, uses: r.usage_count }]),
    );

  /** Claims the next task as the agent and ends it with `status`. */
  async function runOne(key: AuthHeaders, status: 'completed' | 'failed'): Promise<string> {
    const claimed = await claimTask(w.t, key);
    expect(claimed.statusCode).toBe(200);
    const id = claimed.json().id as string;
    expect((await patchTask(w.t, key, id, { status })).statusCode).toBe(200);
    return id;
  }

  describe('points recorded in the transaction of the change', () => {
    it('records duration, success and attempts when a task an agent holds completes or fails', async () => {
      const { project, agents } = await fleet(['code']);
      const [agent] = agents;
      await createTask(w.t, w.owner, project, { required_capabilities: ['code'] });
      const done = await runOne(agent.key, 'completed');
      await createTask(w.t, w.owner, project);
      const failed = await runOne(agent.key, 'failed');

      const points = await pointsOf(agent.id);
      const of = (taskId: string) =>
        Object.fromEntries(
          points.filter((p) => p.context?.['task_id'] === taskId).map((p) => [p.metric_name, p]),
        );
      expect(Object.keys(of(done)).sort()).toEqual([
        'task.attempts',
        'task.duration_seconds',
        'task.succeeded',
      ]);
      expect(of(done)['task.succeeded']).toMatchObject({ metric_value: 1, metric_unit: null });
      expect(of(done)['task.attempts']).toMatchObject({ metric_value: 1 });
      expect(of(done)['task.duration_seconds'].metric_unit).toBe('seconds');
      expect(of(done)['task.duration_seconds'].metric_value).toBeGreaterThanOrEqual(0);
      expect(of(done)['task.duration_seconds'].metric_value).toBeLessThan(60);
      expect(of(done)['task.succeeded'].context).toEqual({ task_id: done, capabilities: ['code'] });
      expect(of(failed)['task.succeeded']).toMatchObject({ metric_value: 0 });
      expect(points).toHaveLength(6);
    });

    it('records nothing more for a later change of a task that already ended, nor for a cancelled one', async () => {
      const { project, agents } = await fleet([]);
      const [agent] = agents;
      await createTask(w.t, w.owner, project);
      const done = await runOne(agent.key, 'completed');
      expect((await patchTask(w.t, agent.key, done, { result: { more: 1 } })).statusCode).toBe(200);
      const cancelled = await createTask(w.t, w.owner, project);
      await claimTask(w.t, agent.key);
      expect(
        (await patchTask(w.t, w.owner, cancelled.id, { status: 'cancelled' })).statusCode,
      ).toBe(200);
      // And a task nobody (no agent) held records nothing either.
      const unheld = await createTask(w.t, w.owner, project);
      await patchTask(w.t, w.owner, unheld.id, { status: 'cancelled' });
      expect((await pointsOf(agent.id)).map((p) => p.context?.['task_id'])).toEqual([
        done,
        done,
        done,
      ]);
    });

    it('records the failure for the agent whose lease expired with the attempts used up', async () => {
      const { project, agents } = await fleet([]);
      const [agent] = agents;
      const task = await createTask(w.t, w.owner, project, { max_attempts: 1 });
      await claimTask(w.t, agent.key);
      await query(
        w.db.url,
        `UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1`,
        [task.id],
      );
      expect(await w.t.app.get(TaskLeaseSweeper).sweep()).toBeGreaterThanOrEqual(1);
      const points = await pointsOf(agent.id);
      expect(Object.fromEntries(points.map((p) => [p.metric_name, p.metric_value]))).toMatchObject({
        'task.succeeded': 0,
        'task.attempts': 1,
      });
      expect(points.every((p) => p.context?.['task_id'] === task.id)).toBe(true);
    });

    it('names the workflow of a step in the points’ context', async () => {
      const { project, agents } = await fleet([]);
      const workflow = await createWorkflow(w.t, w.owner, project, { status: 'active' });
      const started = await w.t.request({
        method: 'POST',
        url: `/api/v1/workflows/${workflow.id}/executions`,
        headers: w.owner,
        payload: {},
      });
      expect(started.statusCode).toBe(201);
      const step = await runOne(agents[0].key, 'completed');
      const [point] = await pointsOf(agents[0].id);
      expect(point.context).toEqual({ task_id: step, workflow_id: workflow.id, capabilities: [] });
    });

    it('records message.ack_latency_seconds for the agent that acknowledges a message', async () => {
      const { agents } = await fleet([], []);
      const [sender, recipient] = agents;
      const [sent] = await sendMessage(w.t, sender.key, {
        recipient_id: recipient.id,
        message_type: 'note',
      });
      const [received] = await receiveInbox(w.t, recipient.key, recipient.id);
      expect(received.id).toBe(sent.id);
      const ack = await w.t.request({
        method: 'POST',
        url: `/api/v1/messages/${sent.id}/ack`,
        headers: recipient.key,
      });
      expect(ack.statusCode).toBe(200);
      const [point] = await pointsOf(recipient.id);
      expect(point).toMatchObject({
        metric_name: 'message.ack_latency_seconds',
        metric_unit: 'seconds',
        context: { message_id: sent.id, message_type: 'note' },
      });
      const { sent_at, acknowledged_at } = ack.json();
      expect(point.metric_value).toBeCloseTo(
        (Date.parse(acknowledged_at) - Date.parse(sent_at)) / 1000,
        3,
      );
      expect(await pointsOf(sender.id)).toEqual([]);
    });
  });

  describe('confidence that learns from outcomes', () => {
    it('moves each required capability toward the outcome by the learning rate, counting its uses', async () => {
      const { project, agents } = await fleet(['code', 'review', 'docs']);
      const [agent] = agents;
      await createTask(w.t, w.owner, project, { required_capabilities: ['code', 'review'] });
      await runOne(agent.key, 'completed');
      // 0.5 + 0.2 · (1 − 0.5)
      expect(await confidence(agent.id)).toEqual({
        code: { confidence: 0.6, uses: 1 },
        review: { confidence: 0.6, uses: 1 },
      });
      await createTask(w.t, w.owner, project, { required_capabilities: ['code'] });
      await runOne(agent.key, 'failed');
      // 0.6 + 0.2 · (0 − 0.6)
      expect(await confidence(agent.id)).toMatchObject({
        code: { confidence: 0.48, uses: 2 },
        review: { confidence: 0.6, uses: 1 },
      });
    });

    it('stays within [0, 1] however long the streak', async () => {
      const { project, agents } = await fleet(['up', 'down']);
      const [agent] = agents;
      for (let i = 0; i < 12; i++) {
        await createTask(w.t, w.owner, project, { required_capabilities: ['up'] });
        await runOne(agent.key, 'completed');
        await createTask(w.t, w.owner, project, { required_capabilities: ['down'] });
        await runOne(agent.key, 'failed');
      }
      const learned = await confidence(agent.id);
      // 1 − 0.5 · 0.8^12 and 0.5 · 0.8^12, to the column's four decimals
      expect(learned['up'].confidence).toBeCloseTo(1 - 0.5 * 0.8 ** 12, 3);
      expect(learned['down'].confidence).toBeCloseTo(0.5 * 0.8 ** 12, 3);
      expect(learned['up'].uses).toBe(12);
      // However many outcomes, never out of [0, 1]: a hand-set 0.9999 that keeps succeeding.
      await query(
        w.db.url,
        `UPDATE agent_capabilities SET confidence_score = 0.9999 WHERE agent_id = $1 AND capability_name = 'up'`,
        [agent.id],
      );
      for (let i = 0; i < 3; i++) {
        await createTask(w.t, w.owner, project, { required_capabilities: ['up'] });
        await runOne(agent.key, 'completed');
      }
      expect((await confidence(agent.id))['up'].confidence).toBeLessThanOrEqual(1);
    });

    it('still lets a manager set a confidence by hand', async () => {
      const { agents } = await fleet(['code']);
      const res = await w.t.request({
        method: 'PUT',
        url: `/api/v1/agents/${agents[0].id}/capabilities`,
        headers: w.owner,
        payload: { capabilities: [{ capability_name: 'code', confidence_score: 0.9 }] },
      });
      expect(res.statusCode).toBe(200);
      expect((await confidence(agents[0].id))['code'].confidence).toBe(0.9);
      // As precise as learning keeps it (four decimals), no more.
      const put = (confidence_score: number) =>
        w.t.request({
          method: 'PUT',
          url: `/api/v1/agents/${agents[0].id}/capabilities`,
          headers: w.owner,
          payload: { capabilities: [{ capability_name: 'code', confidence_score }] },
        });
      expect((await put(0.9125)).statusCode).toBe(200);
      expect((await confidence(agents[0].id))['code'].confidence).toBe(0.9125);
      expectProblem(await put(0.91255), 400, 'REQUEST.VALIDATION_FAILED');
    });
  });

  describe('assignment to the best agent', () => {
    const assign = (taskId: string, payload: Record<string, unknown>, as = w.owner) =>
      w.t.request({
        method: 'POST',
        url: `/api/v1/tasks/${taskId}/assign`,
        headers: as,
        payload,
      });
    const setConfidence = (agentId: string, capability: string, value: number) =>
      query(
        w.db.url,
        `INSERT INTO agent_capabilities (id, agent_id, capability_name, confidence_score)
         VALUES (gen_random_uuid(), $1, $2, $3)
         ON CONFLICT (agent_id, capability_name) DO UPDATE SET confidence_score = $3`,
        [agentId, capability, value],
      );

    it('picks the highest mean confidence over the required capabilities', async () => {
      const { project, agents } = await fleet(['code', 'sql'], ['code', 'sql'], ['code', 'sql']);
      await setConfidence(agents[0].id, 'code', 0.9);
      await setConfidence(agents[0].id, 'sql', 0.1); // mean 0.5
      await setConfidence(agents[1].id, 'code', 0.7);
      await setConfidence(agents[1].id, 'sql', 0.6); // mean 0.65
      await setConfidence(agents[2].id, 'code', 0.95); // sql: the default 0.5, mean 0.725
      const task = await createTask(w.t, w.owner, project, {
        required_capabilities: ['code', 'sql'],
      });
      const res = await assign(task.id, { auto: true });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ assigned_to: agents[2].id, assigned_to_type: 'agent' });
      // Only the required ones count: for sql alone, agent 1 is best.
      const sqlTask = await createTask(w.t, w.owner, project, { required_capabilities: ['sql'] });
      expect((await assign(sqlTask.id, { auto: true })).json().assigned_to).toBe(agents[1].id);
    });

    it('breaks ties by fewer tasks in progress, then by name', async () => {
      const { project, agents } = await fleet(['x'], ['x'], ['x']);
      // agent-0 is busy with one task; agent-1 and agent-2 with none: agent-1 by name.
      await createTask(w.t, w.owner, project, {
        assigned_to: agents[0].id,
        assigned_to_type: 'agent',
      });
      await claimTask(w.t, agents[0].key);
      const task = await createTask(w.t, w.owner, project, { required_capabilities: ['x'] });
      expect((await assign(task.id, { auto: true })).json().assigned_to).toBe(agents[1].id);
    });

    it('skips agents that are offline, stale, in error, inactive or missing a capability, and says 409 when none fits', async () => {
      const { project, agents } = await fleet(
        ['a', 'b'],
        ['a', 'b'],
        ['a', 'b'],
        ['a', 'b'],
        ['a'],
      );
      const [offline, stale, failing, inactive, partial] = agents;
      await heartbeat(offline.id, offline.key, 'offline');
      await query(
        w.db.url,
        `UPDATE agents SET last_heartbeat = now() - interval '10 minutes' WHERE id = $1`,
        [stale.id],
      );
      await heartbeat(failing.id, failing.key, 'error');
      await w.t.request({
        method: 'PATCH',
        url: `/api/v1/agents/${inactive.id}`,
        headers: w.owner,
        payload: { is_active: false },
      });
      // A never-seen agent (no heartbeat at all) is not online either.
      const silent = await createAgent(w.t, w.owner, project, {
        name: 'silent',
        capabilities: ['a', 'b'],
      });
      for (const agent of [offline, stale, failing, inactive, partial, silent])
        await setConfidence(agent.id, 'a', 1);

      const task = await createTask(w.t, w.owner, project, { required_capabilities: ['a', 'b'] });
      expectProblem(await assign(task.id, { auto: true }), 409, 'TASK.NO_ELIGIBLE_AGENT');
      expect((await assign(task.id, { auto: true })).json().detail).toContain('a, b');
      // The one with only `a` is eligible for a task that needs only `a`.
      const onlyA = await createTask(w.t, w.owner, project, { required_capabilities: ['a'] });
      expect((await assign(onlyA.id, { auto: true })).json().assigned_to).toBe(partial.id);
    });

    it('assigns at creation with auto_assign, and creates nothing when no agent fits', async () => {
      const { project, agents } = await fleet(['ops']);
      const res = await w.t.request({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: w.owner,
        payload: {
          project_id: project,
          title: 'Deploy',
          required_capabilities: ['ops'],
          auto_assign: true,
        },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ assigned_to: agents[0].id, assigned_to_type: 'agent' });
      const before = await query(
        w.db.url,
        `SELECT count(*)::int AS n FROM tasks WHERE project_id = $1`,
        [project],
      );
      const none = await w.t.request({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: w.owner,
        payload: {
          project_id: project,
          title: 'Fly',
          required_capabilities: ['wings'],
          auto_assign: true,
        },
      });
      expectProblem(none, 409, 'TASK.NO_ELIGIBLE_AGENT');
      expect(
        await query(w.db.url, `SELECT count(*)::int AS n FROM tasks WHERE project_id = $1`, [
          project,
        ]),
      ).toEqual(before);
    });

    it('refuses auto together with an assignee, a false auto, and agents', async () => {
      const { project, agents } = await fleet([]);
      const task = await createTask(w.t, w.owner, project);
      expectProblem(
        await assign(task.id, { auto: true, assigned_to: agents[0].id, assigned_to_type: 'agent' }),
        400,
        'REQUEST.VALIDATION_FAILED',
      );
      expectProblem(await assign(task.id, { auto: false }), 400, 'REQUEST.VALIDATION_FAILED');
      expectProblem(await assign(task.id, {}), 400, 'REQUEST.VALIDATION_FAILED');
      expectProblem(
        await assign(task.id, { auto: true }, agents[0].key),
        403,
        'TASK.AGENT_FORBIDDEN',
      );
      for (const assignee of [
        { assigned_to: agents[0].id, assigned_to_type: 'agent' },
        { assigned_to: null },
      ])
        expectProblem(
          await w.t.request({
            method: 'POST',
            url: '/api/v1/tasks',
            headers: w.owner,
            payload: { project_id: project, title: 'x', auto_assign: true, ...assignee },
          }),
          400,
          'REQUEST.VALIDATION_FAILED',
        );
      expectProblem(await assign(task.id, { auto: true, assigned_to: null }), 400);
    });
  });
});
