import { PRIORITY_RANK, TASK_PRIORITIES } from '@agenthub/tasks';
import {
  AuthHeaders,
  createAgent,
  createAgentsWithKeys,
  createProject,
  createRoom,
  createWorkflow,
  createSuperuser,
  createTask,
  expectProblem,
  getTask,
  getTaskRequest,
  patchTask,
  query,
} from '@agenthub/testing';
import { useWorld } from './world';

describe('tasks', () => {
  const w = useWorld();
  /** DELETE of an agent or a task as the owner, answered as is. */
  const remove = (what: 'agents' | 'tasks', id: string, search = '') =>
    w.t.request({ method: 'DELETE', url: `/api/v1/${what}/${id}${search}`, headers: w.owner });

  describe('create and read', () => {
    it('creates a task with the broker’s TaskDB fields and defaults, and reads it back', async () => {
      const res = await w.t.request({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: w.owner,
        payload: {
          project_id: w.p1,
          title: '  Write the report ',
          description: 'Quarterly numbers',
          due_date: '2030-01-02T03:04:05Z',
        },
      });
      expect(res.statusCode).toBe(201);
      const task = res.json();
      expect(task).toEqual({
        id: expect.any(String),
        project_id: w.p1,
        room_id: null,
        workflow_id: null,
        workflow_execution_id: null,
        step_key: null,
        on_dependency_failure: null,
        inputs: null,
        step_order: null,
        title: 'Write the report',
        description: 'Quarterly numbers',
        status: 'pending',
        priority: 'medium',
        assigned_to: null,
        assigned_to_type: null,
        created_by: expect.any(String),
        created_by_type: 'user',
        dependencies: [],
        required_capabilities: [],
        result: null,
        parts: null,
        attempts: 0,
        max_attempts: 3,
        lease_expires_at: null,
        version: 1,
        due_date: '2030-01-02T03:04:05.000Z',
        started_at: null,
        completed_at: null,
        created_at: expect.stringMatching(/Z$/),
        updated_at: expect.stringMatching(/Z$/),
      });
      expect(await getTask(w.t, w.owner, task.id)).toEqual(task);
    });

    it('keeps workflow and room ids, step order and required capabilities', async () => {
      // A task's room and workflow must be its project's (composite foreign keys).
      const room = await createRoom(w.t, w.owner, w.p1);
      const workflow = await createWorkflow(w.t, w.owner, w.p1);
      const fields = {
        workflow_id: workflow.id,
        room_id: room.id,
        step_order: 2,
        required_capabilities: ['code', 'review'],
        max_attempts: 5,
        priority: 'urgent',
      };
      const task = await createTask(w.t, w.owner, w.p1, fields);
      expect(task).toMatchObject(fields);
      const elsewhere = await createWorkflow(w.t, w.otherUser, w.p2);
      for (const workflow_id of [elsewhere.id, '00000000-0000-4000-8000-000000000001']) {
        const res = await w.t.request({
          method: 'POST',
          url: '/api/v1/tasks',
          headers: w.owner,
          payload: { project_id: w.p1, title: 'Stray', workflow_id },
        });
        expectProblem(res, 409, 'RESOURCE.REFERENCE_VIOLATION');
      }
    });

    it('records the creating user, and keeps the task (created_by null) when that user is deleted', async () => {
      const leaver = await createSuperuser(w.t, w.db.url, 'leaver@tasks.test');
      const task = await createTask(w.t, leaver.auth, w.p1);
      expect(task).toMatchObject({ created_by: leaver.id, created_by_type: 'user' });
      await query(w.db.url, `DELETE FROM users WHERE id = $1`, [leaver.id]);
      expect(await getTask(w.t, w.owner, task.id)).toMatchObject({
        created_by: null,
        created_by_type: null,
      });
    });

    it('records an agent that creates a task in its own project, and keeps the task when the agent is deleted', async () => {
      const task = await createTask(w.t, w.agentKey, w.p1);
      expect(task).toMatchObject({ created_by: w.a1, created_by_type: 'agent' });

      const [temp] = await createAgentsWithKeys(w.t, w.owner, w.p1, 1);
      const byTemp = await createTask(w.t, temp.key, w.p1);
      expect(byTemp).toMatchObject({ created_by: temp.id, created_by_type: 'agent' });
      expect((await remove('agents', temp.id)).statusCode).toBe(204);
      expect(await getTask(w.t, w.owner, byTemp.id)).toMatchObject({
        created_by: null,
        created_by_type: null,
      });
    });

    it.each([
      ['an unknown field', { colour: 'red' }, 'colour'],
      ['a blank title', { title: '   ' }, 'title'],
      ['a title over 500 characters', { title: 'x'.repeat(501) }, 'title'],
      ['an unknown priority', { priority: 'asap' }, 'priority'],
      ['a status (new tasks are pending)', { status: 'completed' }, 'status'],
      ['a malformed dependency id', { dependencies: ['nope'] }, 'dependencies'],
      [
        'a dependency listed twice',
        {
          dependencies: [
            '00000000-0000-4000-8000-000000000001',
            '00000000-0000-4000-8000-000000000001',
          ],
        },
        'dependencies',
      ],
      ['max_attempts 0', { max_attempts: 0 }, 'max_attempts'],
      ['a due_date that is not a date', { due_date: 'tomorrow' }, 'due_date'],
      [
        'an assignee without its type',
        { assigned_to: '00000000-0000-4000-8000-000000000001' },
        'assigned_to_type',
      ],
      [
        'capabilities that are not strings',
        { required_capabilities: [1] },
        'required_capabilities',
      ],
    ])('refuses %s with a 400 naming the field', async (_what, fields, field) => {
      const res = await w.t.request({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: w.owner,
        payload: { title: 'ok', project_id: w.p1, ...fields },
      });
      expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      expect(Object.keys(res.json().errors)).toContain(field);
    });

    it('answers 404 for a task that does not exist and 400 for a malformed id', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      expectProblem(await getTaskRequest(w.t, w.owner, unknown), 404, 'TASK.NOT_FOUND');
      expectProblem(await getTaskRequest(w.t, w.owner, '123'), 400, 'REQUEST.INVALID_ID');
    });

    it('answers 404 for a project that does not exist', async () => {
      const res = await w.t.request({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: w.owner,
        payload: { title: 'x', project_id: '00000000-0000-4000-8000-000000000000' },
      });
      expectProblem(res, 404, 'PROJECT.NOT_FOUND');
    });
  });

  describe('dependencies', () => {
    /** Writes a dependency edge of P1 in SQL, past the API's checks. */
    const insertEdge = (taskId: string, dependsOnId: string) =>
      query(
        w.db.url,
        `INSERT INTO task_dependencies (project_id, task_id, depends_on_id) VALUES ($1, $2, $3)`,
        [w.p1, taskId, dependsOnId],
      );

    it('stores dependencies as task ids and replaces them with PATCH', async () => {
      const a = await createTask(w.t, w.owner, w.p1);
      const b = await createTask(w.t, w.owner, w.p1);
      const c = await createTask(w.t, w.owner, w.p1, { dependencies: [a.id, b.id] });
      expect(c.dependencies).toEqual([a.id, b.id]);
      const patched = await patchTask(w.t, w.owner, c.id, { dependencies: [b.id] });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ dependencies: [b.id], version: c.version + 1 });
      expect((await getTask(w.t, w.owner, c.id)).dependencies).toEqual([b.id]);
      const edges = await query<{ depends_on_id: string }>(
        w.db.url,
        `SELECT depends_on_id FROM task_dependencies WHERE task_id = $1`,
        [c.id],
      );
      expect(edges.map((e) => e.depends_on_id)).toEqual([b.id]);
    });

    it('refuses a dependency that does not exist (400) and writes nothing', async () => {
      const missing = '00000000-0000-4000-8000-00000000dead';
      const before = await query(w.db.url, `SELECT count(*)::int AS n FROM tasks`);
      const res = await w.t.request({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: w.owner,
        payload: { title: 'x', project_id: w.p1, dependencies: [missing] },
      });
      expectProblem(res, 400, 'TASK.INVALID_DEPENDENCY');
      expect(res.json().detail).toContain(missing);
      expect(await query(w.db.url, `SELECT count(*)::int AS n FROM tasks`)).toEqual(before);
    });

    it('refuses a dependency in another project (400), on create and on update', async () => {
      const foreign = await createTask(w.t, w.otherUser, w.p2);
      const res = await w.t.request({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: w.superuser,
        payload: { title: 'x', project_id: w.p1, dependencies: [foreign.id] },
      });
      expectProblem(res, 400, 'TASK.INVALID_DEPENDENCY');
      expect(res.json().detail).toContain(foreign.id);
      const mine = await createTask(w.t, w.owner, w.p1);
      expectProblem(
        await patchTask(w.t, w.superuser, mine.id, { dependencies: [foreign.id] }),
        400,
        'TASK.INVALID_DEPENDENCY',
      );
      // The database refuses it too, whoever writes.
      await expect(insertEdge(mine.id, foreign.id)).rejects.toThrow(/foreign key/);
    });

    it('refuses a task that depends on itself (400)', async () => {
      const a = await createTask(w.t, w.owner, w.p1);
      const res = await patchTask(w.t, w.owner, a.id, { dependencies: [a.id] });
      expectProblem(res, 400, 'TASK.SELF_DEPENDENCY');
      await expect(insertEdge(a.id, a.id)).rejects.toThrow(/check constraint/);
    });

    it('refuses a three-node cycle with a 400 that names it, and changes nothing', async () => {
      const a = await createTask(w.t, w.owner, w.p1, { title: 'Alpha' });
      const b = await createTask(w.t, w.owner, w.p1, { title: 'Bravo', dependencies: [a.id] });
      const c = await createTask(w.t, w.owner, w.p1, { title: 'Charlie', dependencies: [b.id] });
      const res = await patchTask(w.t, w.owner, a.id, {
        dependencies: [c.id],
        title: 'Alpha renamed',
      });
      expectProblem(res, 400, 'TASK.DEPENDENCY_CYCLE');
      expect(res.json().detail).toContain(
        `${a.id} "Alpha" → ${c.id} "Charlie" → ${b.id} "Bravo" → ${a.id} "Alpha"`,
      );
      expect(await getTask(w.t, w.owner, a.id)).toMatchObject({
        title: 'Alpha',
        dependencies: [],
        version: a.version,
      });
    });

    it('serialises concurrent edits of one graph: A→B and B→A at once never both succeed', async () => {
      for (let round = 0; round < 8; round++) {
        const a = await createTask(w.t, w.owner, w.p1);
        const b = await createTask(w.t, w.owner, w.p1);
        const results = await Promise.all([
          patchTask(w.t, w.owner, a.id, { dependencies: [b.id] }),
          patchTask(w.t, w.owner, b.id, { dependencies: [a.id] }),
        ]);
        expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400]);
        expect(results.find((r) => r.statusCode === 400)!.json().code).toBe(
          'TASK.DEPENDENCY_CYCLE',
        );
        const edges = await query(
          w.db.url,
          `SELECT 1 FROM task_dependencies WHERE task_id IN ($1, $2)`,
          [a.id, b.id],
        );
        expect(edges).toHaveLength(1);
      }
    });

    it('refuses to delete a task others depend on (409 naming them) unless forced', async () => {
      const base = await createTask(w.t, w.owner, w.p1);
      const dependent = await createTask(w.t, w.owner, w.p1, { dependencies: [base.id] });
      const refused = await remove('tasks', base.id);
      expectProblem(refused, 409, 'TASK.HAS_DEPENDENTS');
      expect(refused.json().detail).toContain(dependent.id);
      expect((await getTask(w.t, w.owner, base.id)).id).toBe(base.id);

      const forced = await remove('tasks', base.id, '?force=true');
      expect(forced.statusCode).toBe(204);
      expectProblem(await getTaskRequest(w.t, w.owner, base.id), 404);
      expect((await getTask(w.t, w.owner, dependent.id)).dependencies).toEqual([]);
    });

    it('deletes a task with dependencies of its own freely; its edges go with it', async () => {
      const base = await createTask(w.t, w.owner, w.p1);
      const dependent = await createTask(w.t, w.owner, w.p1, { dependencies: [base.id] });
      expect((await remove('tasks', dependent.id)).statusCode).toBe(204);
      expect(
        await query(
          w.db.url,
          `SELECT 1 FROM task_dependencies WHERE task_id = $1 OR depends_on_id = $1`,
          [base.id],
        ),
      ).toEqual([]);
      expectProblem(await remove('tasks', base.id, '?force=maybe'), 400);
    });
  });

  describe('optimistic locking', () => {
    it('accepts the current version and bumps it; refuses a stale one with 409', async () => {
      const task = await createTask(w.t, w.owner, w.p1);
      const first = await patchTask(w.t, w.owner, task.id, {
        title: 'first',
        version: task.version,
      });
      expect(first.statusCode).toBe(200);
      expect(first.json().version).toBe(task.version + 1);
      const stale = await patchTask(w.t, w.owner, task.id, {
        title: 'second',
        version: task.version,
      });
      expectProblem(stale, 409, 'TASK.VERSION_CONFLICT');
      expect((await getTask(w.t, w.owner, task.id)).title).toBe('first');
    });

    it('lets exactly one of two concurrent updates from the same version win', async () => {
      const task = await createTask(w.t, w.owner, w.p1);
      const results = await Promise.all(
        ['one', 'two', 'three'].map((title) =>
          patchTask(w.t, w.owner, task.id, { title, version: task.version }),
        ),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
      const winner = results.find((r) => r.statusCode === 200)!.json();
      expect(await getTask(w.t, w.owner, task.id)).toMatchObject({
        title: winner.title,
        version: task.version + 1,
      });
    });
  });

  describe('assignment', () => {
    const assign = (id: string, payload: Record<string, unknown>, as = w.owner) =>
      w.t.request({ method: 'POST', url: `/api/v1/tasks/${id}/assign`, headers: as, payload });

    it('assigns an agent of the project, then a user of the project, then nobody', async () => {
      const task = await createTask(w.t, w.owner, w.p1);
      const toAgent = await assign(task.id, { assigned_to: w.a2, assigned_to_type: 'agent' });
      expect(toAgent.statusCode).toBe(200);
      expect(toAgent.json()).toMatchObject({
        assigned_to: w.a2,
        assigned_to_type: 'agent',
        version: task.version + 1,
      });

      const toUser = await assign(task.id, { assigned_to: w.ownerId, assigned_to_type: 'user' });
      expect(toUser.json()).toMatchObject({ assigned_to: w.ownerId, assigned_to_type: 'user' });

      const none = await assign(task.id, { assigned_to: null });
      expect(none.json()).toMatchObject({ assigned_to: null, assigned_to_type: null });
    });

    it('accepts an assignee on create', async () => {
      const task = await createTask(w.t, w.owner, w.p1, {
        assigned_to: w.a1,
        assigned_to_type: 'agent',
      });
      expect(task).toMatchObject({ assigned_to: w.a1, assigned_to_type: 'agent' });
    });

    it('refuses an agent of another project, an inactive agent, a stranger and an unknown id (400)', async () => {
      const task = await createTask(w.t, w.owner, w.p1);
      const inactive = await createAgent(w.t, w.owner, w.p1, { is_active: false });
      for (const payload of [
        { assigned_to: w.b1, assigned_to_type: 'agent' },
        { assigned_to: inactive.id, assigned_to_type: 'agent' },
        { assigned_to: w.otherUserId, assigned_to_type: 'user' },
        { assigned_to: w.a1, assigned_to_type: 'user' },
        { assigned_to: '00000000-0000-4000-8000-000000000000', assigned_to_type: 'agent' },
      ]) {
        const res = await assign(task.id, payload);
        expectProblem(res, 400, 'TASK.INVALID_ASSIGNEE');
      }
      const onCreate = await w.t.request({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: w.owner,
        payload: { title: 'x', project_id: w.p1, assigned_to: w.b1, assigned_to_type: 'agent' },
      });
      expectProblem(onCreate, 400, 'TASK.INVALID_ASSIGNEE');
      expect((await getTask(w.t, w.owner, task.id)).assigned_to).toBeNull();
    });

    it('validates the assign body', async () => {
      const task = await createTask(w.t, w.owner, w.p1);
      expectProblem(await assign(task.id, { assigned_to: w.a1 }), 400, 'REQUEST.VALIDATION_FAILED');
      expectProblem(
        await assign(task.id, { assigned_to: w.a1, assigned_to_type: 'robot' }),
        400,
        'REQUEST.VALIDATION_FAILED',
      );
      expectProblem(await assign(task.id, {}), 400, 'REQUEST.VALIDATION_FAILED');
    });

    it('moves the lease of a task in progress with its assignee: agents hold one, people do not', async () => {
      const task = await createTask(w.t, w.owner, w.p1, {
        assigned_to: w.a1,
        assigned_to_type: 'agent',
      });
      const started = (await patchTask(w.t, w.owner, task.id, { status: 'in_progress' })).json();
      expect(started.lease_expires_at).not.toBeNull();
      const toUser = await assign(task.id, { assigned_to: w.ownerId, assigned_to_type: 'user' });
      expect(toUser.json()).toMatchObject({ status: 'in_progress', lease_expires_at: null });
      const toAgent = await assign(task.id, { assigned_to: w.a2, assigned_to_type: 'agent' });
      expect(Date.parse(toAgent.json().lease_expires_at) - Date.now()).toBeGreaterThan(290_000);
    });

    it("unassigns an agent's tasks when the agent is deleted", async () => {
      const agent = await createAgent(w.t, w.owner, w.p1);
      const task = await createTask(w.t, w.owner, w.p1, {
        assigned_to: agent.id,
        assigned_to_type: 'agent',
      });
      expect((await remove('agents', agent.id)).statusCode).toBe(204);
      expect(await getTask(w.t, w.owner, task.id)).toMatchObject({
        assigned_to: null,
        assigned_to_type: null,
      });
    });
  });

  describe('list, filters, sort and full-text search', () => {
    let project: string;
    let agent: string;
    let room: string;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      project = (await createProject(w.t, w.owner, 'Search')).id;
      agent = (await createAgent(w.t, w.owner, project)).id;
      room = (await createRoom(w.t, w.owner, project, 'bugs')).id;
      const specs: [string, Record<string, unknown>][] = [
        [
          'deploy',
          {
            title: 'Deploying the web servers',
            description: 'Roll out release 2.3',
            priority: 'high',
            due_date: '2030-03-01T00:00:00Z',
          },
        ],
        [
          'docs',
          {
            title: 'Write documentation',
            description: 'Explain how a deployment works',
            priority: 'low',
            due_date: '2030-01-01T00:00:00Z',
          },
        ],
        [
          'bug',
          {
            title: 'Fix login bug',
            description: 'Users cannot sign in after a password reset',
            priority: 'urgent',
            room_id: room,
          },
        ],
        [
          'mice',
          {
            title: 'Feed the mice',
            description: null,
            priority: 'medium',
            assigned_to: agent,
            assigned_to_type: 'agent',
          },
        ],
      ];
      for (const [name, fields] of specs)
        ids[name] = (await createTask(w.t, w.owner, project, fields)).id;
    });

    const list = async (search: string, as = w.owner) => {
      const res = await w.t.request({
        method: 'GET',
        url: `/api/v1/tasks?project_id=${project}&${search}`,
        headers: as,
      });
      expect(res.statusCode).toBe(200);
      return res.json<{
        items: { id: string; dependencies: string[] }[];
        total: number;
        limit: number;
        offset: number;
      }>();
    };
    const names = (items: { id: string }[]) =>
      items.map((i) => Object.keys(ids).find((k) => ids[k] === i.id));
    /** The names of the tasks the search finds, in the order they come. */
    const found = async (search: string) => names((await list(search)).items);

    it('finds tasks by stemmed words of title and description', async () => {
      expect((await found('q=deployed')).sort()).toEqual(['deploy', 'docs']);
      expect(await found('q=server')).toEqual(['deploy']);
      expect(await found('q=feeding')).toEqual(['mice']);
      expect(await found('q=resetting%20passwords')).toEqual(['bug']);
      expect((await list('q=kubernetes')).items).toEqual([]);
    });

    it('ranks title matches above description matches, and takes web-search syntax', async () => {
      expect(await found('q=deploy')).toEqual(['deploy', 'docs']);
      expect(await found('q=deploy%20-documentation')).toEqual(['deploy']);
      expect((await found('q=%22login%20bug%22%20or%20mice')).sort()).toEqual(['bug', 'mice']);
    });

    it('filters by status, priority, assignee and room', async () => {
      expect(await found('priority=urgent')).toEqual(['bug']);
      expect(await found(`assigned_to=${agent}`)).toEqual(['mice']);
      expect(await found(`assigned_to=${agent}&assigned_to_type=agent`)).toEqual(['mice']);
      expect((await list(`assigned_to=${agent}&assigned_to_type=user`)).items).toEqual([]);
      expect(await found('assigned_to_type=agent')).toEqual(['mice']);
      expect((await list('assigned_to_type=user')).items).toEqual([]);
      expect(await found(`room_id=${room}`)).toEqual(['bug']);
      expect((await list('status=completed')).total).toBe(0);
      expect((await list('status=pending')).total).toBe(4);
    });

    it('sorts by priority, due date and creation time, and pages', async () => {
      expect(await found('sort=priority')).toEqual(['bug', 'deploy', 'mice', 'docs']);
      expect(await found('sort=due_date')).toEqual(['docs', 'deploy', 'bug', 'mice']);
      expect(await found('sort=created_at')).toEqual(['deploy', 'docs', 'bug', 'mice']);
      expect(await found('sort=-created_at')).toEqual(['mice', 'bug', 'docs', 'deploy']);
      const second = await list('sort=created_at&limit=2&offset=2');
      expect({ ...second, items: names(second.items) }).toEqual({
        items: ['bug', 'mice'],
        total: 4,
        limit: 2,
        offset: 2,
      });
      expect(await list('limit=2&offset=10')).toMatchObject({ items: [], total: 4 });
    });

    it('refuses unknown filters and sort keys', async () => {
      for (const search of [
        'sort=title',
        'status=done',
        'assigned_to=nope',
        'colour=red',
        `q=${'x'.repeat(201)}`,
      ]) {
        const res = await w.t.request({
          method: 'GET',
          url: `/api/v1/tasks?${search}`,
          headers: w.owner,
        });
        expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      }
    });

    it('lists only what the caller may see', async () => {
      /** The project of each task `as` is shown. */
      const projectsSeenBy = async (as: AuthHeaders) => {
        const res = await w.t.request({
          method: 'GET',
          url: '/api/v1/tasks?limit=500',
          headers: as,
        });
        return res.json<{ items: { project_id: string }[] }>().items.map((t) => t.project_id);
      };
      expect((await projectsSeenBy(w.otherUser)).every((p) => p === w.p2)).toBe(true);
      const agentSees = await projectsSeenBy(w.agentKey);
      expect(agentSees.length).toBeGreaterThan(0);
      expect(agentSees.every((p) => p === w.p1)).toBe(true);
      expect(new Set(await projectsSeenBy(w.superuser))).toEqual(new Set([w.p1, w.p2, project]));
    });
  });

  it('ranks priorities in the database (generated priority_rank) as PRIORITY_RANK does', async () => {
    for (const priority of TASK_PRIORITIES) await createTask(w.t, w.owner, w.p1, { priority });
    const stored = await query<{ priority: string; rank: number }>(
      w.db.url,
      `SELECT DISTINCT priority, priority_rank::int AS rank FROM tasks`,
    );
    expect(stored.map((r) => r.priority).sort()).toEqual([...TASK_PRIORITIES].sort());
    for (const row of stored)
      expect(row.rank).toBe(PRIORITY_RANK[row.priority as keyof typeof PRIORITY_RANK]);
  });
});
