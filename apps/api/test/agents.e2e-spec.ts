import {
  bearer,
  createAgent,
  createAgentKey,
  createProject,
  expectProblem,
  query,
  registerAndLogin,
} from '@agenthub/testing';
import { useApiTestApp } from './create-api-test-app';
import { useWorld } from './world';

describe('agents', () => {
  const world = useWorld({ AGENT_HEARTBEAT_TIMEOUT: '60' });
  /** A new project of the world's owner, for agents of its own. */
  const newProject = async (name: string) => (await createProject(world.t, world.owner, name)).id;

  const api = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    headers = world.owner,
  ) =>
    world.t.request({
      method,
      url: `/api/v1${url}`,
      headers,
      payload: payload as object | undefined,
    });

  describe('create and read', () => {
    it('creates with the documented defaults and answers in snake_case', async () => {
      const res = await api('POST', '/agents', { project_id: world.p1, name: '  Planner  ' });
      expect(res.statusCode).toBe(201);
      const agent = res.json();
      expect(agent).toEqual({
        id: expect.any(String),
        project_id: world.p1,
        name: 'Planner',
        nickname: null,
        agent_type: 'generic',
        status: 'offline',
        capabilities: [],
        config: null,
        system_prompt: null,
        model_provider: null,
        model_name: null,
        is_active: true,
        last_heartbeat: null,
        heartbeat_expires_at: null,
        created_at: expect.stringMatching(/Z$/),
        updated_at: expect.stringMatching(/Z$/),
      });
      expect((await api('GET', `/agents/${agent.id}`)).json()).toEqual(agent);
    });

    it('keeps every field it is given', async () => {
      const fields = {
        project_id: world.p1,
        name: 'Full',
        nickname: 'The full one',
        agent_type: 'chief_of_staff',
        status: 'idle',
        capabilities: ['code', 'plan'],
        config: { temperature: 0.2, tools: ['git'] },
        system_prompt: 'You are helpful.',
        model_provider: 'openrouter',
        model_name: 'auto',
        is_active: false,
      };
      const res = await api('POST', '/agents', fields);
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject(fields);
    });

    it('refuses a second agent with the same name in a project (409), allows it in another', async () => {
      await createAgent(world.t, world.owner, world.p1, { name: 'Twin' });
      const clash = await api('POST', '/agents', { project_id: world.p1, name: 'Twin' });
      expectProblem(clash, 409, 'AGENT.NAME_TAKEN');
      expect(clash.json().detail).toBe('Agent name already exists in project');
      // Surrounding spaces do not make a different name.
      expectProblem(
        await api('POST', '/agents', { project_id: world.p1, name: ' Twin ' }),
        409,
        'AGENT.NAME_TAKEN',
      );
      const elsewhere = await api(
        'POST',
        '/agents',
        { project_id: world.p2, name: 'Twin' },
        world.otherUser,
      );
      expect(elsewhere.statusCode).toBe(201);
    });
  });

  describe('update', () => {
    it('renames (the broker’s migration guide has users rename its placeholder agents) and changes only what is given', async () => {
      const agent = await createAgent(world.t, world.owner, world.p1, {
        name: 'Migrated Agent 1234',
        capabilities: ['x'],
        nickname: 'n',
      });
      const res = await api('PATCH', `/agents/${agent.id}`, {
        name: 'FrontendExpert',
        nickname: 'Frontend Expert',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        name: 'FrontendExpert',
        nickname: 'Frontend Expert',
        capabilities: ['x'],
        project_id: world.p1,
      });
      expect(new Date(res.json().updated_at).getTime()).toBeGreaterThanOrEqual(
        new Date(agent.created_at as string).getTime(),
      );
    });

    it('refuses a rename onto a taken name (409) and leaves the agent as it was', async () => {
      await createAgent(world.t, world.owner, world.p1, { name: 'Taken' });
      const agent = await createAgent(world.t, world.owner, world.p1, { name: 'Renamer' });
      const res = await api('PATCH', `/agents/${agent.id}`, {
        name: 'Taken',
        nickname: 'should not stick',
      });
      expectProblem(res, 409, 'AGENT.NAME_TAKEN');
      expect((await api('GET', `/agents/${agent.id}`)).json()).toMatchObject({
        name: 'Renamer',
        nickname: null,
      });
      // Renaming to its own name is no clash.
      expect((await api('PATCH', `/agents/${agent.id}`, { name: 'Renamer' })).statusCode).toBe(200);
    });

    it('clears nullable fields with null and refuses null for the others', async () => {
      const agent = await createAgent(world.t, world.owner, world.p1, {
        nickname: 'nick',
        config: { a: 1 },
      });
      const cleared = await api('PATCH', `/agents/${agent.id}`, { nickname: null, config: null });
      expect(cleared.json()).toMatchObject({ nickname: null, config: null });
      for (const field of ['name', 'status', 'capabilities', 'is_active', 'agent_type']) {
        const res = await api('PATCH', `/agents/${agent.id}`, { [field]: null });
        expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
        expect(Object.keys(res.json().errors)).toContain(field);
      }
    });

    it('changes nothing for an empty body', async () => {
      const agent = await createAgent(world.t, world.owner, world.p1, { nickname: 'same' });
      const res = await api('PATCH', `/agents/${agent.id}`, {});
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(agent);
    });

    it('does not move an agent to another project', async () => {
      const res = await api('PATCH', `/agents/${world.a2}`, { project_id: world.p2 });
      expectProblem(res, 400);
      expect(res.json().errors).toHaveProperty('project_id');
    });
  });

  describe('audit', () => {
    it('records who changed which agent of which project, agents included', async () => {
      const agent = await createAgent(world.t, world.owner, world.p1);
      const key = await createAgentKey(world.t, world.owner, agent.id);
      await world.t.request({
        method: 'POST',
        url: `/api/v1/agents/${agent.id}/heartbeat`,
        headers: bearer(key.api_key),
        payload: {},
      });
      await api('DELETE', `/agents/${agent.id}/api-keys/${key.id}`);
      await api('DELETE', `/agents/${agent.id}`);
      const rows = await query(
        world.db.url,
        `SELECT action, resource_type, resource_id, project_id, actor_type FROM audit_log WHERE resource_id IN ($1, $2) ORDER BY id`,
        [agent.id, key.id],
      );
      expect(rows).toEqual([
        {
          action: 'agent.create',
          resource_type: 'agent',
          resource_id: agent.id,
          project_id: world.p1,
          actor_type: 'user',
        },
        {
          action: 'agent_api_key.create',
          resource_type: 'api_key',
          resource_id: key.id,
          project_id: world.p1,
          actor_type: 'user',
        },
        {
          action: 'agent.heartbeat',
          resource_type: 'agent',
          resource_id: agent.id,
          project_id: world.p1,
          actor_type: 'agent',
        },
        {
          action: 'agent_api_key.revoke',
          resource_type: 'api_key',
          resource_id: key.id,
          project_id: world.p1,
          actor_type: 'user',
        },
        {
          action: 'agent.delete',
          resource_type: 'agent',
          resource_id: agent.id,
          project_id: world.p1,
          actor_type: 'user',
        },
      ]);
    });
  });

  describe('delete', () => {
    it('answers 204, then 404; its keys and capability details go with it', async () => {
      const agent = await createAgent(world.t, world.owner, world.p1, { capabilities: ['c'] });
      await createAgentKey(world.t, world.owner, agent.id);
      await api('PUT', `/agents/${agent.id}/capabilities`, {
        capabilities: [{ capability_name: 'c', confidence_score: 0.9 }],
      });
      const count = async (table: string) => {
        const [row] = await query<{ count: string }>(
          world.db.url,
          `SELECT count(*) FROM ${table} WHERE agent_id = $1`,
          [agent.id],
        );
        return Number(row.count);
      };
      expect(await count('agent_api_keys')).toBe(1);
      expect(await count('agent_capabilities')).toBe(1);

      const res = await api('DELETE', `/agents/${agent.id}`);
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expectProblem(await api('GET', `/agents/${agent.id}`), 404, 'AGENT.NOT_FOUND');
      expectProblem(await api('DELETE', `/agents/${agent.id}`), 404);
      expect(await count('agent_api_keys')).toBe(0);
      expect(await count('agent_capabilities')).toBe(0);
    });

    it('goes with its project (FK cascade)', async () => {
      const project = await newProject('Doomed');
      const agent = await createAgent(world.t, world.owner, project);
      await createAgentKey(world.t, world.owner, agent.id);
      expect((await api('DELETE', `/projects/${project}`)).statusCode).toBe(204);
      const left = (text: string) => query(world.db.url, text, [agent.id]);
      expect(await left('SELECT 1 FROM agents WHERE id = $1')).toHaveLength(0);
      expect(await left('SELECT 1 FROM agent_api_keys WHERE agent_id = $1')).toHaveLength(0);
    });
  });

  describe('list', () => {
    let project: string;
    beforeAll(async () => {
      project = await newProject('Listing');
      // Created one after another, so "newest first" is well defined.
      await createAgent(world.t, world.owner, project, {
        name: 'alpha',
        agent_type: 'coder',
        capabilities: ['python', 'sql'],
        status: 'online',
      });
      await createAgent(world.t, world.owner, project, {
        name: 'beta',
        agent_type: 'coder',
        capabilities: ['go'],
        is_active: false,
      });
      await createAgent(world.t, world.owner, project, {
        name: 'gamma',
        nickname: 'The Reviewer',
        agent_type: 'reviewer',
        capabilities: ['review_100%'],
        status: 'busy',
      });
      await createAgent(world.t, world.owner, project, {
        name: 'delta',
        capabilities: ['SQL-tuning'],
        status: 'online',
      });
    });
    const names = async (query: string) => {
      const res = await api('GET', `/agents?project_id=${project}&${query}`);
      expect(res.statusCode).toBe(200);
      return res.json().items.map((a: { name: string }) => a.name);
    };

    it('pages newest first with the total', async () => {
      const res = await api('GET', `/agents?project_id=${project}&limit=2&offset=1`);
      expect(res.json()).toMatchObject({ total: 4, limit: 2, offset: 1 });
      expect(res.json().items.map((a: { name: string }) => a.name)).toEqual(['gamma', 'beta']);
      expect(await names('')).toEqual(['delta', 'gamma', 'beta', 'alpha']);
      const past = await api('GET', `/agents?project_id=${project}&offset=10`);
      expect(past.json()).toEqual({ items: [], total: 4, limit: 50, offset: 10 });
    });

    it('filters by status, is_active, agent_type and capability', async () => {
      expect(await names('status=online')).toEqual(['delta', 'alpha']);
      expect(await names('status=offline')).toEqual(['beta']);
      expect(await names('is_active=false')).toEqual(['beta']);
      expect(await names('is_active=true&agent_type=coder')).toEqual(['alpha']);
      expect(await names('capability=sql')).toEqual(['alpha']);
      expect(await names('capability=nothing')).toEqual([]);
    });

    it('searches name, nickname and capabilities with q (case-insensitive; % and _ are literal)', async () => {
      expect(await names('q=ALPH')).toEqual(['alpha']);
      expect(await names('q=reviewer')).toEqual(['gamma']);
      expect(await names('q=sql')).toEqual(['delta', 'alpha']);
      expect(await names(`q=${encodeURIComponent('100%')}`)).toEqual(['gamma']);
      expect(await names(`q=${encodeURIComponent('%')}`)).toEqual(['gamma']);
      expect(await names('q=_')).toEqual(['gamma']);
    });

    it('refuses bad filters with 400', async () => {
      for (const query of [
        'status=sleeping',
        'is_active=yes',
        'project_id=nope',
        'limit=501',
        'limit=0',
        'offset=-1',
        `q=${'x'.repeat(201)}`,
        'colour=red',
      ]) {
        expectProblem(await api('GET', `/agents?${query}`), 400);
      }
    });
  });

  describe('heartbeats', () => {
    it('stamps last_heartbeat and status (online by default)', async () => {
      const agent = await createAgent(world.t, world.owner, world.p1);
      const res = await api('POST', `/agents/${agent.id}/heartbeat`, {});
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: agent.id, status: 'online' });
      expect(Date.now() - new Date(res.json().last_heartbeat).getTime()).toBeLessThan(60_000);
      const busy = await api('POST', `/agents/${agent.id}/heartbeat`, { status: 'busy' });
      expect(busy.json().status).toBe('busy');
      expectProblem(
        await api('POST', `/agents/${agent.id}/heartbeat`, { status: 'sleeping' }),
        400,
      );
      expectProblem(
        await api('POST', `/agents/${agent.id}/heartbeat`, { status: 'online', extra: 1 }),
        400,
      );
    });

    it('takes a heartbeat without a body', async () => {
      const agent = await createAgent(world.t, world.owner, world.p1);
      const res = await world.t.request({
        method: 'POST',
        url: `/api/v1/agents/${agent.id}/heartbeat`,
        headers: world.owner,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('online');
    });

    it('says when a heartbeat expires (its stamp plus the timeout) on every read of the agent', async () => {
      const project = await newProject('Expiry');
      const agent = await createAgent(world.t, world.owner, project, { name: 'expiring' });
      expect(agent.heartbeat_expires_at).toBeNull();
      const beat = (await api('POST', `/agents/${agent.id}/heartbeat`, {})).json();
      expect(Date.parse(beat.heartbeat_expires_at) - Date.parse(beat.last_heartbeat)).toBe(60_000);

      const expiry = {
        last_heartbeat: beat.last_heartbeat,
        heartbeat_expires_at: beat.heartbeat_expires_at,
      };
      expect((await api('GET', `/agents/${agent.id}`)).json()).toMatchObject(expiry);
      expect((await api('GET', `/agents?project_id=${project}`)).json().items).toEqual([
        expect.objectContaining(expiry),
      ]);
      const patched = await api('PATCH', `/agents/${agent.id}`, { nickname: 'renamed' });
      expect(patched.json()).toMatchObject(expiry);
      // Stale: the moment is in the past and the agent reads as offline.
      await query(
        world.db.url,
        `UPDATE agents SET last_heartbeat = now() - interval '61 seconds' WHERE id = $1`,
        [agent.id],
      );
      const stale = (await api('GET', `/agents/${agent.id}`)).json();
      expect(stale.status).toBe('offline');
      expect(Date.parse(stale.heartbeat_expires_at) - Date.parse(stale.last_heartbeat)).toBe(
        60_000,
      );
      expect(Date.parse(stale.heartbeat_expires_at)).toBeLessThan(Date.now());
    });

    it('reads agents with a stale heartbeat as offline, in responses and in ?status= filters', async () => {
      const project = await newProject('Heartbeats');
      const fresh = await createAgent(world.t, world.owner, project, { name: 'fresh' });
      const stale = await createAgent(world.t, world.owner, project, { name: 'stale' });
      await api('POST', `/agents/${fresh.id}/heartbeat`, { status: 'busy' });
      await api('POST', `/agents/${stale.id}/heartbeat`, { status: 'busy' });
      // 61 s ago: just past AGENT_HEARTBEAT_TIMEOUT=60.
      await query(
        world.db.url,
        `UPDATE agents SET last_heartbeat = now() - interval '61 seconds' WHERE id = $1`,
        [stale.id],
      );

      expect((await api('GET', `/agents/${stale.id}`)).json().status).toBe('offline');
      expect((await api('GET', `/agents/${fresh.id}`)).json().status).toBe('busy');
      const busy = await api('GET', `/agents?project_id=${project}&status=busy`);
      expect(busy.json()).toMatchObject({ total: 1, items: [{ name: 'fresh' }] });
      const offline = await api('GET', `/agents?project_id=${project}&status=offline`);
      expect(offline.json()).toMatchObject({
        total: 1,
        items: [{ name: 'stale', status: 'offline' }],
      });
      // The next heartbeat brings it back.
      expect((await api('POST', `/agents/${stale.id}/heartbeat`, {})).json().status).toBe('online');
    });
  });

  describe('capabilities', () => {
    it('lists the agent’s capabilities with details, defaults where none were given', async () => {
      const agent = await createAgent(world.t, world.owner, world.p1, {
        capabilities: ['code', 'review'],
      });
      const res = await api('GET', `/agents/${agent.id}/capabilities`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        agent_id: agent.id,
        project_id: world.p1,
        capabilities: [
          {
            capability_name: 'code',
            confidence_score: 0.5,
            description: null,
            input_schema: null,
            output_schema: null,
            usage_count: 0,
            last_used_at: null,
          },
          {
            capability_name: 'review',
            confidence_score: 0.5,
            description: null,
            input_schema: null,
            output_schema: null,
            usage_count: 0,
            last_used_at: null,
          },
        ],
      });
    });

    it('replaces the set with PUT, which also becomes the agent’s capability list', async () => {
      const agent = await createAgent(world.t, world.owner, world.p1, {
        capabilities: ['code', 'review'],
      });
      const put = await api('PUT', `/agents/${agent.id}/capabilities`, {
        capabilities: [
          {
            capability_name: 'review',
            confidence_score: 0.75,
            description: 'Reads diffs',
            input_schema: { type: 'object' },
          },
          { capability_name: 'deploy', confidence_score: 1 },
        ],
      });
      expect(put.statusCode).toBe(200);
      expect(put.json().capabilities).toEqual([
        expect.objectContaining({
          capability_name: 'review',
          confidence_score: 0.75,
          description: 'Reads diffs',
          input_schema: { type: 'object' },
        }),
        expect.objectContaining({
          capability_name: 'deploy',
          confidence_score: 1,
          description: null,
        }),
      ]);
      expect((await api('GET', `/agents/${agent.id}`)).json().capabilities).toEqual([
        'review',
        'deploy',
      ]);
      expect((await api('GET', `/agents/${agent.id}/capabilities`)).json()).toEqual(put.json());

      // Usage counters survive a PUT that keeps the name; details go when the name leaves the list.
      await query(
        world.db.url,
        `UPDATE agent_capabilities SET usage_count = 7 WHERE agent_id = $1 AND capability_name = 'review'`,
        [agent.id],
      );
      await api('PUT', `/agents/${agent.id}/capabilities`, {
        capabilities: [{ capability_name: 'review' }, { capability_name: 'deploy' }],
      });
      const kept = (await api('GET', `/agents/${agent.id}/capabilities`)).json().capabilities;
      expect(kept[0]).toMatchObject({
        capability_name: 'review',
        usage_count: 7,
        confidence_score: 0.5,
        description: null,
      });
      await api('PATCH', `/agents/${agent.id}`, { capabilities: ['deploy'] });
      const rows = await query<{ capability_name: string }>(
        world.db.url,
        'SELECT capability_name FROM agent_capabilities WHERE agent_id = $1',
        [agent.id],
      );
      expect(rows.map((r) => r.capability_name)).toEqual(['deploy']);
    });

    it('refuses bad capability details with 400', async () => {
      const url = `/agents/${world.a2}/capabilities`;
      for (const capabilities of [
        [{ capability_name: 'x', confidence_score: 1.5 }],
        [{ capability_name: 'x', confidence_score: -0.1 }],
        [{ capability_name: 'x', confidence_score: '0.5' }],
        [{ capability_name: 'x' }, { capability_name: 'x' }],
        [{ capability_name: '' }],
        [{ capability_name: 'x'.repeat(101) }],
        [{ capability_name: 'x', unknown: true }],
        [{ capability_name: 'x', input_schema: 'not an object' }],
        ['x'],
        Array.from({ length: 101 }, (_, i) => ({ capability_name: `c${i}` })),
      ]) {
        expectProblem(await api('PUT', url, { capabilities }), 400);
      }
      expectProblem(await api('PUT', url, {}), 400);
    });
  });

  describe('bad input → 400 problem+json, never 500', () => {
    const base = () => ({ project_id: world.p1, name: `bad-${Math.random()}` });
    it.each([
      ['a missing name', { name: undefined }, ['name']],
      ['a blank name', { name: '   ' }, ['name']],
      ['a name of the wrong type', { name: 42 }, ['name']],
      ['a huge name', { name: 'n'.repeat(256) }, ['name']],
      ['a huge nickname', { nickname: 'n'.repeat(256) }, ['nickname']],
      ['a huge system prompt', { system_prompt: 'p'.repeat(100_001) }, ['system_prompt']],
      ['a huge agent_type', { agent_type: 't'.repeat(101) }, ['agent_type']],
      ['a huge model_name', { model_name: 'm'.repeat(256) }, ['model_name']],
      ['an unknown status', { status: 'sleeping' }, ['status']],
      ['capabilities that are not a list', { capabilities: 'code' }, ['capabilities']],
      ['a capability that is not a string', { capabilities: [1] }, ['capabilities']],
      ['a huge capability', { capabilities: ['c'.repeat(101)] }, ['capabilities']],
      [
        'too many capabilities',
        { capabilities: Array.from({ length: 101 }, (_, i) => `c${i}`) },
        ['capabilities'],
      ],
      ['a repeated capability', { capabilities: ['a', 'a'] }, ['capabilities']],
      ['a config that is not an object', { config: [1, 2] }, ['config']],
      ['a huge config', { config: { blob: 'x'.repeat(70_000) } }, ['config']],
      ['is_active as a string', { is_active: 'true' }, ['is_active']],
      ['an unknown field', { colour: 'red' }, ['colour']],
      ['a malformed project_id', { project_id: 'not-a-uuid' }, ['project_id']],
    ])('refuses %s', async (_what, override, fields) => {
      const res = await api('POST', '/agents', { ...base(), ...override });
      expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      expect(Object.keys(res.json().errors)).toEqual(expect.arrayContaining(fields));
    });

    it('refuses malformed JSON and non-object bodies', async () => {
      for (const body of ['{"name":', '[1,2]']) {
        const res = await world.t.request({
          method: 'POST',
          url: '/api/v1/agents',
          headers: { ...world.owner, 'content-type': 'application/json' },
          payload: body,
        });
        expectProblem(res, 400);
      }
    });
  });
});

