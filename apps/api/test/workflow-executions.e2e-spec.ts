import { TaskLeaseSweeper } from '@agenthub/tasks';
import {
  AuthHeaders,
  claimTask,
  createAgentsWithKeys,
  createProject,
  createWorkflow,
  expectProblem,
  getTask,
  patchTask,
  patchWorkflow,
  query,
  TaskJson,
} from '@agenthub/testing';
import { accessCases, expectAccess, manage, READ, useWorld, World } from './world';

type Step = Record<string, unknown> & { key: string };
type Execution = {
  id: string;
  project_id: string;
  workflow_id: string;
  workflow_version: number;
  status: string;
  current_step: number | null;
  context_data: Record<string, unknown>;
  result_data: Record<string, unknown>;
  started_by: string | null;
  started_by_type: string | null;
  started_at: string;
  completed_at: string | null;
  error_message: string | null;
  steps: { key: string; task_id: string; status: string }[];
};
type StepTask = TaskJson & {
  workflow_execution_id: string | null;
  step_key: string | null;
  inputs: Record<string, unknown> | null;
};

const step = (key: string, fields: Record<string, unknown> = {}): Step => ({
  key,
  title: `Step ${key}`,
  ...fields,
});

/** a → b, a → c, b + c → d */
const DIAMOND = [
  step('a'),
  step('b', { depends_on: ['a'] }),
  step('c', { depends_on: ['a'] }),
  step('d', { depends_on: ['b', 'c'] }),
];

