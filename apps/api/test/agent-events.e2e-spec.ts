import type { InjectOptions } from 'fastify';
import {
  AuthHeaders,
  bearer,
  createAgent,
  createAgentKey,
  expectProblem,
  query,
} from '@agenthub/testing';
import { SseClient, SseEvent } from './event-stream.support';
import { useWorld } from './world';

/**
 * The agents' events on `GET /events`: every change of what `GET /agents/:id` shows is one
 * `agent.*` event with the agent's JSON, seen by the project's agents and managers only; a
 * heartbeat is one only when it changes the status the agent reads as; a refused change is
 * none. One API, on a real socket.
 */
jest.setTimeout(60_000);

const world = useWorld();
let base: string;

beforeAll(async () => {
  await world.t.app.listen(0, '127.0.0.1');
  base = `${await world.t.app.getUrl()}/api/v1/events?types=agent.*`;
});

const streams: SseClient[] = [];
afterEach(() => streams.splice(0).forEach((s) => s.close()));

async function open(headers: AuthHeaders): Promise<SseClient> {
  const stream = await SseClient.open(base, headers);
  expect(stream.status).toBe(200);
  streams.push(stream);
  return stream;
}

const dataOf = (e: SseEvent) => e.json['data'] as Record<string, unknown>;
/** An event in one word: its type and the agent's name. */
const label = (e: SseEvent) => `${e.event}:${String(dataOf(e)['name'])}`;

async function send(
  headers: AuthHeaders,
  request: Omit<InjectOptions, 'headers'>,
  status: number,
): Promise<Record<string, unknown>> {
  const res = await world.t.request({ ...request, headers });
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
  return res.body ? res.json<Record<string, unknown>>() : {};
}

const getAgent = (id: string) =>
  send(world.owner, { method: 'GET', url: `/api/v1/agents/${id}` }, 200);

/**
 * A change of the project's agent A2 after everything the test did: once a stream has it, it
 * has every earlier event it will ever get (one order for all, by transaction).
 */
async function marker(stream: SseClient, nickname: string): Promise<void> {
  await send(
    world.owner,
    { method: 'PATCH', url: `/api/v1/agents/${world.a2}`, payload: { nickname } },
    200,
  );
  await stream.waitFor(
    (events) => events.some((e) => dataOf(e)['nickname'] === nickname),
    5_000,
    `the marker ${nickname}`,
  );
}

