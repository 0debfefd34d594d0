import {
  createAgent,
  createAgentKey,
  createProject,
  createRoom,
  createTask,
  deactivateUser,
  expectProblem,
  query,
  registerAndLogin,
} from '@agenthub/testing';
import { JwtService } from '@nestjs/jwt';
import { EventRetentionSweeper } from '@agenthub/events';
import { TaskLeaseSweeper } from '@agenthub/tasks';
import { SseClient, SseEvent } from './event-stream.support';
import { useWorld } from './world';

/**
 * Who sees what on `GET /events`, which requests are refused before a stream starts, the
 * task events of every task change, the types filter and the retention gap. One API, on a
 * real socket (server-sent events need one).
 */
jest.setTimeout(60_000);

const world = useWorld();
let base: string;

beforeAll(async () => {
  await world.t.app.listen(0, '127.0.0.1');
  base = `${await world.t.app.getUrl()}/api/v1/events`;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const open = (headers: Record<string, string>, q = '') => SseClient.open(`${base}${q}`, headers);

/** What an event is about, in one word: a task's title, a room message's content, a subject. */
function label(e: SseEvent): string {
  const data = e.json['data'] as Record<string, unknown>;
  return `${e.event}:${String(data['title'] ?? data['content'] ?? data['subject'])}`;
}

/** An event as a domain lib appends it (messages are helper M's: written here in SQL). */
async function appendEvent(
  type: string,
  projectId: string,
  audience: 'project' | 'agent' | 'managers',
  data: Record<string, unknown>,
  agentId: string | null = null,
): Promise<void> {
  await query(
    world.db.url,
    `WITH appended AS (
       INSERT INTO events (type, project_id, audience, agent_id, data) VALUES ($1, $2, $3, $4, $5::jsonb)
       RETURNING tx_id, position)
     SELECT pg_notify('agenthub_events', tx_id::text || '-' || position::text) FROM appended`,
    [type, projectId, audience, agentId, JSON.stringify(data)],
  );
}

describe('GET /events refusals (before any stream starts)', () => {
  const refusals: [string, (w: typeof world) => Record<string, string>, string, number, string][] =
    [
      ['no credentials → 401', () => ({}), '', 401, 'AUTH.UNAUTHENTICATED'],
      [
        'a user, a project it does not manage → 403',
        (w) => w.otherUser,
        'p1',
        403,
        'PROJECT.FORBIDDEN',
      ],
      ['an agent, another project → 403', (w) => w.agentKey, 'p2', 403, 'PROJECT.FORBIDDEN'],
      ['an unknown project → 404', (w) => w.owner, 'unknown', 404, 'PROJECT.NOT_FOUND'],
    ];
  it.each(refusals)('%s', async (_what, headers, project, status, code) => {
    const projectId =
      project === 'p1'
        ? world.p1
        : project === 'p2'
          ? world.p2
          : project === 'unknown'
            ? '00000000-0000-4000-8000-000000000000'
            : undefined;
    const res = await world.t.request({
      method: 'GET',
      url: `/api/v1/events${projectId ? `?project_id=${projectId}` : ''}`,
      headers: headers(world),
    });
    expectProblem(res, status, code);
  });

  it.each([
    ['?last_event_id=12', {}, 'EVENT.INVALID_CURSOR'],
    ['?last_event_id=abc-1', {}, 'EVENT.INVALID_CURSOR'],
    ['', { 'last-event-id': '1-2-3' }, 'EVENT.INVALID_CURSOR'],
    ['?types=task.', {}, 'EVENT.INVALID_TYPES'],
    ['?types=Task.Created', {}, 'EVENT.INVALID_TYPES'],
    ['?types=,', {}, 'EVENT.INVALID_TYPES'],
    ['?project_id=nope', {}, 'REQUEST.VALIDATION_FAILED'],
  ])('%s %j → 400 %s', async (q, headers, code) => {
    const res = await world.t.request({
      method: 'GET',
      url: `/api/v1/events${q}`,
      headers: { ...world.owner, ...headers },
    });
    expectProblem(res, 400, code);
  });
});

describe('GET /events resume position', () => {
  it('?last_event_id= wins over the Last-Event-ID header', async () => {
    const first = await open(world.owner);
    const head = first.lastEventId as string;
    first.close();
    const s = await open(
      { ...world.owner, 'last-event-id': 'not a cursor' },
      `?last_event_id=${head}`,
    );
    expect(s.status).toBe(200);
    expect(s.lastEventId).toBe(head);
    s.close();
  });
});

describe('GET /events visibility', () => {
  it('agents see their project, their own mail and their rooms; users every event of the projects they manage', async () => {
    const r1 = await createRoom(world.t, world.owner, world.p1, 'with A1');
    const r2 = await createRoom(world.t, world.owner, world.p1, 'without A1');
    const joined = await world.t.request({
      method: 'POST',
      url: `/api/v1/rooms/${r1.id}/participants`,
      headers: world.owner,
      payload: { agent_id: world.a1 },
    });
    expect(joined.statusCode).toBe(201);

    const [a1, b1, owner, ownerP1Tasks, other, superuser] = await Promise.all([
      open(world.agentKey),
      open(world.otherProjectAgentKey),
      open(world.owner),
      open(world.owner, `?project_id=${world.p1}&types=task.*`),
      open(world.otherUser),
      open(world.superuser),
    ]);

    await createTask(world.t, world.owner, world.p1, { title: 'p1 task' });
    await createTask(world.t, world.otherUser, world.p2, { title: 'p2 task' });
    for (const [room, content] of [
      [r1.id, 'in room 1'],
      [r2.id, 'in room 2'],
    ])
      expect(
        (
          await world.t.request({
            method: 'POST',
            url: `/api/v1/rooms/${room}/messages`,
            headers: world.owner,
            payload: { content },
          })
        ).statusCode,
      ).toBe(201);
    await appendEvent('message.received', world.p1, 'agent', { subject: 'to A1' }, world.a1);
    await appendEvent('message.received', world.p1, 'agent', { subject: 'to A2' }, world.a2);
    await appendEvent('message.updated', world.p1, 'agent', { subject: 'sent by A1' }, world.a1);
    await appendEvent('message.updated', world.p1, 'managers', { subject: 'sent by owner' });
    await createTask(world.t, world.owner, world.p1, { title: 'p1 end' });
    await createTask(world.t, world.otherUser, world.p2, { title: 'p2 end' });

    const done = (s: SseClient, title: string) =>
      s.waitFor((es) => es.some((e) => label(e) === `task.created:${title}`), 5_000, title);
    await Promise.all([
      done(a1, 'p1 end'),
      done(b1, 'p2 end'),
      done(owner, 'p1 end'),
      done(ownerP1Tasks, 'p1 end'),
      done(other, 'p2 end'),
      done(superuser, 'p2 end'),
      done(superuser, 'p1 end'),
    ]);
    await sleep(200);

    expect(a1.events.map(label)).toEqual([
      'task.created:p1 task',
      'room.message:in room 1',
      'message.received:to A1',
      'message.updated:sent by A1',
      'task.created:p1 end',
    ]);
    expect(b1.events.map(label)).toEqual(['task.created:p2 task', 'task.created:p2 end']);
    expect(owner.events.map(label)).toEqual([
      'task.created:p1 task',
      'room.message:in room 1',
      'room.message:in room 2',
      'message.received:to A1',
      'message.received:to A2',
      'message.updated:sent by A1',
      'message.updated:sent by owner',
      'task.created:p1 end',
    ]);
    expect(ownerP1Tasks.events.map(label)).toEqual(['task.created:p1 task', 'task.created:p1 end']);
    expect(other.events.map(label)).toEqual(['task.created:p2 task', 'task.created:p2 end']);
    expect(superuser.events.map(label)).toEqual([
      'task.created:p1 task',
      'task.created:p2 task',
      ...owner.events.map(label).slice(1, -1),
      'task.created:p1 end',
      'task.created:p2 end',
    ]);
    // The stream's answer is what the document says.
    world.t.checkResponse({
      method: 'GET',
      url: '/api/v1/events',
      status: a1.status,
      contentType: a1.contentType,
      body: '',
    });

    // The room message's data is the message as REST returns it.
    const posted = owner.ofType('room.message')[0].json;
    expect(posted).toMatchObject({
      type: 'room.message',
      project_id: world.p1,
      data: { room_id: r1.id, content: 'in room 1', sender_type: 'user' },
    });
    for (const s of [a1, b1, owner, ownerP1Tasks, other, superuser]) s.close();
  });

  it('?types= takes exact types and prefixes', async () => {
    const s = await open(world.owner, `?types=room.message,message.*&project_id=${world.p1}`);
    await createTask(world.t, world.owner, world.p1, { title: 'filtered out' });
    await appendEvent('message.updated', world.p1, 'managers', { subject: 'kept' });
    await s.waitFor((es) => es.length >= 1);
    await sleep(200);
    expect(s.events.map(label)).toEqual(['message.updated:kept']);
    s.close();
  });
});

describe('stream ends when the user may no longer use it', () => {
  it('a deactivated user: within a second', async () => {
    const user = await registerAndLogin(world.t, 'leaving@events.test');
    const s = await open(user.auth);
    await deactivateUser(world.db.url, user.email);
    const at = Date.now();
    await s.ended;
    expect(Date.now() - at).toBeLessThan(1_000);
  });

  it('an expired access token: when it expires', async () => {
    const user = await registerAndLogin(world.t, 'brief@events.test');
    const token = world.t.app
      .get(JwtService, { strict: false })
      .sign({ sub: user.id }, { expiresIn: 2 });
    const s = await open({ authorization: `Bearer ${token}` });
    expect(s.status).toBe(200);
    const opened = Date.now();
    await s.ended;
    // exp has a resolution of a second; the check runs every half second.
    expect(Date.now() - opened).toBeLessThan(3_000);
  });
});

describe('task events on every path', () => {
  it('create, patch, dependencies, assign, claim, lease, lease expiry and delete each emit the task as REST returns it', async () => {
    const project = await createProject(world.t, world.owner, 'Task events');
    const worker = await createAgent(world.t, world.owner, project.id, { name: 'worker' });
    const key = {
      authorization: `Bearer ${(await createAgentKey(world.t, world.owner, worker.id)).api_key}`,
    };
    const s = await open(world.owner, `?project_id=${project.id}`);
    const req = (
      method: 'PATCH' | 'POST' | 'DELETE',
      url: string,
      payload?: unknown,
      headers = world.owner,
    ) =>
      world.t.request({
        method,
        url: `/api/v1${url}`,
        headers,
        payload: payload as Record<string, unknown>,
      });

    const base = await createTask(world.t, world.owner, project.id, { title: 'base' });
    const task = await createTask(world.t, world.owner, project.id, { title: 'work' });
    const steps: [string, () => Promise<{ statusCode: number; body: string }>][] = [
      ['patch', () => req('PATCH', `/tasks/${task.id}`, { description: 'more' })],
      ['dependencies', () => req('PATCH', `/tasks/${task.id}`, { dependencies: [base.id] })],
      [
        'assign',
        () =>
          req('POST', `/tasks/${base.id}/assign`, {
            assigned_to: worker.id,
            assigned_to_type: 'agent',
          }),
      ],
      ['claim', () => req('POST', '/tasks/claim', {}, key)],
      ['lease', () => req('POST', `/tasks/${base.id}/lease`, { lease_seconds: 60 }, key)],
    ];
    const answers: Record<string, unknown>[] = [];
    for (const [what, step] of steps) {
      const res = await step();
      expect({ what, status: res.statusCode }).toEqual({ what, status: 200 });
      answers.push(JSON.parse(res.body) as Record<string, unknown>);
    }
    // The lease runs out; the sweeper takes the task back.
    await query(
      world.db.url,
      `UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1`,
      [base.id],
    );
    expect(await world.t.app.get(TaskLeaseSweeper).sweep()).toBeGreaterThanOrEqual(1);
    // A PATCH that changes nothing is no event.
    expect((await req('PATCH', `/tasks/${task.id}`, {})).statusCode).toBe(200);
    // Forced delete: the task as it was, and its dependent without the edge.
    expect((await req('DELETE', `/tasks/${base.id}?force=true`)).statusCode).toBe(204);

    await s.waitFor((es) => es.length >= 10);
    await sleep(200);
    const seen = s.events.map((e) => [e.event, (e.json['data'] as { id: string }).id]);
    expect(seen).toEqual([
      ['task.created', base.id],
      ['task.created', task.id],
      ['task.updated', task.id],
      ['task.updated', task.id],
      ['task.updated', base.id],
      ['task.updated', base.id],
      ['task.updated', base.id],
      ['task.updated', base.id],
      ['task.deleted', base.id],
      ['task.updated', task.id],
    ]);
    const data = s.events.map((e) => e.json['data'] as Record<string, unknown>);
    expect(data[0]).toEqual(base);
    expect(data[1]).toEqual(task);
    // Each change's event carries exactly what the request answered.
    expect(data.slice(2, 7)).toEqual(answers);
    expect(data[6]).toMatchObject({ status: 'in_progress', assigned_to: worker.id });
    expect(data[7]).toMatchObject({ id: base.id, status: 'pending', assigned_to: null });
    expect(data[8]).toMatchObject({ id: base.id, status: 'pending' });
    expect(data[9]).toMatchObject({ id: task.id, dependencies: [] });
    s.close();
  });
});

describe('retention', () => {
  it('a cursor older than the retained events gets one gap first, then what is left', async () => {
    const project = await createProject(world.t, world.owner, 'Retention');
    const s = await open(world.owner, `?project_id=${project.id}&types=task.created`);
    const start = s.lastEventId as string;
    for (const title of ['old 1', 'old 2', 'new 1'])
      await createTask(world.t, world.owner, project.id, { title });
    await s.waitFor((es) => es.length >= 3);
    s.close();
    const [old1, old2] = s.events;
    await query(
      world.db.url,
      `UPDATE events SET occurred_at = now() - interval '3 hours'
        WHERE data->>'title' IN ('old 1', 'old 2') AND project_id = $1`,
      [project.id],
    );
    expect(await world.t.app.get(EventRetentionSweeper).sweep(2)).toBe(2);

    const resumed = await open(
      { ...world.owner, 'last-event-id': start },
      `?project_id=${project.id}&types=task.created`,
    );
    await resumed.waitFor((es) => es.length >= 2);
    const [gap, rest] = resumed.events;
    expect(gap.event).toBe('gap');
    expect(gap.json).toMatchObject({ type: 'gap', last_event_id: start, purged_through: old2.id });
    expect(gap.id).toBe(old2.id);
    expect(label(rest)).toBe('task.created:new 1');
    resumed.close();

    // From an event that is still there: no gap.
    const later = await open(
      { ...world.owner, 'last-event-id': old2.id as string },
      `?project_id=${project.id}&types=task.created`,
    );
    await later.waitFor((es) => es.length >= 1);
    await sleep(200);
    expect(later.events.map((e) => e.event)).toEqual(['task.created']);
    later.close();
    expect(old1.id).not.toBe(old2.id);
  });
});