describe('workflow executions', () => {
  const w = useWorld();

  const activeWorkflow = async (projectId: string, steps: Step[]): Promise<string> =>
    (await createWorkflow(w.t, w.owner, projectId, { status: 'active', definition: { steps } })).id;

  const startRequest = (
    as: AuthHeaders,
    workflowId: string,
    payload: Record<string, unknown> = {},
  ) =>
    w.t.request({
      method: 'POST',
      url: `/api/v1/workflows/${workflowId}/executions`,
      headers: as,
      payload,
    });

  async function start(
    as: AuthHeaders,
    workflowId: string,
    payload: Record<string, unknown> = {},
  ): Promise<Execution> {
    const res = await startRequest(as, workflowId, payload);
    expect(res.statusCode).toBe(201);
    return res.json();
  }

  async function execution(id: string): Promise<Execution> {
    const res = await w.t.request({
      method: 'GET',
      url: `/api/v1/workflow-executions/${id}`,
      headers: w.owner,
    });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  const action = (id: string, verb: 'cancel' | 'retry', as: AuthHeaders = w.owner) =>
    w.t.request({ method: 'POST', url: `/api/v1/workflow-executions/${id}/${verb}`, headers: as });

  const taskOf = (e: Execution, key: string) =>
    e.steps.find((s) => s.key === key)?.task_id as string;

  /** A project of its own (so other tests' steps are not claimable) with `n` agents. */
  async function arena(n = 1) {
    const project = (await createProject(w.t, w.owner, 'Workflows')).id;
    const agents = await createAgentsWithKeys(w.t, w.owner, project, n);
    return { project, agents };
  }

  /** Claims the next step as `key` and completes it with `result`; the claimed task, or null. */
  async function runOne(
    key: AuthHeaders,
    result: (task: StepTask) => Record<string, unknown>,
  ): Promise<StepTask | null> {
    const claimed = await claimTask(w.t, key);
    if (claimed.statusCode === 204) return null;
    expect(claimed.statusCode).toBe(200);
    const task = claimed.json<StepTask>();
    const done = await patchTask(w.t, key, task.id, { status: 'completed', result: result(task) });
    expect(done.statusCode).toBe(200);
    return task;
  }

  const eventsOf = (executionId: string) =>
    query<{ type: string }>(
      w.db.url,
      `SELECT type FROM events WHERE type LIKE 'workflow_execution.%' AND data ->> 'id' = $1 ORDER BY tx_id, position`,
      [executionId],
    ).then((rows) => rows.map((r) => r.type));

  it('creates one task per step, in topological order, with its fields, edges and the context as inputs', async () => {
    const { project } = await arena();
    const workflow = await activeWorkflow(project, [
      step('report', { depends_on: ['fetch', 'parse'], priority: 'high', max_attempts: 2 }),
      step('fetch', { required_capabilities: ['http'], description: 'Get the pages' }),
      step('parse', { depends_on: ['fetch'], on_dependency_failure: 'continue' }),
    ]);
    const started = await start(w.owner, workflow, { context_data: { url: 'https://x.test' } });
    expect(started).toMatchObject({
      project_id: project,
      workflow_id: workflow,
      workflow_version: 1,
      status: 'running',
      current_step: 0,
      context_data: { url: 'https://x.test' },
      result_data: {},
      started_by: w.ownerId,
      started_by_type: 'user',
      completed_at: null,
      error_message: null,
    });
    expect(started.steps.map((s) => [s.key, s.status])).toEqual([
      ['fetch', 'pending'],
      ['parse', 'pending'],
      ['report', 'pending'],
    ]);

    const [fetch, parse, report] = (await Promise.all(
      started.steps.map((s) => getTask(w.t, w.owner, s.task_id)),
    )) as StepTask[];
    expect(fetch).toMatchObject({
      workflow_id: workflow,
      workflow_execution_id: started.id,
      step_key: 'fetch',
      step_order: 0,
      title: 'Step fetch',
      description: 'Get the pages',
      required_capabilities: ['http'],
      on_dependency_failure: 'cancel',
      dependencies: [],
      inputs: { context: { url: 'https://x.test' } },
      created_by: w.ownerId,
    });
    expect(parse).toMatchObject({ step_order: 1, on_dependency_failure: 'continue' });
    expect(parse.dependencies).toEqual([fetch.id]);
    expect(report).toMatchObject({ step_order: 2, priority: 'high', max_attempts: 2 });
    expect([...report.dependencies].sort()).toEqual([fetch.id, parse.id].sort());
    expect(await eventsOf(started.id)).toEqual(['workflow_execution.started']);
    const audit = await query(
      w.db.url,
      `SELECT actor_id, action FROM audit_log WHERE resource_id = $1`,
      [started.id],
    );
    expect(audit).toEqual([{ actor_id: w.ownerId, action: 'workflow_execution.start' }]);
  });

  it('runs a diamond with two agents claiming at once, handing each step its parents’ results', async () => {
    const { project, agents } = await arena(2);
    const workflow = await activeWorkflow(project, DIAMOND);
    const started = await start(agents[0].key, workflow, { context_data: { n: 2 } });
    expect(started).toMatchObject({ started_by: agents[0].id, started_by_type: 'agent' });

    const seen: StepTask[] = [];
    const worker = async (key: AuthHeaders) => {
      for (let idle = 0; idle < 20;) {
        const task = await runOne(key, (t) => ({ value: `${t.step_key}!` }));
        if (task) seen.push(task);
        else {
          idle++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        if ((await execution(started.id)).status !== 'running') return;
      }
    };
    await Promise.all(agents.map((a) => worker(a.key)));

    expect(seen.map((t) => t.step_key).sort()).toEqual(['a', 'b', 'c', 'd']);
    const d = seen.find((t) => t.step_key === 'd') as StepTask;
    // The claim answer carries the inputs: no second call needed.
    expect(d.inputs).toEqual({ context: { n: 2 }, b: { value: 'b!' }, c: { value: 'c!' } });
    expect(seen.find((t) => t.step_key === 'b')?.inputs).toEqual({
      context: { n: 2 },
      a: { value: 'a!' },
    });
    const done = await execution(started.id);
    expect(done).toMatchObject({
      status: 'completed',
      current_step: null,
      result_data: {
        a: { value: 'a!' },
        b: { value: 'b!' },
        c: { value: 'c!' },
        d: { value: 'd!' },
      },
      error_message: null,
    });
    expect(done.completed_at).not.toBeNull();
    expect(await eventsOf(started.id)).toEqual([
      'workflow_execution.started',
      'workflow_execution.completed',
    ]);
  });

  it('cancels the dependents of a failed step, transitively, and fails the execution naming it', async () => {
    const { project, agents } = await arena();
    const workflow = await activeWorkflow(project, [
      step('a'),
      step('b', { depends_on: ['a'] }),
      step('c', { depends_on: ['b'] }),
      step('side'),
    ]);
    const started = await start(w.owner, workflow);
    const key = agents[0].key;
    const first = (await claimTask(w.t, key)).json<StepTask>();
    expect(first.step_key).toBe('a');
    expect(
      (await patchTask(w.t, key, first.id, { status: 'failed', result: { error: 'boom' } }))
        .statusCode,
    ).toBe(200);

    let now = await execution(started.id);
    expect(Object.fromEntries(now.steps.map((s) => [s.key, s.status]))).toEqual({
      a: 'failed',
      side: 'pending',
      b: 'cancelled',
      c: 'cancelled',
    });
    expect(now.status).toBe('running');
    expect(now.current_step).toBe(1); // side, the only open step
    await runOne(key, () => ({ ok: true }));
    now = await execution(started.id);
    expect(now).toMatchObject({
      status: 'failed',
      result_data: { side: { ok: true } },
      error_message: 'Steps failed: a; cancelled: b, c',
    });
    expect((await claimTask(w.t, key)).statusCode).toBe(204);
    expect(await eventsOf(started.id)).toEqual([
      'workflow_execution.started',
      'workflow_execution.failed',
    ]);
    const audit = await query(
      w.db.url,
      `SELECT actor_type, action FROM audit_log WHERE resource_id = $1 AND actor_type = 'system'`,
      [started.id],
    );
    expect(audit).toEqual([{ actor_type: 'system', action: 'workflow_execution.failed' }]);
  });

  it('runs a step that continues past a failed dependency, showing the failure in its inputs', async () => {
    const { project, agents } = await arena();
    const workflow = await activeWorkflow(project, [
      step('a'),
      step('ok'),
      step('cleanup', { depends_on: ['a', 'ok'], on_dependency_failure: 'continue' }),
    ]);
    const started = await start(w.owner, workflow);
    const key = agents[0].key;
    const a = (await claimTask(w.t, key)).json<StepTask>();
    await patchTask(w.t, key, a.id, { status: 'failed', result: { error: 'disk full' } });
    // Its other dependency is not final yet: it waits.
    const cleanupId = taskOf(started, 'cleanup');
    expect((await getTask(w.t, w.owner, cleanupId)).status).toBe('pending');
    const ok = await runOne(key, () => ({ rows: 3 }));
    expect(ok?.step_key).toBe('ok');
    const cleanup = await runOne(key, () => ({ cleaned: true }));
    expect(cleanup?.step_key).toBe('cleanup');
    expect(cleanup?.inputs).toEqual({
      context: {},
      a: { status: 'failed', result: { error: 'disk full' } },
      ok: { rows: 3 },
    });
    expect(await execution(started.id)).toMatchObject({
      status: 'failed',
      error_message: 'Steps failed: a',
      result_data: { ok: { rows: 3 }, cleanup: { cleaned: true } },
    });
  });

  it('cancels a running execution: pending and in-progress steps, and the agent’s later update is refused', async () => {
    const { project, agents } = await arena();
    const workflow = await activeWorkflow(project, [step('a'), step('b', { depends_on: ['a'] })]);
    const started = await start(w.owner, workflow);
    const key = agents[0].key;
    const a = (await claimTask(w.t, key)).json<StepTask>();

    const res = await action(started.id, 'cancel');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'cancelled',
      current_step: null,
      steps: [
        { key: 'a', status: 'cancelled' },
        { key: 'b', status: 'cancelled' },
      ],
    });
    expect(res.json().completed_at).not.toBeNull();
    expectProblem(await patchTask(w.t, key, a.id, { status: 'completed' }), 409);
    expectProblem(await action(started.id, 'cancel'), 409, 'WORKFLOW_EXECUTION.NOT_RUNNING');
    expect(await eventsOf(started.id)).toEqual([
      'workflow_execution.started',
      'workflow_execution.cancelled',
    ]);
    const audit = await query(
      w.db.url,
      `SELECT actor_type, action FROM audit_log WHERE resource_id = $1 ORDER BY occurred_at, id`,
      [started.id],
    );
    expect(audit.map((r) => r['action'])).toEqual([
      'workflow_execution.start',
      'workflow_execution.cancel',
    ]);
  });

  it('retries only what failed or was cancelled: completed steps keep their results and are not run again', async () => {
    const { project, agents } = await arena();
    const workflow = await activeWorkflow(project, [
      step('a'),
      step('b', { depends_on: ['a'] }),
      step('c', { depends_on: ['a'] }),
      step('d', { depends_on: ['c'] }),
    ]);
    const started = await start(w.owner, workflow);
    const key = agents[0].key;
    await runOne(key, () => ({ v: 'a' }));
    const next = (await claimTask(w.t, key)).json<StepTask>();
    const other = (await claimTask(w.t, key)).json<StepTask>();
    const [b, c] = next.step_key === 'b' ? [next, other] : [other, next];
    await patchTask(w.t, key, b.id, { status: 'completed', result: { v: 'b' } });
    await patchTask(w.t, key, c.id, { status: 'failed', result: { error: 'flaky' } });
    expect((await execution(started.id)).status).toBe('failed');
    const before = await getTask(w.t, w.owner, b.id);
    expectProblem(await action(started.id, 'cancel'), 409, 'WORKFLOW_EXECUTION.NOT_RUNNING');

    const res = await action(started.id, 'retry');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'running',
      completed_at: null,
      error_message: null,
      result_data: {},
    });
    expect(Object.fromEntries(res.json<Execution>().steps.map((s) => [s.key, s.status]))).toEqual({
      a: 'completed',
      b: 'completed',
      c: 'pending',
      d: 'pending',
    });
    const retried = (await getTask(w.t, w.owner, c.id)) as StepTask;
    expect(retried).toMatchObject({
      status: 'pending',
      attempts: 0,
      assigned_to: null,
      result: null,
    });
    expect(retried.inputs).toEqual({ context: {}, a: { v: 'a' } });
    expect(await getTask(w.t, w.owner, b.id)).toEqual(before);
    expectProblem(await action(started.id, 'retry'), 409, 'WORKFLOW_EXECUTION.NOT_RETRYABLE');

    const ran: string[] = [];
    for (let task; (task = await runOne(key, (t) => ({ v: t.step_key })));)
      ran.push(task.step_key as string);
    expect(ran).toEqual(['c', 'd']);
    expect(await execution(started.id)).toMatchObject({
      status: 'completed',
      result_data: { a: { v: 'a' }, b: { v: 'b' }, c: { v: 'c' }, d: { v: 'd' } },
    });
    expect(await eventsOf(started.id)).toEqual([
      'workflow_execution.started',
      'workflow_execution.failed',
      'workflow_execution.retried',
      'workflow_execution.completed',
    ]);
    expectProblem(await action(started.id, 'retry'), 409, 'WORKFLOW_EXECUTION.NOT_RETRYABLE');
  });

  it('fails a step whose lease expired with its attempts used up, and cancels its dependents', async () => {
    const { project, agents } = await arena();
    const workflow = await activeWorkflow(project, [
      step('a', { max_attempts: 1 }),
      step('b', { depends_on: ['a'] }),
    ]);
    const started = await start(w.owner, workflow);
    const a = (await claimTask(w.t, agents[0].key)).json<StepTask>();
    await query(
      w.db.url,
      `UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1`,
      [a.id],
    );
    expect(await w.t.app.get(TaskLeaseSweeper).sweep()).toBeGreaterThanOrEqual(1);
    expect(await execution(started.id)).toMatchObject({
      status: 'failed',
      steps: [
        { key: 'a', status: 'failed' },
        { key: 'b', status: 'cancelled' },
      ],
    });
  });

  it('keeps a running step in its place: no delete, no new dependencies, no reopening by PATCH', async () => {
    const { project, agents } = await arena();
    const workflow = await activeWorkflow(project, [step('a'), step('b', { depends_on: ['a'] })]);
    const started = await start(w.owner, workflow);
    const a = taskOf(started, 'a');
    const b = taskOf(started, 'b');
    expectProblem(
      await w.t.request({
        method: 'DELETE',
        url: `/api/v1/tasks/${a}?force=true`,
        headers: w.owner,
      }),
      409,
      'TASK.WORKFLOW_STEP_LOCKED',
    );
    expectProblem(
      await patchTask(w.t, w.owner, b, { dependencies: [] }),
      409,
      'TASK.WORKFLOW_STEP_LOCKED',
    );
    for (const placement of [{ step_order: 7 }, { workflow_id: null }])
      expectProblem(await patchTask(w.t, w.owner, b, placement), 409, 'TASK.WORKFLOW_STEP_LOCKED');
    const claimed = (await claimTask(w.t, agents[0].key)).json<StepTask>();
    await patchTask(w.t, agents[0].key, claimed.id, { status: 'failed' });
    expectProblem(
      await patchTask(w.t, w.owner, a, { status: 'pending' }),
      409,
      'TASK.WORKFLOW_STEP_REOPEN',
    );
    // Over: the tasks are the owner's to tidy up.
    expect((await execution(started.id)).status).toBe('failed');
    expect(
      (await w.t.request({ method: 'DELETE', url: `/api/v1/tasks/${b}`, headers: w.owner }))
        .statusCode,
    ).toBe(204);
  });

  it('runs only active workflows, and the version it started with', async () => {
    const { project, agents } = await arena();
    const draft = await createWorkflow(w.t, w.owner, project, {
      definition: { steps: [step('a')] },
    });
    expectProblem(await startRequest(w.owner, draft.id), 409, 'WORKFLOW.NOT_ACTIVE');
    expect((await patchWorkflow(w.t, w.owner, draft.id, { status: 'paused' })).statusCode).toBe(
      200,
    );
    expectProblem(await startRequest(w.owner, draft.id), 409, 'WORKFLOW.NOT_ACTIVE');
    expect((await patchWorkflow(w.t, w.owner, draft.id, { status: 'active' })).statusCode).toBe(
      200,
    );

    const v1 = await start(w.owner, draft.id);
    const changed = await patchWorkflow(w.t, w.owner, draft.id, {
      definition: { steps: [step('x'), step('y', { depends_on: ['x'] })] },
    });
    expect(changed.json().version).toBe(2);
    const v2 = await start(w.owner, draft.id);
    const again1 = await start(w.owner, draft.id, { version: 1 });
    expect([v1, v2, again1].map((e) => [e.workflow_version, e.steps.map((s) => s.key)])).toEqual([
      [1, ['a']],
      [2, ['x', 'y']],
      [1, ['a']],
    ]);
    expectProblem(
      await startRequest(w.owner, draft.id, { version: 3 }),
      404,
      'WORKFLOW.VERSION_NOT_FOUND',
    );
    expectProblem(await startRequest(w.owner, draft.id, { version: 0 }), 400);
    expectProblem(await startRequest(w.owner, draft.id, { context_data: [1] }), 400);
    // The running execution of version 1 still runs version 1's step.
    const claimed = (await claimTask(w.t, agents[0].key)).json<StepTask>();
    expect(claimed).toMatchObject({ workflow_execution_id: v1.id, step_key: 'a' });
  });

  it('lists executions of a workflow and of the caller’s projects, filtered by status', async () => {
    const { project } = await arena();
    const workflow = await activeWorkflow(project, [step('a')]);
    const first = await start(w.owner, workflow);
    const second = await start(w.owner, workflow);
    await action(first.id, 'cancel');
    const list = (url: string, as: AuthHeaders = w.owner) =>
      w.t.request({ method: 'GET', url, headers: as }).then((r) => {
        expect(r.statusCode).toBe(200);
        return r.json<{ items: Execution[]; total: number }>();
      });
    const all = await list(`/api/v1/workflows/${workflow}/executions`);
    expect(all.total).toBe(2);
    expect(all.items.map((e) => e.id)).toEqual([second.id, first.id]);
    expect(all.items[0].steps).toEqual(second.steps);
    const cancelled = await list(`/api/v1/workflows/${workflow}/executions?status=cancelled`);
    expect(cancelled.items.map((e) => e.id)).toEqual([first.id]);
    const running = await list(`/api/v1/workflow-executions?project_id=${project}&status=running`);
    expect(running.items.map((e) => e.id)).toEqual([second.id]);
    expect((await list(`/api/v1/workflow-executions?workflow_id=${workflow}`)).total).toBe(2);
    // Another user's projects hold none of them.
    expect((await list('/api/v1/workflow-executions', w.otherUser)).items).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ workflow_id: workflow })]),
    );
    expectProblem(
      await w.t.request({
        method: 'GET',
        url: '/api/v1/workflow-executions?status=done',
        headers: w.owner,
      }),
      400,
    );
  });

  it('deletes a workflow with its executions and their tasks', async () => {
    const { project } = await arena();
    const workflow = await activeWorkflow(project, DIAMOND);
    const running = await start(w.owner, workflow);
    const res = await w.t.request({
      method: 'DELETE',
      url: `/api/v1/workflows/${workflow}`,
      headers: w.owner,
    });
    expect(res.statusCode).toBe(204);
    const [left] = await query<{ executions: string; tasks: string; edges: string }>(
      w.db.url,
      `SELECT (SELECT count(*) FROM workflow_executions WHERE workflow_id = $1) AS executions,
              (SELECT count(*) FROM tasks WHERE workflow_execution_id = $2) AS tasks,
              (SELECT count(*) FROM task_dependencies WHERE task_id = ANY($3)) AS edges`,
      [workflow, running.id, running.steps.map((s) => s.task_id)],
    );
    expect(left).toEqual({ executions: '0', tasks: '0', edges: '0' });
    expectProblem(
      await w.t.request({
        method: 'GET',
        url: `/api/v1/workflow-executions/${running.id}`,
        headers: w.owner,
      }),
      404,
      'WORKFLOW_EXECUTION.NOT_FOUND',
    );
  });

  describe('who may', () => {
    let workflow: string;
    beforeAll(async () => {
      workflow = await activeWorkflow(w.p1, [step('a')]);
    });
    /** A fresh running execution of P1's workflow, for the routes that change one. */
    const running = async (world: World) => (await start(world.owner, workflow)).id;
    const failed = async (world: World) => {
      const id = await running(world);
      await action(id, 'cancel', world.owner);
      return id;
    };
    const routes = [
      {
        route: 'POST /workflows/:id/executions',
        request: () => ({
          method: 'POST' as const,
          url: `/api/v1/workflows/${workflow}/executions`,
        }),
        expected: { ...READ, owner: 201, superuser: 201, agentKey: 201 },
      },
      {
        route: 'GET /workflows/:id/executions',
        request: () => ({
          method: 'GET' as const,
          url: `/api/v1/workflows/${workflow}/executions`,
        }),
        expected: READ,
      },
      {
        route: 'GET /workflow-executions/:id',
        request: async (world: World) => ({
          method: 'GET' as const,
          url: `/api/v1/workflow-executions/${await running(world)}`,
        }),
        expected: READ,
      },
      {
        route: 'GET /workflow-executions?project_id',
        request: (world: World) => ({
          method: 'GET' as const,
          url: `/api/v1/workflow-executions?project_id=${world.p1}`,
        }),
        expected: READ,
      },
      {
        route: 'POST /workflow-executions/:id/cancel',
        request: async (world: World) => ({
          method: 'POST' as const,
          url: `/api/v1/workflow-executions/${await running(world)}/cancel`,
        }),
        expected: manage(200),
      },
      {
        route: 'POST /workflow-executions/:id/retry',
        request: async (world: World) => ({
          method: 'POST' as const,
          url: `/api/v1/workflow-executions/${await failed(world)}/retry`,
        }),
        expected: manage(200),
      },
    ];
    it.each(accessCases(routes))('%s as %s → %i', async (_route, actor, status, routeCase) => {
      await expectAccess(w, actor, status, routeCase);
    });

    it('tells an agent why it may not cancel', async () => {
      const id = await running(w);
      expectProblem(await action(id, 'cancel', w.agentKey), 403, 'WORKFLOW.AGENT_FORBIDDEN');
      expectProblem(await action(id, 'retry', w.otherUser), 403, 'PROJECT.FORBIDDEN');
    });
  });
});
