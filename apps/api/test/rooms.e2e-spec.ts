import {
  AuthHeaders,
  bearer,
  createAgent,
  createAgentKey,
  createProject,
  createRoom,
  createTask,
  expectProblem,
  query,
} from '@agenthub/testing';
import { ACTORS, ActorName, headersOf, useWorld } from './world';

describe('rooms, participants and messages', () => {
  const w = useWorld();
  /** A room of P1, shared by the tests that only read it or add to it. */
  let room: string;
  beforeAll(async () => {
    room = (await createRoom(w.t, w.owner, w.p1, 'general')).id;
  });
  /** A new room of P1, for a test of its own. */
  const newRoom = async (name: string) => (await createRoom(w.t, w.owner, w.p1, name)).id;

  const req = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    as: AuthHeaders,
    payload?: unknown,
  ) =>
    w.t.request({
      method,
      url: `/api/v1${url}`,
      headers: as,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  /** `POST /rooms`, answered as is: the access tests read the status. */
  const postRoom = (as: AuthHeaders, projectId: string, name: string) =>
    req('POST', '/rooms', as, { project_id: projectId, name });
  const addAgent = (roomId: string, agentId: string, as = w.owner) =>
    req('POST', `/rooms/${roomId}/participants`, as, { agent_id: agentId });
  const addUser = (roomId: string, userId: string) =>
    req('POST', `/rooms/${roomId}/participants`, w.owner, { user_id: userId });

  describe('access matrix', () => {
    const expected: Record<ActorName, { read: number; manage: number }> = {
      owner: { read: 200, manage: 201 },
      superuser: { read: 200, manage: 201 },
      otherUser: { read: 403, manage: 403 },
      agentKey: { read: 200, manage: 403 },
      otherProjectAgentKey: { read: 403, manage: 403 },
      anonymous: { read: 401, manage: 401 },
    };

    it.each(ACTORS)('%s: create, read, list, update, delete rooms of P1', async (actor) => {
      const as = headersOf(w, actor);
      const { read, manage } = expected[actor];
      const created = await postRoom(as, w.p1, `by ${actor}`);
      expect(created.statusCode).toBe(manage);
      expect((await req('GET', `/rooms/${room}`, as)).statusCode).toBe(read);
      expect((await req('GET', `/rooms/${room}/participants`, as)).statusCode).toBe(read);
      expect((await req('GET', `/rooms/${room}/messages`, as)).statusCode).toBe(read);
      expect((await req('GET', `/rooms?project_id=${w.p1}`, as)).statusCode).toBe(read);
      const patch = await req('PATCH', `/rooms/${room}`, as, { description: `seen by ${actor}` });
      expect(patch.statusCode).toBe(manage === 201 ? 200 : manage);
      if (manage !== 201) {
        expectProblem(created, manage);
        expect((await req('DELETE', `/rooms/${room}`, as)).statusCode).toBe(manage);
        expect((await addAgent(room, w.a2, as)).statusCode).toBe(manage);
      } else {
        expect((await req('DELETE', `/rooms/${created.json().id}`, as)).statusCode).toBe(204);
      }
    });

    it('lists only rooms of projects the caller may read', async () => {
      const p2Room = (await createRoom(w.t, w.otherUser, w.p2, 'p2 room')).id;
      const ids = async (as: AuthHeaders) => {
        const page = (await req('GET', '/rooms?limit=500', as)).json<{ items: { id: string }[] }>();
        return page.items.map((r) => r.id);
      };
      expect(await ids(w.owner)).toContain(room);
      expect(await ids(w.owner)).not.toContain(p2Room);
      expect(await ids(w.agentKey)).not.toContain(p2Room);
      expect(await ids(w.otherProjectAgentKey)).toEqual([p2Room]);
      expect(await ids(w.superuser)).toEqual(expect.arrayContaining([room, p2Room]));
    });
  });

  describe('rooms', () => {
    it('creates with snake_case fields, allows duplicate names, reads, updates and paginates', async () => {
      const res = await req('POST', '/rooms', w.owner, {
        project_id: w.p1,
        name: ' ops ',
        description: 'Ops talk',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({
        id: expect.any(String),
        project_id: w.p1,
        name: 'ops',
        description: 'Ops talk',
        created_by: w.ownerId,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      // The broker's rooms were not unique by name either.
      expect((await postRoom(w.owner, w.p1, 'ops')).statusCode).toBe(201);
      const patched = await req('PATCH', `/rooms/${res.json().id}`, w.owner, {
        name: 'ops2',
        description: null,
      });
      expect(patched.json()).toMatchObject({ name: 'ops2', description: null });
      const list = (await req('GET', `/rooms?project_id=${w.p1}&limit=1&offset=1`, w.owner)).json();
      expect(list).toMatchObject({ limit: 1, offset: 1, items: [expect.any(Object)] });
      expect(list.total).toBeGreaterThanOrEqual(3);
    });

    it.each([
      ['no name', { project_id: '00000000-0000-4000-8000-000000000001' }],
      ['blank name', { project_id: '00000000-0000-4000-8000-000000000001', name: '   ' }],
      ['bad project id', { project_id: 'nope', name: 'x' }],
      [
        'unknown field',
        { project_id: '00000000-0000-4000-8000-000000000001', name: 'x', topic: 'y' },
      ],
      ['huge name', { project_id: '00000000-0000-4000-8000-000000000001', name: 'x'.repeat(256) }],
    ])('bad input (%s) → 400', async (_what, body) => {
      expectProblem(await req('POST', '/rooms', w.owner, body), 400);
    });

    it('unknown ids → 404, malformed ids → 400, bad patch → 400', async () => {
      expectProblem(
        await req('GET', '/rooms/00000000-0000-4000-8000-000000000009', w.owner),
        404,
        'ROOM.NOT_FOUND',
      );
      expectProblem(await req('GET', '/rooms/not-a-uuid', w.owner), 400);
      expectProblem(await req('DELETE', `/rooms/${room}/participants/not-a-uuid`, w.owner), 400);
      expectProblem(
        await req('POST', '/rooms', w.owner, {
          project_id: '00000000-0000-4000-8000-000000000009',
          name: 'x',
        }),
        404,
      );
      expectProblem(await req('PATCH', `/rooms/${room}`, w.owner, { name: null }), 400);
      expectProblem(await req('GET', `/rooms?project_id=nope`, w.owner), 400);
      expectProblem(await req('GET', `/rooms/${room}/messages?limit=0`, w.owner), 400);
    });
  });

  describe('participants', () => {
    it('adds agents of the project and the owner/superusers, once each; lists and removes them', async () => {
      const r = await newRoom('members');
      const agent = await addAgent(r, w.a1);
      expect(agent.statusCode).toBe(201);
      expect(agent.json()).toEqual({
        id: expect.any(String),
        room_id: r,
        participant_type: 'agent',
        agent_id: w.a1,
        user_id: null,
        joined_at: expect.any(String),
      });
      expectProblem(await addAgent(r, w.a1), 409, 'ROOM.ALREADY_PARTICIPANT');
      const owner = await addUser(r, w.ownerId);
      expect(owner.json()).toMatchObject({
        participant_type: 'user',
        user_id: w.ownerId,
        agent_id: null,
      });
      expect((await addUser(r, w.superuserId)).statusCode).toBe(201);
      const list = (await req('GET', `/rooms/${r}/participants`, w.agentKey)).json();
      expect(list.total).toBe(3);
      expect(list.items.map((p: { agent_id: string | null }) => p.agent_id)).toEqual([
        w.a1,
        null,
        null,
      ]);
      expect(
        (await req('DELETE', `/rooms/${r}/participants/${agent.json().id}`, w.owner)).statusCode,
      ).toBe(204);
      expectProblem(
        await req('DELETE', `/rooms/${r}/participants/${agent.json().id}`, w.owner),
        404,
        'ROOM.PARTICIPANT_NOT_FOUND',
      );
      expect((await req('GET', `/rooms/${r}/participants`, w.owner)).json().total).toBe(2);
    });

    it('refuses agents of another project, unknown agents, other users, both or neither → 400', async () => {
      expectProblem(await addAgent(room, w.b1), 400, 'ROOM.INVALID_PARTICIPANT');
      expectProblem(
        await addAgent(room, '00000000-0000-4000-8000-000000000009'),
        400,
        'ROOM.INVALID_PARTICIPANT',
      );
      expectProblem(await addAgent(room, w.b1, w.superuser), 400, 'ROOM.INVALID_PARTICIPANT');
      expectProblem(await addUser(room, w.otherUserId), 400, 'ROOM.INVALID_PARTICIPANT');
      expectProblem(
        await req('POST', `/rooms/${room}/participants`, w.owner, {
          agent_id: w.a1,
          user_id: w.ownerId,
        }),
        400,
        'ROOM.INVALID_PARTICIPANT',
      );
      expectProblem(
        await req('POST', `/rooms/${room}/participants`, w.owner, {}),
        400,
        'ROOM.INVALID_PARTICIPANT',
      );
      expectProblem(
        await req('POST', `/rooms/${room}/participants`, w.owner, { agent_id: 'nope' }),
        400,
      );
    });
  });

  describe('messages', () => {
    let r: string;
    beforeAll(async () => {
      r = await newRoom('chat');
      await addAgent(r, w.a1);
    });

    it('managers post as users, participating agents as themselves; listed newest first', async () => {
      const first = await req('POST', `/rooms/${r}/messages`, w.owner, {
        content: 'hello',
        meta: { lang: 'en' },
      });
      expect(first.statusCode).toBe(201);
      expect(first.json()).toEqual({
        id: expect.any(String),
        room_id: r,
        sender_type: 'user',
        sender_id: w.ownerId,
        content: 'hello',
        message_type: 'text',
        meta: { lang: 'en' },
        created_at: expect.any(String),
      });
      const second = await req('POST', `/rooms/${r}/messages`, w.agentKey, {
        content: 'hi there',
        message_type: 'status',
      });
      expect(second.json()).toMatchObject({
        sender_type: 'agent',
        sender_id: w.a1,
        message_type: 'status',
        meta: null,
      });
      const third = await req('POST', `/rooms/${r}/messages`, w.superuser, {
        content: 'admin here',
      });
      expect(third.statusCode).toBe(201);

      const list = (await req('GET', `/rooms/${r}/messages?limit=2`, w.agentKey)).json();
      expect(list).toMatchObject({ total: 3, limit: 2, offset: 0 });
      expect(list.items.map((m: { content: string }) => m.content)).toEqual([
        'admin here',
        'hi there',
      ]);
      const oldest = (await req('GET', `/rooms/${r}/messages?order=asc&limit=1`, w.owner)).json();
      expect(oldest.items[0].content).toBe('hello');
    });

    it('refuses non-participant agents, other users, agents of other projects and anonymous', async () => {
      const a2 = bearer((await createAgentKey(w.t, w.owner, w.a2)).api_key);
      expectProblem(
        await req('POST', `/rooms/${r}/messages`, a2, { content: 'x' }),
        403,
        'ROOM.NOT_PARTICIPANT',
      );
      expectProblem(await req('POST', `/rooms/${r}/messages`, w.otherUser, { content: 'x' }), 403);
      expectProblem(
        await req('POST', `/rooms/${r}/messages`, w.otherProjectAgentKey, { content: 'x' }),
        403,
      );
      expectProblem(await req('POST', `/rooms/${r}/messages`, {}, { content: 'x' }), 401);
    });

    it.each([
      ['no content', {}],
      ['empty content', { content: '' }],
      ['content not a string', { content: 42 }],
      ['meta not an object', { content: 'x', meta: [1] }],
      ['null message_type', { content: 'x', message_type: null }],
      ['unknown field', { content: 'x', sender_id: '00000000-0000-4000-8000-000000000001' }],
    ])('bad input (%s) → 400', async (_what, body) => {
      expectProblem(await req('POST', `/rooms/${r}/messages`, w.owner, body), 400);
    });
  });

  describe('cascades', () => {
    it('deleting an agent removes its participations; its messages stay with no sender', async () => {
      const agent = await createAgent(w.t, w.owner, w.p1, { name: 'short-lived' });
      const r = await newRoom('cascade-agent');
      await addAgent(r, agent.id);
      await query(
        w.db.url,
        `INSERT INTO chat_messages (id, room_id, sender_type, sender_agent_id, content) VALUES (gen_random_uuid(), $1, 'agent', $2, 'bye')`,
        [r, agent.id],
      );
      expect((await req('DELETE', `/agents/${agent.id}`, w.owner)).statusCode).toBe(204);
      expect((await req('GET', `/rooms/${r}/participants`, w.owner)).json().total).toBe(0);
      expect((await req('GET', `/rooms/${r}/messages`, w.owner)).json().items).toEqual([
        expect.objectContaining({ sender_type: 'agent', sender_id: null, content: 'bye' }),
      ]);
    });

    it("deleting a room removes its participants and messages, and clears tasks' room_id", async () => {
      const r = await newRoom('cascade-room');
      await addAgent(r, w.a1);
      await req('POST', `/rooms/${r}/messages`, w.owner, { content: 'doomed' });
      const task = await createTask(w.t, w.owner, w.p1, { title: 'in a room', room_id: r });
      expect(task.room_id).toBe(r);
      expect((await req('DELETE', `/rooms/${r}`, w.owner)).statusCode).toBe(204);
      expectProblem(await req('GET', `/rooms/${r}`, w.owner), 404);
      const left = await query(
        w.db.url,
        `SELECT (SELECT count(*) FROM chat_participants WHERE room_id = $1)::int AS p, (SELECT count(*) FROM chat_messages WHERE room_id = $1)::int AS m`,
        [r],
      );
      expect(left).toEqual([{ p: 0, m: 0 }]);
      expect((await req('GET', `/tasks/${task.id}`, w.owner)).json().room_id).toBeNull();
    });

    it('a task cannot name a room of another project', async () => {
      const p2Room = (await createRoom(w.t, w.otherUser, w.p2, 'elsewhere')).id;
      const res = await req('POST', '/tasks', w.owner, {
        project_id: w.p1,
        title: 'wrong room',
        room_id: p2Room,
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    });

    it('deleting the project removes its rooms', async () => {
      const project = (await createProject(w.t, w.owner, 'Doomed')).id;
      const r = (await createRoom(w.t, w.owner, project, 'gone')).id;
      expect((await req('DELETE', `/projects/${project}`, w.owner)).statusCode).toBe(204);
      expect(await query(w.db.url, `SELECT id FROM chat_rooms WHERE id = $1`, [r])).toEqual([]);
    });
  });
});