describe('agents: the heartbeat expiry', () => {
  // Short, so the test can wait for a heartbeat to expire.
  const TIMEOUT_SECONDS = 2;
  const ctx = useApiTestApp({ env: { AGENT_HEARTBEAT_TIMEOUT: String(TIMEOUT_SECONDS) } });

  it('reads as offline once heartbeat_expires_at has passed, and not before', async () => {
    const owner = (await registerAndLogin(ctx.t, 'expiry@agents.test')).auth;
    const project = await createProject(ctx.t, owner, 'Expiry');
    const agent = await createAgent(ctx.t, owner, project.id, { name: 'brief' });
    const read = async () =>
      (
        await ctx.t.request({ method: 'GET', url: `/api/v1/agents/${agent.id}`, headers: owner })
      ).json();
    expect(await read()).toMatchObject({
      status: 'offline',
      last_heartbeat: null,
      heartbeat_expires_at: null,
    });

    const beat = await ctx.t.request({
      method: 'POST',
      url: `/api/v1/agents/${agent.id}/heartbeat`,
      headers: owner,
      payload: { status: 'busy' },
    });
    const { last_heartbeat: stamp, heartbeat_expires_at: expiresAt } = beat.json();
    expect(Date.parse(expiresAt) - Date.parse(stamp)).toBe(TIMEOUT_SECONDS * 1000);
    expect(await read()).toMatchObject({ status: 'busy', heartbeat_expires_at: expiresAt });

    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 100));
    expect(await read()).toMatchObject({ status: 'offline', heartbeat_expires_at: expiresAt });
  });
});
