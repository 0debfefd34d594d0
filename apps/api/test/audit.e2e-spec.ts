import { Client } from 'pg';
import { purgeAuditLog } from '@agenthub/auth';
import {
  bearer,
  createAgent,
  createAgentKey,
  createProject,
  createSuperuser,
  expectProblem,
  query,
  registerAndLogin,
  TestUser,
} from '@agenthub/testing';
import { useApiTestApp } from './create-api-test-app';

type AuditRow = {
  id: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  project_id: string | null;
  request_id: string | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('audit log', () => {
  const ctx = useApiTestApp();
  let owner: TestUser;
  let root: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    owner = await registerAndLogin(ctx.t, 'owner@example.com');
    root = await createSuperuser(ctx.t, ctx.db.url, 'root@example.com');
    bob = await registerAndLogin(ctx.t, 'bob@example.com');
  });

  const rows = (where = 'true', params: unknown[] = []) =>
    query<AuditRow>(
      ctx.db.url,
      `SELECT id::text, actor_type, actor_id, action, resource_type, resource_id, project_id, request_id FROM audit_log WHERE ${where} ORDER BY audit_log.id`,
      params,
    );
  const lastId = async () => {
    const [{ max }] = await query<{ max: string | null }>(
      ctx.db.url,
      'SELECT max(id)::text AS max FROM audit_log',
    );
    return max ?? '0';
  };

  describe('what gets recorded', () => {
    it('records sign-up (anonymous) and login (the user) with their request ids', async () => {
      const before = await lastId();
      const reg = await ctx.t.request({
        method: 'POST',
        url: '/api/v1/auth/register',
        headers: { 'x-request-id': 'signup-42' },
        payload: { email: 'new@example.com', password: 'long enough', name: 'New' },
      });
      const login = await ctx.t.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'new@example.com', password: 'long enough' },
      });
      expect(login.statusCode).toBe(200);
      const userId = reg.json().id;
      expect(await rows('id > $1', [before])).toEqual([
        {
          id: expect.any(String),
          actor_type: 'anonymous',
          actor_id: null,
          action: 'user.register',
          resource_type: 'user',
          resource_id: userId,
          project_id: null,
          request_id: 'signup-42',
        },
        {
          id: expect.any(String),
          actor_type: 'user',
          actor_id: userId,
          action: 'user.login',
          resource_type: 'user',
          resource_id: userId,
          project_id: null,
          request_id: expect.stringMatching(UUID),
        },
      ]);
    });

    it('records create, update (by whoever did it) and delete of a project', async () => {
      const before = await lastId();
      const created = await ctx.t.request({
        method: 'POST',
        url: '/api/v1/projects',
        headers: { ...owner.auth, 'x-request-id': 'create-1' },
        payload: { name: 'Audited' },
      });
      const id = created.json().id;
      await ctx.t.request({
        method: 'PATCH',
        url: `/api/v1/projects/${id}`,
        headers: { ...root.auth, 'x-request-id': 'update-2' },
        payload: { name: 'Audited!' },
      });

      const history = await rows('id > $1', [before]);
      expect(history).toEqual([
        {
          id: expect.any(String),
          actor_type: 'user',
          actor_id: owner.id,
          action: 'project.create',
          resource_type: 'project',
          resource_id: id,
          project_id: id,
          request_id: 'create-1',
        },
        {
          id: expect.any(String),
          actor_type: 'user',
          actor_id: root.id,
          action: 'project.update',
          resource_type: 'project',
          resource_id: id,
          project_id: id,
          request_id: 'update-2',
        },
      ]);

      // The deletion takes the project's history with it (FK cascade) but is itself recorded.
      await ctx.t.request({
        method: 'DELETE',
        url: `/api/v1/projects/${id}`,
        headers: { ...owner.auth, 'x-request-id': 'delete-3' },
      });
      expect(await rows('id > $1', [before])).toEqual([
        {
          id: expect.any(String),
          actor_type: 'user',
          actor_id: owner.id,
          action: 'project.delete',
          resource_type: 'project',
          resource_id: id,
          project_id: null,
          request_id: 'delete-3',
        },
      ]);
    });

    it('records nothing for reads and for refused or invalid changes', async () => {
      const p = await createProject(ctx.t, owner.auth, 'Quiet');
      const before = await lastId();
      await ctx.t.request({ method: 'GET', url: `/api/v1/projects/${p.id}`, headers: owner.auth });
      await ctx.t.request({ method: 'GET', url: '/api/v1/projects', headers: owner.auth });
      expectProblem(
        await ctx.t.request({
          method: 'PATCH',
          url: `/api/v1/projects/${p.id}`,
          headers: bob.auth,
          payload: { name: 'x' },
        }),
        403,
      );
      expectProblem(
        await ctx.t.request({ method: 'DELETE', url: `/api/v1/projects/${p.id}`, payload: {} }),
        401,
      );
      expectProblem(
        await ctx.t.request({
          method: 'PATCH',
          url: `/api/v1/projects/${p.id}`,
          headers: owner.auth,
          payload: { name: '' },
        }),
        400,
      );
      expectProblem(
        await ctx.t.request({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'owner@example.com', password: 'wrong' },
        }),
        401,
      );
      expectProblem(
        await ctx.t.request({
          method: 'POST',
          url: '/api/v1/auth/register',
          payload: { email: 'owner@example.com', password: 'long enough', name: 'x' },
        }),
        409,
      );
      expect(await rows('id > $1', [before])).toEqual([]);
    });

    it('replaces a malformed X-Request-Id with a fresh UUID', async () => {
      const before = await lastId();
      await ctx.t.request({
        method: 'POST',
        url: '/api/v1/projects',
        headers: { ...owner.auth, 'x-request-id': 'x'.repeat(200) },
        payload: { name: 'Long id' },
      });
      await ctx.t.request({
        method: 'POST',
        url: '/api/v1/projects',
        headers: { ...owner.auth, 'x-request-id': "a'b c" },
        payload: { name: 'Odd id' },
      });
      const [a, b] = await rows('id > $1', [before]);
      expect(a.request_id).toMatch(UUID);
      expect(b.request_id).toMatch(UUID);
      expect(a.request_id).not.toBe(b.request_id);
    });
  });

  describe('atomicity', () => {
    afterEach(() => query(ctx.db.url, 'DROP TRIGGER IF EXISTS audit_log_fail ON audit_log'));

    const failAuditInsertsFor = async (action: string) => {
      await query(
        ctx.db.url,
        `CREATE OR REPLACE FUNCTION audit_log_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit insert failed'; END $$`,
      );
      await query(ctx.db.url, 'DROP TRIGGER IF EXISTS audit_log_fail ON audit_log');
      await query(
        ctx.db.url,
        `CREATE TRIGGER audit_log_fail BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.action = '${action}') EXECUTE FUNCTION audit_log_fail()`,
      );
    };

    it('undoes a change whose audit row cannot be written (no change without its record)', async () => {
      const p = await createProject(ctx.t, owner.auth, 'Before');
      await failAuditInsertsFor('project.update');
      const res = await ctx.t.request({
        method: 'PATCH',
        url: `/api/v1/projects/${p.id}`,
        headers: owner.auth,
        payload: { name: 'After' },
      });
      expect(res.statusCode).toBe(500);
      expect(await query(ctx.db.url, 'SELECT name FROM projects WHERE id = $1', [p.id])).toEqual([
        { name: 'Before' },
      ]);

      await failAuditInsertsFor('project.create');
      const projectCount = () => query(ctx.db.url, 'SELECT count(*) FROM projects');
      const before = await projectCount();
      const create = await ctx.t.request({
        method: 'POST',
        url: '/api/v1/projects',
        headers: owner.auth,
        payload: { name: 'Never' },
      });
      expect(create.statusCode).toBe(500);
      expect(await projectCount()).toEqual(before);
    });
  });

  describe('append-only in the database', () => {
    it('refuses UPDATE, DELETE and TRUNCATE in plain SQL', async () => {
      expect((await rows()).length).toBeGreaterThan(0);
      for (const statement of [
        `UPDATE audit_log SET action = 'forged'`,
        `UPDATE audit_log SET actor_id = NULL, actor_type = 'anonymous' WHERE actor_type = 'user'`,
        'DELETE FROM audit_log',
        'DELETE FROM audit_log WHERE project_id IS NULL',
        'TRUNCATE audit_log',
      ])
        await expect(query(ctx.db.url, statement)).rejects.toThrow(/append-only/);
      const forged = await query(ctx.db.url, `SELECT 1 FROM audit_log WHERE action = 'forged'`);
      expect(forged).toEqual([]);
    });

    it('lets rows go only with their project (cascade) or in a retention run', async () => {
      const p = await createProject(ctx.t, owner.auth, 'Cascade');
      await ctx.t.request({
        method: 'PATCH',
        url: `/api/v1/projects/${p.id}`,
        headers: owner.auth,
        payload: { name: 'Cascade 2' },
      });
      expect(await rows('project_id = $1', [p.id])).toHaveLength(2);
      await expect(
        query(ctx.db.url, 'DELETE FROM audit_log WHERE project_id = $1', [p.id]),
      ).rejects.toThrow(/append-only/);
      await query(ctx.db.url, 'DELETE FROM projects WHERE id = $1', [p.id]);
      expect(await rows('project_id = $1', [p.id])).toEqual([]);
    });

    it('purges rows older than a cutoff in a retention run, and only there', async () => {
      await query(
        ctx.db.url,
        `INSERT INTO audit_log (occurred_at, actor_type, action, resource_type) VALUES (now() - interval '400 days', 'system', 'old.thing', 'thing'), (now() - interval '10 days', 'system', 'recent.thing', 'thing')`,
      );
      const cutoff = new Date(Date.now() - 365 * 86_400_000);
      expect(await purgeAuditLog(ctx.db.url, cutoff)).toBe(1);
      expect(
        await query(ctx.db.url, `SELECT action FROM audit_log WHERE action LIKE '%.thing'`),
      ).toEqual([{ action: 'recent.thing' }]);

      // The permission ends with the retention transaction; a session cannot keep it by accident.
      const client = new Client({ connectionString: ctx.db.url });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL agenthub.audit_retention = 'on'`);
        await client.query(`DELETE FROM audit_log WHERE action = 'recent.thing'`);
        await client.query('ROLLBACK');
        await expect(
          client.query(`DELETE FROM audit_log WHERE action = 'recent.thing'`),
        ).rejects.toThrow(/append-only/);
      } finally {
        await client.end();
      }
    });
  });

  describe('GET /projects/:id/audit and GET /audit', () => {
    it("pages through a project's history, newest first", async () => {
      const p = await createProject(ctx.t, owner.auth, 'History');
      for (const name of ['v2', 'v3', 'v4']) {
        await ctx.t.request({
          method: 'PATCH',
          url: `/api/v1/projects/${p.id}`,
          headers: owner.auth,
          payload: { name },
        });
      }
      const first = await ctx.t.request({
        method: 'GET',
        url: `/api/v1/projects/${p.id}/audit?limit=3`,
        headers: owner.auth,
      });
      expect(first.statusCode).toBe(200);
      expect(first.json()).toMatchObject({ total: 4, limit: 3, offset: 0 });
      expect(first.json().items.map((e: AuditRow) => e.action)).toEqual([
        'project.update',
        'project.update',
        'project.update',
      ]);
      expect(first.json().items[0]).toEqual({
        id: expect.any(String),
        occurred_at: expect.stringMatching(/Z$/),
        actor_type: 'user',
        actor_id: owner.id,
        action: 'project.update',
        resource_type: 'project',
        resource_id: p.id,
        project_id: p.id,
        request_id: expect.stringMatching(UUID),
      });
      const ids = first.json().items.map((e: AuditRow) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      const rest = await ctx.t.request({
        method: 'GET',
        url: `/api/v1/projects/${p.id}/audit?limit=3&offset=3`,
        headers: root.auth,
      });
      expect(rest.json().items.map((e: AuditRow) => e.action)).toEqual(['project.create']);
    });

    it('gives superusers the whole log, filterable; nobody else', async () => {
      const all = await ctx.t.request({
        method: 'GET',
        url: '/api/v1/audit?action=user.register&limit=500',
        headers: root.auth,
      });
      expect(all.statusCode).toBe(200);
      const entries = all.json<{ items: AuditRow[] }>().items;
      expect(entries.length).toBeGreaterThanOrEqual(3);
      const isSignUp = (e: AuditRow) => e.action === 'user.register' && e.project_id === null;
      expect(entries.every(isSignUp)).toBe(true);
      const mine = await ctx.t.request({
        method: 'GET',
        url: `/api/v1/audit?actor_id=${bob.id}`,
        headers: root.auth,
      });
      expect(mine.json().items.every((e: AuditRow) => e.actor_id === bob.id)).toBe(true);

      expectProblem(
        await ctx.t.request({ method: 'GET', url: '/api/v1/audit', headers: owner.auth }),
        403,
        'AUTH.SUPERUSER_REQUIRED',
      );
      expectProblem(await ctx.t.request({ method: 'GET', url: '/api/v1/audit' }), 401);
      expectProblem(
        await ctx.t.request({
          method: 'GET',
          url: '/api/v1/audit?actor_id=nope',
          headers: root.auth,
        }),
        400,
      );
      expectProblem(
        await ctx.t.request({
          method: 'GET',
          url: '/api/v1/audit?actor_type=robot',
          headers: root.auth,
        }),
        400,
      );
    });
  });
  describe('filters', () => {
    /**
     * A project with a known history, newest first: the superuser renames it; the owner creates
     * agent Y, renames agent X; X reports a heartbeat with its own key; the owner creates X's
     * key, agent X, the project. Another project of the owner has an agent too.
     */
    let project: string;
    let x: string;
    let y: string;
    let key: string;

    beforeAll(async () => {
      project = (await createProject(ctx.t, owner.auth, 'Filters')).id;
      x = (await createAgent(ctx.t, owner.auth, project, { name: 'X' })).id;
      const xKey = await createAgentKey(ctx.t, owner.auth, x);
      key = xKey.id;
      const beat = await ctx.t.request({
        method: 'POST',
        url: `/api/v1/agents/${x}/heartbeat`,
        headers: bearer(xKey.api_key),
      });
      expect(beat.statusCode).toBe(200);
      const rename = await ctx.t.request({
        method: 'PATCH',
        url: `/api/v1/agents/${x}`,
        headers: owner.auth,
        payload: { nickname: 'ex' },
      });
      expect(rename.statusCode).toBe(200);
      y = (await createAgent(ctx.t, owner.auth, project, { name: 'Y' })).id;
      const renamed = await ctx.t.request({
        method: 'PATCH',
        url: `/api/v1/projects/${project}`,
        headers: root.auth,
        payload: { name: 'Filters 2' },
      });
      expect(renamed.statusCode).toBe(200);
      const elsewhere = await createProject(ctx.t, owner.auth, 'Elsewhere');
      await createAgent(ctx.t, owner.auth, elsewhere.id, { name: 'X' });
    });

    const list = async (params: string, headers = owner.auth) => {
      const res = await ctx.t.request({
        method: 'GET',
        url: `/api/v1/projects/${project}/audit?${params}`,
        headers,
      });
      expect(res.statusCode).toBe(200);
      return res.json<{ items: AuditRow[]; total: number; limit: number; offset: number }>();
    };
    /** Each entry as its action and resource, in the order listed. */
    const entries = async (params: string) =>
      (await list(params)).items.map((e) => `${e.action} ${e.resource_id}`);

    it('narrows by each filter', async () => {
      expect(await entries('')).toEqual([
        `project.update ${project}`,
        `agent.create ${y}`,
        `agent.update ${x}`,
        `agent.heartbeat ${x}`,
        `agent_api_key.create ${key}`,
        `agent.create ${x}`,
        `project.create ${project}`,
      ]);
      expect(await entries('actor_type=agent')).toEqual([`agent.heartbeat ${x}`]);
      expect(await entries('actor_type=system')).toEqual([]);
      expect(await entries(`actor_id=${root.id}`)).toEqual([`project.update ${project}`]);
      expect(await entries(`actor_id=${x}`)).toEqual([`agent.heartbeat ${x}`]);
      expect(await entries('action=agent.create')).toEqual([
        `agent.create ${y}`,
        `agent.create ${x}`,
      ]);
      expect(await entries('resource_type=api_key')).toEqual([`agent_api_key.create ${key}`]);
      expect(await entries(`resource_id=${x}`)).toEqual([
        `agent.update ${x}`,
        `agent.heartbeat ${x}`,
        `agent.create ${x}`,
      ]);
      // Exact values, not patterns.
      expect(await entries('action=agent')).toEqual([]);
      expect(await entries('resource_type=agen%25')).toEqual([]);
    });

    it('combines filters (all must match), within the project only', async () => {
      expect(await entries(`resource_type=agent&actor_type=user&resource_id=${x}`)).toEqual([
        `agent.update ${x}`,
        `agent.create ${x}`,
      ]);
      expect(await entries(`action=agent.create&actor_id=${owner.id}&resource_id=${y}`)).toEqual([
        `agent.create ${y}`,
      ]);
      expect(await entries(`actor_type=agent&action=agent.update`)).toEqual([]);
      // The other project's agent.create (same owner, same action) is not in this log.
      expect((await list(`action=agent.create&actor_id=${owner.id}`)).total).toBe(2);
    });

    it('pages through the filtered entries, the total counting only those', async () => {
      expect(await list('resource_type=agent&limit=3')).toMatchObject({
        total: 4,
        limit: 3,
        offset: 0,
        items: [{ resource_id: y }, { resource_id: x }, { resource_id: x }],
      });
      expect(await list('resource_type=agent&limit=3&offset=3')).toMatchObject({
        total: 4,
        items: [{ action: 'agent.create', resource_id: x }],
      });
      expect(await list('resource_type=agent&limit=3&offset=10')).toEqual({
        items: [],
        total: 4,
        limit: 3,
        offset: 10,
      });
      expect(await list('actor_type=anonymous&offset=5')).toMatchObject({ items: [], total: 0 });
    });

    it('takes the same filters on the whole log, with project_id', async () => {
      const res = await ctx.t.request({
        method: 'GET',
        url: `/api/v1/audit?resource_type=agent&resource_id=${x}&project_id=${project}&actor_type=user`,
        headers: root.auth,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().items.map((e: AuditRow) => e.action)).toEqual([
        'agent.update',
        'agent.create',
      ]);
      // Without project_id, the whole log: the other project's agent.create by the owner too.
      const everywhere = await ctx.t.request({
        method: 'GET',
        url: `/api/v1/audit?action=agent.create&actor_id=${owner.id}`,
        headers: root.auth,
      });
      expect(everywhere.json().total).toBe(3);
    });

    it('refuses a malformed filter with 400, naming it', async () => {
      const cases: [string, string][] = [
        ['actor_type=robot', 'actor_type'],
        ['actor_id=nope', 'actor_id'],
        ['action=', 'action'],
        [`action=${'a'.repeat(101)}`, 'action'],
        ['resource_type=', 'resource_type'],
        [`resource_type=${'t'.repeat(51)}`, 'resource_type'],
        ['resource_id=', 'resource_id'],
        [`resource_id=${'i'.repeat(101)}`, 'resource_id'],
        // The project is the path's: the whole log's project_id is unknown here.
        [`project_id=${project}`, 'project_id'],
      ];
      for (const [params, field] of cases) {
        const res = await ctx.t.request({
          method: 'GET',
          url: `/api/v1/projects/${project}/audit?${params}`,
          headers: owner.auth,
        });
        expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
        expect(Object.keys(res.json().errors)).toContain(field);
      }
      for (const params of ['resource_type=', `resource_id=${'i'.repeat(101)}`]) {
        expectProblem(
          await ctx.t.request({
            method: 'GET',
            url: `/api/v1/audit?${params}`,
            headers: root.auth,
          }),
          400,
          'REQUEST.VALIDATION_FAILED',
        );
      }
      // The filters do not open the log to others.
      expectProblem(
        await ctx.t.request({
          method: 'GET',
          url: `/api/v1/projects/${project}/audit?actor_id=${bob.id}`,
          headers: bob.auth,
        }),
        403,
        'PROJECT.FORBIDDEN',
      );
    });
  });
});