describe('agent.* events', () => {
  it('writes one event per change, in order, with the agent as REST shows it, for the project only', async () => {
    const [owner, agent, otherAgent, otherUser] = await Promise.all([
      open(world.owner),
      open(world.agentKey),
      open(world.otherProjectAgentKey),
      open(world.otherUser),
    ]);

    const created = await send(
      world.owner,
      { method: 'POST', url: '/api/v1/agents', payload: { project_id: world.p1, name: 'E1' } },
      201,
    );
    const id = created['id'] as string;
    const deploy = await send(
      world.owner,
      {
        method: 'POST',
        url: '/api/v1/agents/batch',
        payload: {
          project_id: world.p1,
          agents: [
            { name: 'E2', capabilities: ['plan'] },
            { name: 'E1', nickname: 'deployed' },
            // A2 as it already is: written, but nothing changed, so no event.
            { name: 'A2' },
            { name: '' },
          ],
        },
      },
      200,
    );
    expect(deploy).toMatchObject({ success: 3, failed: 1 });
    const e2 = (deploy['deployed'] as { id: string; name: string }[]).find((d) => d.name === 'E2');
    const afterDeploy = await getAgent(id);
    const e2AfterDeploy = await getAgent(e2?.id as string);

    const patch = { method: 'PATCH' as const, url: `/api/v1/agents/${id}` };
    const patched = await send(world.owner, { ...patch, payload: { nickname: 'patched' } }, 200);
    // The same values again change nothing: no event.
    await send(world.owner, { ...patch, payload: { nickname: 'patched' } }, 200);

    const capabilities = { method: 'PUT' as const, url: `/api/v1/agents/${id}/capabilities` };
    await send(
      world.owner,
      { ...capabilities, payload: { capabilities: [{ capability_name: 'review' }] } },
      200,
    );
    const afterPut = await getAgent(id);
    // New details of the same names: the agent's JSON (names only) stays as it was.
    await send(
      world.owner,
      {
        ...capabilities,
        payload: { capabilities: [{ capability_name: 'review', confidence_score: 0.9 }] },
      },
      200,
    );

    const beforeDelete = await getAgent(id);
    await send(world.superuser, { method: 'DELETE', url: `/api/v1/agents/${id}` }, 204);

    await marker(owner, 'after the changes');
    await agent.waitFor((events) => events.length === owner.events.length, 5_000, 'as many');
    const expected = [
      'agent.created:E1',
      'agent.created:E2',
      'agent.updated:E1',
      'agent.updated:E1',
      'agent.updated:E1',
      'agent.deleted:E1',
      'agent.updated:A2',
    ];
    expect(owner.events.map(label)).toEqual(expected);
    expect(agent.events.map(label)).toEqual(expected);
    expect(agent.events.map((e) => e.id)).toEqual(owner.events.map((e) => e.id));

    expect(owner.events.slice(0, 6).map(dataOf)).toEqual([
      created,
      e2AfterDeploy,
      afterDeploy,
      patched,
      afterPut,
      beforeDelete,
    ]);
    expect(afterDeploy).toMatchObject({ nickname: 'deployed' });
    expect(afterPut).toMatchObject({ capabilities: ['review'] });
    for (const e of owner.events) expect(e.json).toMatchObject({ project_id: world.p1 });

    // The other project's principals see their own project's agents only.
    await send(
      world.otherUser,
      { method: 'PATCH', url: `/api/v1/agents/${world.b1}`, payload: { nickname: 'theirs' } },
      200,
    );
    await otherAgent.waitForType('agent.updated');
    await otherUser.waitForType('agent.updated');
    expect(otherAgent.events.map(label)).toEqual(['agent.updated:B1']);
    expect(otherUser.events.map(label)).toEqual(['agent.updated:B1']);
  });

  it('is one agent.updated for a heartbeat that changes the status the agent reads as, none for one that does not', async () => {
    const fresh = await createAgent(world.t, world.owner, world.p1, { name: 'Beats' });
    const key = bearer((await createAgentKey(world.t, world.owner, fresh.id)).api_key);
    const owner = await open(world.owner);
    const heartbeat = (payload?: Record<string, unknown>) =>
      send(key, { method: 'POST', url: `/api/v1/agents/${fresh.id}/heartbeat`, payload }, 200);

    expect(fresh).toMatchObject({ status: 'offline', last_heartbeat: null });
    const online = await heartbeat();
    expect(online).toMatchObject({ status: 'online' });
    const again = await heartbeat();
    expect(again['last_heartbeat']).not.toBe(online['last_heartbeat']);
    const busy = await heartbeat({ status: 'busy' });
    await heartbeat({ status: 'busy' });

    // Its last heartbeat is older than the timeout: it reads as offline, though it reported
    // busy, and the next heartbeat brings it back.
    await query(
      world.db.url,
      `UPDATE agents SET last_heartbeat = now() - interval '1 day' WHERE id = $1`,
      [fresh.id],
    );
    expect(await getAgent(fresh.id)).toMatchObject({ status: 'offline' });
    const back = await heartbeat({ status: 'busy' });

    await marker(owner, 'after the heartbeats');
    expect(owner.events.map(label)).toEqual([
      'agent.updated:Beats',
      'agent.updated:Beats',
      'agent.updated:Beats',
      'agent.updated:A2',
    ]);
    expect(owner.events.slice(0, 3).map(dataOf)).toEqual([online, busy, back]);
    // Going offline by timeout is no event: the event says when it will happen (the default
    // AGENT_HEARTBEAT_TIMEOUT, 60 s, after the heartbeat).
    expect(fresh['heartbeat_expires_at']).toBeNull();
    const expiry = dataOf(owner.events[0]);
    expect(expiry['heartbeat_expires_at']).toBe(online['heartbeat_expires_at']);
    expect(
      Date.parse(String(expiry['heartbeat_expires_at'])) -
        Date.parse(String(expiry['last_heartbeat'])),
    ).toBe(60_000);
  });

  it('writes nothing for a refused change', async () => {
    const owner = await open(world.owner);
    const agent = `/api/v1/agents/${world.a1}`;
    const refused: [AuthHeaders, Omit<InjectOptions, 'headers'>, number, string][] = [
      [
        world.owner,
        { method: 'POST', url: '/api/v1/agents', payload: { project_id: world.p1, name: '' } },
        400,
        'REQUEST.VALIDATION_FAILED',
      ],
      [
        world.otherUser,
        { method: 'POST', url: '/api/v1/agents', payload: { project_id: world.p1, name: 'X' } },
        403,
        'PROJECT.FORBIDDEN',
      ],
      [
        world.owner,
        { method: 'POST', url: '/api/v1/agents', payload: { project_id: world.p1, name: 'A2' } },
        409,
        'AGENT.NAME_TAKEN',
      ],
      [
        world.agentKey,
        {
          method: 'POST',
          url: '/api/v1/agents/batch',
          payload: { project_id: world.p1, agents: [{ name: 'X' }] },
        },
        403,
        'PROJECT.FORBIDDEN',
      ],
      [
        world.owner,
        { method: 'PATCH', url: agent, payload: { status: 'asleep' } },
        400,
        'REQUEST.VALIDATION_FAILED',
      ],
      [
        world.agentKey,
        { method: 'PATCH', url: agent, payload: { nickname: 'mine' } },
        403,
        'PROJECT.FORBIDDEN',
      ],
      [
        world.owner,
        { method: 'PATCH', url: agent, payload: { name: 'A2' } },
        409,
        'AGENT.NAME_TAKEN',
      ],
      [
        world.otherUser,
        {
          method: 'PUT',
          url: `${agent}/capabilities`,
          payload: { capabilities: [{ capability_name: 'x' }] },
        },
        403,
        'PROJECT.FORBIDDEN',
      ],
      [
        world.owner,
        { method: 'POST', url: `${agent}/heartbeat`, payload: { status: 'asleep' } },
        400,
        'REQUEST.VALIDATION_FAILED',
      ],
      [
        world.agentKey,
        { method: 'POST', url: `/api/v1/agents/${world.a2}/heartbeat` },
        403,
        'PROJECT.FORBIDDEN',
      ],
      [world.otherUser, { method: 'DELETE', url: agent }, 403, 'PROJECT.FORBIDDEN'],
    ];
    for (const [headers, request, status, code] of refused) {
      const res = await world.t.request({ ...request, headers });
      expectProblem(res, status, code);
    }

    await marker(owner, 'after the refusals');
    expect(owner.events.map(label)).toEqual(['agent.updated:A2']);
  });
});
