import {
  chainDefinition,
  createTask,
  createWorkflow,
  diamondDefinition,
  expectProblem,
  getWorkflow,
  patchWorkflow,
  query,
  workflowStep,
} from '@agenthub/testing';
import {
  accessCases,
  ActorName,
  expectAccess,
  headersOf,
  manage,
  READ,
  RouteCase,
  useWorld,
  World,
} from './world';

const post = (w: World, as: Record<string, string>, payload: Record<string, unknown>) =>
  w.t.request({ method: 'POST', url: '/api/v1/workflows', headers: as, payload });

const versionRows = (w: World, workflowId: string) =>
  query<{ version: number; definition: unknown; created_by_user_id: string | null }>(
    w.db.url,
    `SELECT version, definition, created_by_user_id FROM workflow_versions WHERE workflow_id = $1 ORDER BY version`,
    [workflowId],
  );

describe('workflows', () => {
  const world = useWorld();

  describe('create', () => {
    it('creates a draft workflow and its version 1, in canonical form', async () => {
      const res = await post(world, world.owner, {
        project_id: world.p1,
        name: '  Nightly build  ',
        description: 'Builds and tests',
        tags: [' ci ', 'nightly'],
        definition: {
          steps: [
            { title: ' Fetch ', key: 'fetch', description: null, depends_on: [] },
            { depends_on: ['fetch'], key: 'build', title: 'Build', max_attempts: 2 },
          ],
        },
      });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toEqual({
        id: expect.any(String),
        project_id: world.p1,
        name: 'Nightly build',
        description: 'Builds and tests',
        definition: {
          steps: [
            { key: 'fetch', title: 'Fetch' },
            { key: 'build', title: 'Build', depends_on: ['fetch'], max_attempts: 2 },
          ],
        },
        status: 'draft',
        version: 1,
        tags: ['ci', 'nightly'],
        created_by: world.ownerId,
        created_by_type: 'user',
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(Object.keys(body.definition.steps[1])).toEqual([
        'key',
        'title',
        'depends_on',
        'max_attempts',
      ]);
      const versions = await versionRows(world, body.id);
      expect(versions).toEqual([
        { version: 1, definition: body.definition, created_by_user_id: world.ownerId },
      ]);
      const audit = await query(
        world.db.url,
        `SELECT action, resource_type, project_id FROM audit_log WHERE resource_id = $1`,
        [body.id],
      );
      expect(audit).toEqual([
        { action: 'workflow.create', resource_type: 'workflow', project_id: world.p1 },
      ]);
    });

    it('takes the status given', async () => {
      const wf = await createWorkflow(world.t, world.owner, world.p1, { status: 'active' });
      expect(wf.status).toBe('active');
    });

    it('refuses a name taken in the project (409), also after trimming, but not in another project', async () => {
      await createWorkflow(world.t, world.owner, world.p1, { name: 'deploy' });
      const again = await post(world, world.owner, {
        project_id: world.p1,
        name: ' deploy ',
        definition: diamondDefinition(),
      });
      expectProblem(again, 409, 'WORKFLOW.NAME_TAKEN');
      expect(again.json().detail).toContain('"deploy"');
      const elsewhere = await post(world, world.superuser, {
        project_id: world.p2,
        name: 'deploy',
        definition: diamondDefinition(),
      });
      expect(elsewhere.statusCode).toBe(201);
    });

    it('refuses a missing definition, bad tags and an unknown status as request validation', async () => {
      const res = await post(world, world.owner, {
        project_id: world.p1,
        name: 'x',
        tags: ['a', 'a', ''],
        status: 'completed',
      });
      expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      expect(Object.keys(res.json().errors).sort()).toEqual(['definition', 'status', 'tags']);
    });
  });

  describe('definition validation', () => {
    const invalid = async (definition: unknown) => {
      const res = await post(world, world.owner, { project_id: world.p1, name: 'bad', definition });
      expectProblem(res, 400, 'WORKFLOW.INVALID_DEFINITION');
      return res.json<{ detail: string; errors: Record<string, string[]> }>();
    };

    it('refuses what is not an object with steps, and unknown members', async () => {
      expect((await invalid([1])).errors).toEqual({
        definition: ['definition must be an object with steps'],
      });
      expect((await invalid({ steps: [] })).errors).toEqual({
        steps: ['steps must list at least one step'],
      });
      expect((await invalid({ steps: [workflowStep('a')], version: 2 })).errors).toEqual({
        definition: ['unknown member "version"; a definition has only steps'],
      });
    });

    it('refuses more than 500 steps', async () => {
      const steps = Array.from({ length: 501 }, (_, i) => workflowStep(`s${i}`));
      expect((await invalid({ steps })).errors).toEqual({
        steps: ['steps must list at most 500 steps (got 501)'],
      });
    });

    it('points at each bad field of each step', async () => {
      const { errors, detail } = await invalid({
        steps: [
          workflowStep('a'),
          { key: 'B', title: 'b', retries: 3 },
          workflowStep('c', ['a'], { priority: 'asap', max_attempts: 101 }),
          'd',
        ],
      });
      expect(Object.keys(errors).sort()).toEqual([
        'steps[1].key',
        'steps[1].retries',
        'steps[2].max_attempts',
        'steps[2].priority',
        'steps[3]',
      ]);
      expect(errors['steps[1].retries'][0]).toMatch(
        /^unknown field "retries"; a step has only key/,
      );
      expect(errors['steps[2].max_attempts']).toEqual(['max_attempts must be at most 100']);
      expect(detail).toMatch(/^Invalid workflow definition: .*steps\[1\]\.key \(key must match/);
    });

    it('refuses the reserved key, a key twice, and dependencies that name no other step', async () => {
      const { errors } = await invalid({
        steps: [
          workflowStep('context'),
          workflowStep('a', ['a']),
          workflowStep('a'),
          workflowStep('b', ['ghost', 'b']),
        ],
      });
      expect(errors).toEqual({
        'steps[0].key': [
          `key "context" is reserved (a task's inputs.context holds the execution's context)`,
        ],
        'steps[2].key': ['key "a" is already the key of steps[1]'],
        'steps[1].depends_on': ['depends_on must not name the step itself ("a")'],
        'steps[3].depends_on': [
          'depends_on names no step of this definition: "ghost"',
          'depends_on must not name the step itself ("b")',
        ],
      });
    });

    it('names a cycle, on the step whose depends_on closes it and in the detail', async () => {
      const { errors, detail } = await invalid({
        steps: [
          workflowStep('start'),
          workflowStep('a', ['start', 'c']),
          workflowStep('b', ['a']),
          workflowStep('c', ['b']),
        ],
      });
      expect(errors).toEqual({
        'steps[2].depends_on': ['depends_on closes a cycle: b → a → c → b'],
      });
      expect(detail).toBe('Invalid workflow definition: the steps form a cycle: b → a → c → b');
    });

    it('writes nothing for a refused definition', async () => {
      await invalid({ steps: [workflowStep('a', ['b']), workflowStep('b', ['a'])] });
      const rows = await query(world.db.url, `SELECT id FROM workflows WHERE name = 'bad'`);
      expect(rows).toEqual([]);
    });
  });

  describe('versions', () => {
    it('makes a new version only when the definition says something else', async () => {
      const wf = await createWorkflow(world.t, world.owner, world.p1, {
        definition: chainDefinition('a', 'b'),
      });

      // The same definition, written differently (member order, null, empty list, spaces).
      const same = await patchWorkflow(world.t, world.owner, wf.id, {
        definition: {
          steps: [
            { title: 'Step a ', key: 'a', description: null, required_capabilities: [] },
            { depends_on: ['a'], title: 'Step b', key: 'b' },
          ],
        },
      });
      expect(same.statusCode).toBe(200);
      expect(same.json()).toMatchObject({ version: 1, definition: wf.definition });
      expect(await versionRows(world, wf.id)).toHaveLength(1);

      // Other fields change in place.
      const renamed = await patchWorkflow(world.t, world.owner, wf.id, {
        name: `${wf.name} (renamed)`,
        description: 'now described',
        status: 'active',
        tags: ['x'],
      });
      expect(renamed.json()).toMatchObject({
        version: 1,
        name: `${wf.name} (renamed)`,
        description: 'now described',
        status: 'active',
        tags: ['x'],
      });

      const v2 = await patchWorkflow(world.t, world.owner, wf.id, {
        definition: diamondDefinition(),
      });
      expect(v2.statusCode).toBe(200);
      expect(v2.json()).toMatchObject({ version: 2, definition: diamondDefinition() });

      // Version 1 is still there, unchanged, and readable.
      const old = await getWorkflow(world.t, world.agentKey, wf.id, 1);
      expect(old).toMatchObject({
        id: wf.id,
        version: 1,
        definition: chainDefinition('a', 'b'),
        name: `${wf.name} (renamed)`,
      });
      expect((await getWorkflow(world.t, world.owner, wf.id)).version).toBe(2);
      expect((await getWorkflow(world.t, world.owner, wf.id, 2)).definition).toEqual(
        diamondDefinition(),
      );
      expect((await versionRows(world, wf.id)).map((v) => v.definition)).toEqual([
        chainDefinition('a', 'b'),
        diamondDefinition(),
      ]);

      const list = await world.t.request({
        method: 'GET',
        url: `/api/v1/workflows/${wf.id}/versions`,
        headers: world.agentKey,
      });
      expect(list.statusCode).toBe(200);
      expect(list.json()).toEqual({
        items: [
          {
            workflow_id: wf.id,
            version: 2,
            definition: diamondDefinition(),
            created_by: world.ownerId,
            created_by_type: 'user',
            created_at: expect.any(String),
          },
          expect.objectContaining({ version: 1, definition: chainDefinition('a', 'b') }),
        ],
        total: 2,
        limit: 50,
        offset: 0,
      });
      const second = await world.t.request({
        method: 'GET',
        url: `/api/v1/workflows/${wf.id}/versions?limit=1&offset=1`,
        headers: world.owner,
      });
      expect(second.json()).toMatchObject({ items: [{ version: 1 }], total: 2 });
    });

    it('answers 404 for a version that does not exist and 400 for one that cannot', async () => {
      const wf = await createWorkflow(world.t, world.owner, world.p1);
      const missing = await world.t.request({
        method: 'GET',
        url: `/api/v1/workflows/${wf.id}?version=2`,
        headers: world.owner,
      });
      expectProblem(missing, 404, 'WORKFLOW.VERSION_NOT_FOUND');
      for (const bad of ['0', '-1', '1.5', 'x', '2147483648']) {
        const res = await world.t.request({
          method: 'GET',
          url: `/api/v1/workflows/${wf.id}?version=${bad}`,
          headers: world.owner,
        });
        expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      }
    });

    it('refuses an invalid definition in a PATCH and changes nothing', async () => {
      const wf = await createWorkflow(world.t, world.owner, world.p1);
      const res = await patchWorkflow(world.t, world.owner, wf.id, {
        name: 'never applied',
        definition: { steps: [workflowStep('a', ['b']), workflowStep('b', ['a'])] },
      });
      expectProblem(res, 400, 'WORKFLOW.INVALID_DEFINITION');
      expect(res.json().errors).toEqual({
        'steps[1].depends_on': ['depends_on closes a cycle: b → a → b'],
      });
      expect(await getWorkflow(world.t, world.owner, wf.id)).toEqual(wf);
    });

    it('refuses null for fields a workflow always has, and a rename onto a taken name', async () => {
      const [wf, other] = await Promise.all([
        createWorkflow(world.t, world.owner, world.p1),
        createWorkflow(world.t, world.owner, world.p1),
      ]);
      for (const field of ['name', 'definition', 'status', 'tags']) {
        const res = await patchWorkflow(world.t, world.owner, wf.id, { [field]: null });
        expectProblem(res, 400);
      }
      const clash = await patchWorkflow(world.t, world.owner, wf.id, { name: other.name });
      expectProblem(clash, 409, 'WORKFLOW.NAME_TAKEN');
      const cleared = await patchWorkflow(world.t, world.owner, wf.id, { description: null });
      expect(cleared.json().description).toBeNull();
    });

    it('numbers concurrent new versions one after the other', async () => {
      const wf = await createWorkflow(world.t, world.owner, world.p1);
      const results = await Promise.all(
        ['x', 'y', 'z', 'w'].map((key) =>
          patchWorkflow(world.t, world.owner, wf.id, {
            definition: { steps: [workflowStep(key)] },
          }),
        ),
      );
      expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
      expect(results.map((r) => r.json().version).sort()).toEqual([2, 3, 4, 5]);
      expect((await versionRows(world, wf.id)).map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
    });

    it('keeps a version immutable in the database itself', async () => {
      const wf = await createWorkflow(world.t, world.owner, world.p1);
      await expect(
        query(
          world.db.url,
          `UPDATE workflow_versions SET definition = '{"steps": []}'::jsonb WHERE workflow_id = $1`,
          [wf.id],
        ),
      ).rejects.toThrow(/immutable/);
      await expect(
        query(world.db.url, `UPDATE workflow_versions SET version = 7 WHERE workflow_id = $1`, [
          wf.id,
        ]),
      ).rejects.toThrow(/immutable/);
      expect((await versionRows(world, wf.id))[0].definition).toEqual(wf.definition);
    });
  });

  describe('list', () => {
    it('filters by project, status, tag and full text, newest first', async () => {
      const tag = `tag-${Date.now()}`;
      const made = [];
      for (const fields of [
        { name: 'Invoice reconciliation', status: 'active', tags: [tag] },
        { name: 'Nightly invoices', description: 'Sends the invoices', tags: [tag, 'billing'] },
        { name: 'Release train', status: 'paused', tags: [tag] },
      ]) {
        made.push(await createWorkflow(world.t, world.owner, world.p1, fields));
      }
      const names = async (qs: string, as: ActorName = 'owner') => {
        const res = await world.t.request({
          method: 'GET',
          url: `/api/v1/workflows?${qs}`,
          headers: headersOf(world, as),
        });
        expect(res.statusCode).toBe(200);
        return res.json<{ items: { name: string }[] }>().items.map((w) => w.name);
      };
      expect(await names(`project_id=${world.p1}&tag=${tag}`)).toEqual([
        'Release train',
        'Nightly invoices',
        'Invoice reconciliation',
      ]);
      expect(await names(`tag=${tag}&status=active`)).toEqual(['Invoice reconciliation']);
      expect(await names(`tag=${tag}&status=paused`, 'agentKey')).toEqual(['Release train']);
      expect(await names(`tag=billing&project_id=${world.p1}`)).toEqual(['Nightly invoices']);
      // Stemmed: "invoice" finds "invoices"; the one with it in name and description ranks first.
      expect(await names(`tag=${tag}&q=invoice`)).toEqual([
        'Nightly invoices',
        'Invoice reconciliation',
      ]);
      expect(await names(`tag=${tag}&q=${encodeURIComponent('invoice -nightly')}`)).toEqual([
        'Invoice reconciliation',
      ]);
      expect(await names(`tag=${tag}`, 'otherUser')).toEqual([]);
      expect(await names(`tag=${tag}`, 'superuser')).toHaveLength(3);

      const paged = await world.t.request({
        method: 'GET',
        url: `/api/v1/workflows?tag=${tag}&limit=1&offset=1`,
        headers: world.owner,
      });
      expect(paged.json()).toMatchObject({
        items: [{ id: made[1].id }],
        total: 3,
        limit: 1,
        offset: 1,
      });
    });

    it('refuses bad filters', async () => {
      for (const qs of ['status=completed', 'project_id=nope', 'tag=', `q=${'x'.repeat(201)}`]) {
        const res = await world.t.request({
          method: 'GET',
          url: `/api/v1/workflows?${qs}`,
          headers: world.owner,
        });
        expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      }
    });
  });

  describe('delete', () => {
    it('deletes the workflow with its versions and the tasks that belong to it', async () => {
      const wf = await createWorkflow(world.t, world.owner, world.p1);
      await patchWorkflow(world.t, world.owner, wf.id, { definition: diamondDefinition() });
      const task = await createTask(world.t, world.owner, world.p1, { workflow_id: wf.id });
      const res = await world.t.request({
        method: 'DELETE',
        url: `/api/v1/workflows/${wf.id}`,
        headers: world.owner,
      });
      expect(res.statusCode).toBe(204);
      const gone = await world.t.request({
        method: 'GET',
        url: `/api/v1/workflows/${wf.id}`,
        headers: world.owner,
      });
      expectProblem(gone, 404, 'WORKFLOW.NOT_FOUND');
      expect(await versionRows(world, wf.id)).toEqual([]);
      expect(await query(world.db.url, `SELECT id FROM tasks WHERE id = $1`, [task.id])).toEqual(
        [],
      );
      const audit = await query(
        world.db.url,
        `SELECT action, project_id FROM audit_log WHERE resource_id = $1 ORDER BY id`,
        [wf.id],
      );
      expect(audit.map((a) => a.action)).toEqual([
        'workflow.create',
        'workflow.update',
        'workflow.delete',
      ]);
      expect(audit[2].project_id).toBe(world.p1);
    });
  });
});

/** A fresh workflow of P1 (made by the owner) for routes that read, change or remove it. */
const fresh = async (w: World) => (await createWorkflow(w.t, w.owner, w.p1)).id;

/**
 * Every definition route × every kind of caller: owner and superusers manage, the project's
 * agents read, other users and other projects' agents get 403, no token 401.
 */
const ROUTES: RouteCase[] = [
  {
    route: 'POST /workflows',
    request: (w) => ({
      method: 'POST',
      url: '/api/v1/workflows',
      payload: { project_id: w.p1, name: `new-${Math.random()}`, definition: diamondDefinition() },
    }),
    expected: manage(201),
  },
  {
    route: 'GET /workflows?project_id',
    request: (w) => ({ method: 'GET', url: `/api/v1/workflows?project_id=${w.p1}` }),
    expected: READ,
  },
  {
    route: 'GET /workflows/:id',
    request: async (w) => ({ method: 'GET', url: `/api/v1/workflows/${await fresh(w)}` }),
    expected: READ,
  },
  {
    route: 'GET /workflows/:id?version=1',
    request: async (w) => ({
      method: 'GET',
      url: `/api/v1/workflows/${await fresh(w)}?version=1`,
    }),
    expected: READ,
  },
  {
    route: 'GET /workflows/:id/versions',
    request: async (w) => ({
      method: 'GET',
      url: `/api/v1/workflows/${await fresh(w)}/versions`,
    }),
    expected: READ,
  },
  {
    route: 'PATCH /workflows/:id',
    request: async (w) => ({
      method: 'PATCH',
      url: `/api/v1/workflows/${await fresh(w)}`,
      payload: { definition: chainDefinition('a', 'b') },
    }),
    expected: manage(200),
  },
  {
    route: 'DELETE /workflows/:id',
    request: async (w) => ({ method: 'DELETE', url: `/api/v1/workflows/${await fresh(w)}` }),
    expected: manage(204),
  },
];

/** Which code a refused manager route answers each kind of caller with. */
const MANAGE_CODES: Partial<Record<ActorName, string>> = {
  otherUser: 'PROJECT.FORBIDDEN',
  agentKey: 'WORKFLOW.AGENT_FORBIDDEN',
  otherProjectAgentKey: 'WORKFLOW.AGENT_FORBIDDEN',
};

describe('workflow routes × callers', () => {
  const world = useWorld();

  it.each(accessCases(ROUTES))('%s as %s → %i', async (_route, actor, status, routeCase) => {
    await expectAccess(world, actor, status, routeCase);
  });

  it.each(['POST /workflows', 'PATCH /workflows/:id', 'DELETE /workflows/:id'])(
    '%s tells agents and strangers why they are refused',
    async (route) => {
      const routeCase = ROUTES.find((r) => r.route === route) as RouteCase;
      for (const [actor, code] of Object.entries(MANAGE_CODES) as [ActorName, string][]) {
        const res = await world.t.request({
          ...(await routeCase.request(world)),
          headers: headersOf(world, actor),
        });
        expectProblem(res, 403, code);
      }
    },
  );

  it('answers 404 for an unknown workflow and 400 for a malformed id', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const res = await world.t.request({
        method,
        url: `/api/v1/workflows/${unknown}`,
        headers: world.owner,
        ...(method === 'PATCH' ? { payload: { name: 'x' } } : {}),
      });
      expectProblem(res, 404, 'WORKFLOW.NOT_FOUND');
    }
    const bad = await world.t.request({
      method: 'GET',
      url: '/api/v1/workflows/not-a-uuid',
      headers: world.owner,
    });
    expectProblem(bad, 400, 'REQUEST.INVALID_ID');
  });

  it('refuses a workflow in a project that does not exist', async () => {
    const res = await post(world, world.owner, {
      project_id: '00000000-0000-4000-8000-000000000000',
      name: 'nowhere',
      definition: diamondDefinition(),
    });
    expectProblem(res, 404, 'PROJECT.NOT_FOUND');
  });
});
