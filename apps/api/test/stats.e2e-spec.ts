import { randomUUID } from 'node:crypto';
import {
  AuthHeaders,
  claimTask,
  createAgentsWithKeys,
  createProject,
  createTask,
  createWorkflow,
  expectProblem,
  messageCall,
  patchTask,
  query,
  receiveInbox,
  sendMessage,
} from '@agenthub/testing';
import { accessCases, expectAccess, READ, RouteCase, useWorld } from './world';

type Stats = {
  project_id: string;
  agents: { by_status: Record<string, number>; total: number };
  tasks: {
    by_status: Record<string, number>;
    by_priority: Record<string, number>;
    total: number;
    completed_last_hour: number;
    failed_last_hour: number;
  };
  messages: { by_status: Record<string, number>; total: number };
  executions: { by_status: Record<string, number>; total: number };
  generated_at: string;
};

describe('GET /projects/:id/stats', () => {
  const w = useWorld();

  const statsRequest = (projectId: string, as: AuthHeaders = w.owner) =>
    w.t.request({ method: 'GET', url: `/api/v1/projects/${projectId}/stats`, headers: as });

  async function stats(projectId: string, as: AuthHeaders = w.owner): Promise<Stats> {
    const res = await statsRequest(projectId, as);
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  it('answers zeros under every status and priority for an empty project', async () => {
    const project = (await createProject(w.t, w.owner, 'Empty')).id;
    const before = Date.now();
    const body = await stats(project);
    expect(body).toEqual({
      project_id: project,
      agents: {
        by_status: { offline: 0, online: 0, idle: 0, active: 0, busy: 0, error: 0 },
        total: 0,
      },
      tasks: {
        by_status: { pending: 0, in_progress: 0, completed: 0, failed: 0, cancelled: 0 },
        by_priority: { low: 0, medium: 0, high: 0, urgent: 0 },
        total: 0,
        completed_last_hour: 0,
        failed_last_hour: 0,
      },
      messages: {
        by_status: { pending: 0, sent: 0, delivered: 0, acknowledged: 0, failed: 0, expired: 0 },
        total: 0,
      },
      executions: { by_status: { running: 0, completed: 0, failed: 0, cancelled: 0 }, total: 0 },
      generated_at: expect.any(String),
    });
    expect(Math.abs(Date.parse(body.generated_at) - before)).toBeLessThan(60_000);
  });

  it('counts what happened in the project through the API, and nothing of other projects', async () => {
    const project = (await createProject(w.t, w.owner, 'Busy')).id;
    const [worker, peer, idle] = await createAgentsWithKeys(w.t, w.owner, project, 3);
    const heartbeat = (agent: { id: string; key: AuthHeaders }, status: string) =>
      w.t.request({
        method: 'POST',
        url: `/api/v1/agents/${agent.id}/heartbeat`,
        headers: agent.key,
        payload: { status },
      });
    expect((await heartbeat(worker, 'busy')).statusCode).toBe(200);
    expect((await heartbeat(peer, 'online')).statusCode).toBe(200);
    expect((await heartbeat(idle, 'idle')).statusCode).toBe(200);
    // A heartbeat older than the timeout: the agent reads as offline, whatever it said.
    await query(
      w.db.url,
      `UPDATE agents SET last_heartbeat = now() - interval '1 day' WHERE id = $1`,
      [idle.id],
    );

    // Tasks: two pending (urgent, low), one in progress, one completed, one failed, one cancelled.
    const complete = await createTask(w.t, w.owner, project, { priority: 'high' });
    const fail = await createTask(w.t, w.owner, project, { priority: 'high' });
    const run = await createTask(w.t, w.owner, project, { priority: 'medium' });
    for (const [task, status] of [
      [complete, 'completed'],
      [fail, 'failed'],
    ] as const) {
      const claimed = await claimTask(w.t, worker.key);
      expect(claimed.json()).toMatchObject({ id: task.id });
      expect((await patchTask(w.t, worker.key, task.id, { status })).statusCode).toBe(200);
    }
    expect((await claimTask(w.t, worker.key)).json()).toMatchObject({ id: run.id });
    const cancel = await createTask(w.t, w.owner, project, { priority: 'low' });
    expect((await patchTask(w.t, w.owner, cancel.id, { status: 'cancelled' })).statusCode).toBe(
      200,
    );
    await createTask(w.t, w.owner, project, { priority: 'urgent' });
    await createTask(w.t, w.owner, project, { priority: 'low' });

    // Messages: one acknowledged, one delivered to its recipient, one pending.
    await sendMessage(w.t, worker.key, { recipient_id: peer.id, subject: 'a' });
    await sendMessage(w.t, worker.key, { recipient_id: peer.id, subject: 'b' });
    const [acked, handed] = await receiveInbox(w.t, peer.key, peer.id, { limit: 2 });
    expect((await messageCall(w.t, peer.key, acked.id, 'ack')).statusCode).toBe(200);
    expect((await messageCall(w.t, peer.key, handed.id, 'delivered')).statusCode).toBe(200);
    await sendMessage(w.t, peer.key, { recipient_id: worker.id });

    // Executions: one running (its step is a pending task too).
    const workflow = await createWorkflow(w.t, w.owner, project, {
      status: 'active',
      definition: { steps: [{ key: 'only', title: 'Only step' }] },
    });
    const started = await w.t.request({
      method: 'POST',
      url: `/api/v1/workflows/${workflow.id}/executions`,
      headers: w.owner,
      payload: {},
    });
    expect(started.statusCode).toBe(201);

    // Noise elsewhere, in the world's P1.
    await createTask(w.t, w.owner, w.p1);

    const body = await stats(project, worker.key);
    expect(body).toMatchObject({
      project_id: project,
      agents: { by_status: { busy: 1, online: 1, offline: 1, idle: 0 }, total: 3 },
      tasks: {
        by_status: { pending: 3, in_progress: 1, completed: 1, failed: 1, cancelled: 1 },
        by_priority: { low: 2, medium: 2, high: 2, urgent: 1 },
        total: 7,
        completed_last_hour: 1,
        failed_last_hour: 1,
      },
      messages: {
        by_status: { pending: 1, sent: 0, delivered: 1, acknowledged: 1, failed: 0, expired: 0 },
        total: 3,
      },
      executions: { by_status: { running: 1, completed: 0, failed: 0, cancelled: 0 }, total: 1 },
    });
  });

  it('counts agents by the same status GET /agents shows and filters by', async () => {
    const project = (await createProject(w.t, w.owner, 'Heartbeats')).id;
    const agents = await createAgentsWithKeys(w.t, w.owner, project, 4);
    for (const [i, status] of ['online', 'busy', 'error', 'online'].entries()) {
      const res = await w.t.request({
        method: 'POST',
        url: `/api/v1/agents/${agents[i].id}/heartbeat`,
        headers: agents[i].key,
        payload: { status },
      });
      expect(res.statusCode).toBe(200);
    }
    await query(
      w.db.url,
      `UPDATE agents SET last_heartbeat = now() - interval '10 minutes' WHERE id = ANY($1)`,
      [[agents[1].id, agents[3].id]],
    );
    const body = await stats(project);
    for (const [status, n] of Object.entries(body.agents.by_status)) {
      const listed = await w.t.request({
        method: 'GET',
        url: `/api/v1/agents?project_id=${project}&status=${status}`,
        headers: w.owner,
      });
      expect({ status, total: listed.json().total }).toEqual({ status, total: n });
    }
    expect(body.agents.by_status).toMatchObject({ online: 1, error: 1, offline: 2, busy: 0 });
  });

  it('tells a missing project (404) from a malformed id (400)', async () => {
    expectProblem(await statsRequest(randomUUID()), 404, 'PROJECT.NOT_FOUND');
    expectProblem(await statsRequest('not-a-uuid'), 400, 'REQUEST.INVALID_ID');
  });

  describe('access', () => {
    const routes: RouteCase[] = [
      {
        route: 'GET /projects/:id/stats (P1)',
        request: (world) => ({ method: 'GET', url: `/api/v1/projects/${world.p1}/stats` }),
        expected: READ,
      },
    ];
    it.each(accessCases(routes))('%s as %s → %i', async (_route, actor, status, routeCase) => {
      await expectAccess(w, actor, status, routeCase);
    });
  });
});
