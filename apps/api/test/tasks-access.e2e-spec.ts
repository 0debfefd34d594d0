import { claimTask, createTask, moveTask } from '@agenthub/testing';
import {
  accessCases,
  ActorName,
  Expected,
  expectAccess,
  headersOf,
  manage,
  READ,
  RouteCase,
  useWorld,
  World,
} from './world';

/** What only an agent of the project may do (claim, hold a lease). */
const agentsOnly = (ok: number): Expected => ({
  owner: 403,
  superuser: 403,
  otherUser: 403,
  agentKey: ok,
  otherProjectAgentKey: 403,
  anonymous: 401,
});

/** A fresh task of P1 (made by the owner) for routes that change or remove it. */
const fresh = async (w: World, fields: Record<string, unknown> = {}) =>
  (await createTask(w.t, w.owner, w.p1, fields)).id;

/**
 * Every task route × every kind of caller. Owner and superusers manage; other users get
 * 403; an agent key reads its own project, creates tasks there, changes status/result of
 * tasks assigned to it, claims and holds leases, but deletes and assigns nothing; an agent
 * of another project gets 403; no token → 401.
 */
const ROUTES: RouteCase[] = [
  {
    route: 'POST /tasks',
    request: (w) => ({
      method: 'POST',
      url: '/api/v1/tasks',
      payload: { project_id: w.p1, title: 'new' },
    }),
    expected: { ...manage(201), agentKey: 201 },
  },
  {
    route: 'GET /tasks?project_id',
    request: (w) => ({ method: 'GET', url: `/api/v1/tasks?project_id=${w.p1}` }),
    expected: READ,
  },
  {
    route: 'GET /tasks/:id',
    request: async (w) => ({ method: 'GET', url: `/api/v1/tasks/${await fresh(w)}` }),
    expected: READ,
  },
  {
    route: 'PATCH /tasks/:id (title)',
    request: async (w) => ({
      method: 'PATCH',
      url: `/api/v1/tasks/${await fresh(w)}`,
      payload: { title: 'renamed' },
    }),
    expected: manage(200),
  },
  {
    route: 'PATCH /tasks/:id (status of a task assigned to A1)',
    request: async (w) => ({
      method: 'PATCH',
      url: `/api/v1/tasks/${await fresh(w, { assigned_to: w.a1, assigned_to_type: 'agent' })}`,
      payload: { status: 'in_progress' },
    }),
    expected: { ...manage(200), agentKey: 200 },
  },
  {
    route: 'PATCH /tasks/:id (title of a task assigned to A1)',
    request: async (w) => ({
      method: 'PATCH',
      url: `/api/v1/tasks/${await fresh(w, { assigned_to: w.a1, assigned_to_type: 'agent' })}`,
      payload: { title: 'mine now' },
    }),
    expected: manage(200),
  },
  {
    route: 'PATCH /tasks/:id (status of a task assigned to A2)',
    request: async (w) => ({
      method: 'PATCH',
      url: `/api/v1/tasks/${await fresh(w, { assigned_to: w.a2, assigned_to_type: 'agent' })}`,
      payload: { status: 'cancelled' },
    }),
    expected: manage(200),
  },
  {
    route: 'DELETE /tasks/:id',
    request: async (w) => ({ method: 'DELETE', url: `/api/v1/tasks/${await fresh(w)}` }),
    expected: manage(204),
  },
  {
    route: 'POST /tasks/:id/assign',
    request: async (w) => ({
      method: 'POST',
      url: `/api/v1/tasks/${await fresh(w)}/assign`,
      payload: { assigned_to: w.a2, assigned_to_type: 'agent' },
    }),
    expected: manage(200),
  },
  {
    route: 'POST /tasks/claim (project P1)',
    request: (w) => ({ method: 'POST', url: '/api/v1/tasks/claim', payload: { project_id: w.p1 } }),
    expected: agentsOnly(200),
  },
  {
    route: 'POST /tasks/:id/lease (a task A1 holds)',
    request: async (w) => {
      const id = await fresh(w, { assigned_to: w.a1, assigned_to_type: 'agent' });
      await moveTask(w.t, w.owner, id, 'in_progress');
      return { method: 'POST', url: `/api/v1/tasks/${id}/lease`, payload: {} };
    },
    expected: agentsOnly(200),
  },
];

describe('task routes × callers', () => {
  const world = useWorld();

  it.each(accessCases(ROUTES))('%s as %s → %i', async (_route, actor, status, routeCase) => {
    // Keep one task claimable in P1, so the agent's claim answers 200 rather than 204.
    if (routeCase.route.startsWith('POST /tasks/claim'))
      await createTask(world.t, world.owner, world.p1, { priority: 'urgent' });
    await expectAccess(world, actor, status, routeCase);
  });

  it('lists without project_id only the projects the caller may see (an empty page for strangers)', async () => {
    const task = await createTask(world.t, world.owner, world.p1);
    const list = async (actor: ActorName) => {
      const res = await world.t.request({
        method: 'GET',
        url: '/api/v1/tasks?limit=500',
        headers: headersOf(world, actor),
      });
      return res.json().items.map((t: { id: string }) => t.id);
    };
    expect(await list('owner')).toContain(task.id);
    expect(await list('superuser')).toContain(task.id);
    expect(await list('agentKey')).toContain(task.id);
    expect(await list('otherUser')).not.toContain(task.id);
    expect(await list('otherProjectAgentKey')).not.toContain(task.id);
  });

  it('lets an agent claim only in its own project', async () => {
    await createTask(world.t, world.otherUser, world.p2);
    const res = await claimTask(world.t, world.otherProjectAgentKey);
    expect(res.statusCode).toBe(200);
    expect(res.json().project_id).toBe(world.p2);
  });
});
