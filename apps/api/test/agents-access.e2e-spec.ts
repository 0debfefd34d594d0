import { createAgent, createAgentKey, expectProblem } from '@agenthub/testing';
import {
  accessCases,
  ActorName,
  expectAccess,
  headersOf,
  manage,
  READ,
  RouteCase,
  useWorld,
} from './world';

let uniq = 0;
const freshName = () => `fresh-${++uniq}`;

/**
 * Every agent route × every kind of caller. Owner and superusers manage; other users get 403;
 * an agent key reads its own project (and heartbeats itself) but changes nothing; no token → 401.
 */
const ROUTES: RouteCase[] = [
  {
    route: 'POST /agents',
    request: (w) => ({
      method: 'POST',
      url: '/api/v1/agents',
      payload: { project_id: w.p1, name: freshName() },
    }),
    expected: manage(201),
  },
  {
    route: 'GET /agents?project_id',
    request: (w) => ({ method: 'GET', url: `/api/v1/agents?project_id=${w.p1}` }),
    expected: READ,
  },
  {
    route: 'GET /agents/:id',
    request: (w) => ({ method: 'GET', url: `/api/v1/agents/${w.a1}` }),
    expected: READ,
  },
  {
    route: 'PATCH /agents/:id',
    request: (w) => ({
      method: 'PATCH',
      url: `/api/v1/agents/${w.a2}`,
      payload: { nickname: freshName() },
    }),
    expected: manage(200),
  },
  {
    route: 'DELETE /agents/:id',
    request: async (w) => ({
      method: 'DELETE',
      url: `/api/v1/agents/${(await createAgent(w.t, w.owner, w.p1)).id}`,
    }),
    expected: manage(204),
  },
  {
    route: 'POST /agents/batch',
    request: (w) => ({
      method: 'POST',
      url: '/api/v1/agents/batch',
      payload: { project_id: w.p1, agents: [{ name: freshName() }] },
    }),
    expected: manage(200),
  },
  {
    route: 'POST /agents/:id/heartbeat (A1, whose key agentKey is)',
    request: (w) => ({ method: 'POST', url: `/api/v1/agents/${w.a1}/heartbeat`, payload: {} }),
    expected: READ,
  },
  {
    route: 'POST /agents/:id/heartbeat (A2, another agent of the project)',
    request: (w) => ({
      method: 'POST',
      url: `/api/v1/agents/${w.a2}/heartbeat`,
      payload: { status: 'busy' },
    }),
    expected: manage(200),
  },
  {
    route: 'GET /agents/:id/capabilities',
    request: (w) => ({ method: 'GET', url: `/api/v1/agents/${w.a1}/capabilities` }),
    expected: READ,
  },
  {
    route: 'PUT /agents/:id/capabilities',
    request: (w) => ({
      method: 'PUT',
      url: `/api/v1/agents/${w.a2}/capabilities`,
      payload: { capabilities: [{ capability_name: 'plan' }] },
    }),
    expected: manage(200),
  },
  {
    route: 'POST /agents/:id/api-keys',
    request: (w) => ({ method: 'POST', url: `/api/v1/agents/${w.a2}/api-keys`, payload: {} }),
    expected: manage(201),
  },
  {
    route: 'POST /agents/:id/api-keys (its own)',
    request: (w) => ({ method: 'POST', url: `/api/v1/agents/${w.a1}/api-keys`, payload: {} }),
    expected: manage(201),
  },
  {
    route: 'GET /agents/:id/api-keys',
    request: (w) => ({ method: 'GET', url: `/api/v1/agents/${w.a1}/api-keys` }),
    expected: manage(200),
  },
  {
    route: 'DELETE /agents/:id/api-keys/:key_id',
    request: async (w) => {
      const key = await createAgentKey(w.t, w.owner, w.a2);
      return { method: 'DELETE', url: `/api/v1/agents/${w.a2}/api-keys/${key.id}` };
    },
    expected: manage(204),
  },
];

describe('agent routes × callers', () => {
  const world = useWorld();

  it.each(accessCases(ROUTES))('%s as %s → %i', (_route, actor, status, routeCase) =>
    expectAccess(world, actor, status, routeCase),
  );

  it('answers unknown agents with 404 before any access question, and malformed ids with 400', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const [method, url] of [
      ['GET', `/api/v1/agents/${unknown}`],
      ['PATCH', `/api/v1/agents/${unknown}`],
      ['DELETE', `/api/v1/agents/${unknown}`],
      ['POST', `/api/v1/agents/${unknown}/heartbeat`],
      ['GET', `/api/v1/agents/${unknown}/capabilities`],
      ['PUT', `/api/v1/agents/${unknown}/capabilities`],
      ['POST', `/api/v1/agents/${unknown}/api-keys`],
      ['GET', `/api/v1/agents/${unknown}/api-keys`],
      ['DELETE', `/api/v1/agents/${unknown}/api-keys/${unknown}`],
    ] as const) {
      const payload =
        method === 'PUT'
          ? { capabilities: [] }
          : method === 'GET' || method === 'DELETE'
            ? undefined
            : {};
      const res = await world.t.request({ method, url, headers: world.owner, payload });
      expectProblem(res, 404);
      const bad = await world.t.request({
        method,
        url: url.replace(unknown, 'not-a-uuid'),
        headers: world.owner,
        payload,
      });
      expectProblem(bad, 400, 'REQUEST.INVALID_ID');
    }
    const badKeyId = await world.t.request({
      method: 'DELETE',
      url: `/api/v1/agents/${world.a1}/api-keys/123`,
      headers: world.owner,
    });
    expectProblem(badKeyId, 400, 'REQUEST.INVALID_ID');
    const unknownKey = await world.t.request({
      method: 'DELETE',
      url: `/api/v1/agents/${world.a1}/api-keys/${unknown}`,
      headers: world.owner,
    });
    expectProblem(unknownKey, 404, 'AGENT_KEY.NOT_FOUND');
  });

  it('lists, without project_id, exactly the agents of the projects the caller may see', async () => {
    const names = async (actor: ActorName) => {
      const res = await world.t.request({
        method: 'GET',
        url: '/api/v1/agents?limit=500',
        headers: headersOf(world, actor),
      });
      expect(res.statusCode).toBe(200);
      return new Set<string>(res.json().items.map((a: { project_id: string }) => a.project_id));
    };
    expect(await names('owner')).toEqual(new Set([world.p1]));
    expect(await names('otherUser')).toEqual(new Set([world.p2]));
    expect(await names('superuser')).toEqual(new Set([world.p1, world.p2]));
    expect(await names('agentKey')).toEqual(new Set([world.p1]));
    expect(await names('otherProjectAgentKey')).toEqual(new Set([world.p2]));
    expectProblem(await world.t.request({ method: 'GET', url: '/api/v1/agents' }), 401);
  });

  it('refuses to create an agent in a project that does not exist (404) or someone else’s (403)', async () => {
    const unknown = await world.t.request({
      method: 'POST',
      url: '/api/v1/agents',
      headers: world.owner,
      payload: { project_id: '00000000-0000-4000-8000-000000000000', name: 'x' },
    });
    expectProblem(unknown, 404, 'PROJECT.NOT_FOUND');
    const foreign = await world.t.request({
      method: 'POST',
      url: '/api/v1/agents',
      headers: world.owner,
      payload: { project_id: world.p2, name: 'x' },
    });
    expectProblem(foreign, 403);
  });
});
