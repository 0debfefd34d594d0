import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import {
  AuthHeaders,
  createProject,
  createSuperuser,
  deactivateUser,
  expectProblem,
  query,
  registerAndLogin,
  TestUser,
} from '@agenthub/testing';
import { useApiTestApp } from './create-api-test-app';

type Actor = 'owner' | 'superuser' | 'other user' | 'no token' | 'inactive user';
const ACTORS: Actor[] = ['owner', 'superuser', 'other user', 'no token', 'inactive user'];

describe('projects', () => {
  const ctx = useApiTestApp();
  let owner: TestUser;
  let root: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let project: { id: string };
  let carolsProject: { id: string };
  let headers: (actor: Actor) => AuthHeaders;

  beforeAll(async () => {
    owner = await registerAndLogin(ctx.t, 'owner@example.com');
    root = await createSuperuser(ctx.t, ctx.db.url, 'root@example.com');
    bob = await registerAndLogin(ctx.t, 'bob@example.com');
    carol = await registerAndLogin(ctx.t, 'carol@example.com');
    carolsProject = await createProject(ctx.t, carol.auth, 'Carol’s');
    await deactivateUser(ctx.db.url, 'carol@example.com');
    project = await createProject(ctx.t, owner.auth, 'Apollo', 'to the moon');
    headers = (actor) =>
      ({
        owner: owner.auth,
        superuser: root.auth,
        'other user': bob.auth,
        'no token': {},
        'inactive user': carol.auth,
      })[actor];
  });

  /**
   * The broker's access matrix: owner and superuser may, other users get 403, no valid
   * credentials 401.
   */
  const expectAccess = (res: LightMyRequestResponse, actor: Actor, ok: number) => {
    const expected = {
      owner: ok,
      superuser: ok,
      'other user': 403,
      'no token': 401,
      'inactive user': 401,
    }[actor];
    expect({ actor, status: res.statusCode }).toEqual({ actor, status: expected });
    if (expected >= 400)
      expectProblem(res, expected, expected === 403 ? 'PROJECT.FORBIDDEN' : undefined);
  };

  describe('access matrix', () => {
    it.each(ACTORS)('GET /projects/:id — %s', async (actor) => {
      const res = await ctx.t.request({
        method: 'GET',
        url: `/api/v1/projects/${project.id}`,
        headers: headers(actor),
      });
      expectAccess(res, actor, 200);
      if (res.statusCode === 200)
        expect(res.json()).toMatchObject({ id: project.id, name: 'Apollo', owner_id: owner.id });
    });

    it.each(ACTORS)('PATCH /projects/:id — %s', async (actor) => {
      const description = `edited by ${actor}`;
      const res = await ctx.t.request({
        method: 'PATCH',
        url: `/api/v1/projects/${project.id}`,
        headers: headers(actor),
        payload: { description },
      });
      expectAccess(res, actor, 200);
      const [row] = await query<{ description: string }>(
        ctx.db.url,
        'SELECT description FROM projects WHERE id = $1',
        [project.id],
      );
      expect(row.description === description).toBe(res.statusCode === 200);
    });

    it.each(ACTORS)('DELETE /projects/:id — %s', async (actor) => {
      const doomed = await createProject(ctx.t, owner.auth, `Doomed by ${actor}`);
      const res = await ctx.t.request({
        method: 'DELETE',
        url: `/api/v1/projects/${doomed.id}`,
        headers: headers(actor),
      });
      expectAccess(res, actor, 204);
      const left = await query(ctx.db.url, 'SELECT 1 FROM projects WHERE id = $1', [doomed.id]);
      expect(left).toHaveLength(res.statusCode === 204 ? 0 : 1);
      if (res.statusCode === 204) expect(res.body).toBe('');
    });

    it.each(ACTORS)('GET /projects/:id/audit — %s', async (actor) => {
      const res = await ctx.t.request({
        method: 'GET',
        url: `/api/v1/projects/${project.id}/audit`,
        headers: headers(actor),
      });
      expectAccess(res, actor, 200);
    });

    it.each(ACTORS)('POST /projects — %s (any active user may create their own)', async (actor) => {
      const res = await ctx.t.request({
        method: 'POST',
        url: '/api/v1/projects',
        headers: headers(actor),
        payload: { name: `New by ${actor}` },
      });
      const expected = {
        owner: 201,
        superuser: 201,
        'other user': 201,
        'no token': 401,
        'inactive user': 401,
      }[actor];
      expect(res.statusCode).toBe(expected);
      if (expected === 201) {
        const creator = actor === 'owner' ? owner : actor === 'superuser' ? root : bob;
        expect(res.json()).toEqual({
          id: expect.any(String),
          name: `New by ${actor}`,
          description: null,
          owner_id: creator.id,
          created_at: expect.stringMatching(/Z$/),
          updated_at: expect.stringMatching(/Z$/),
        });
      }
    });

    it('refuses an inactive user even on the projects they own (401)', async () => {
      for (const [method, url] of [
        ['GET', ''],
        ['PATCH', ''],
        ['DELETE', ''],
        ['GET', '/audit'],
      ] as const) {
        const res = await ctx.t.request({
          method,
          url: `/api/v1/projects/${carolsProject.id}${url}`,
          headers: carol.auth,
          payload: method === 'PATCH' ? { name: 'x' } : undefined,
        });
        expectProblem(res, 401, 'AUTH.INVALID_TOKEN');
      }
      expect(
        await query(ctx.db.url, 'SELECT name FROM projects WHERE id = $1', [carolsProject.id]),
      ).toEqual([{ name: 'Carol’s' }]);
    });

    it.each(['no token', 'inactive user'] as Actor[])('GET /projects — %s → 401', async (actor) => {
      expectProblem(
        await ctx.t.request({ method: 'GET', url: '/api/v1/projects', headers: headers(actor) }),
        401,
      );
    });

    it.each(['owner', 'superuser', 'other user'] as Actor[])(
      'a project that does not exist is 404 for %s, on every route',
      async (actor) => {
        const id = randomUUID();
        for (const [method, url] of [
          ['GET', `/projects/${id}`],
          ['PATCH', `/projects/${id}`],
          ['DELETE', `/projects/${id}`],
          ['GET', `/projects/${id}/audit`],
        ] as const) {
          const res = await ctx.t.request({
            method,
            url: `/api/v1${url}`,
            headers: headers(actor),
            payload: method === 'PATCH' ? { name: 'x' } : undefined,
          });
          expectProblem(res, 404, 'PROJECT.NOT_FOUND');
        }
      },
    );

    it('answers a malformed project id with 400 on every route, never 500', async () => {
      for (const [method, url] of [
        ['GET', '/projects/not-a-uuid'],
        ['PATCH', '/projects/123'],
        ['DELETE', `/projects/${project.id}x`],
        ['GET', '/projects/%27%20OR%201=1/audit'],
      ] as const) {
        const res = await ctx.t.request({
          method,
          url: `/api/v1${url}`,
          headers: owner.auth,
          payload: method === 'PATCH' ? { name: 'x' } : undefined,
        });
        expectProblem(res, 400, 'REQUEST.INVALID_ID');
      }
    });
  });

  describe('GET /projects', () => {
    it('lists only the projects a user owns, newest first, paginated', async () => {
      const mine = await registerAndLogin(ctx.t, 'lister@example.com');
      const names = ['one', 'two', 'three'];
      for (const name of names) await createProject(ctx.t, mine.auth, name);
      const res = await ctx.t.request({
        method: 'GET',
        url: '/api/v1/projects?limit=2&offset=0',
        headers: mine.auth,
      });
      expect(res.json()).toMatchObject({
        total: 3,
        limit: 2,
        offset: 0,
        items: [{ name: 'three' }, { name: 'two' }],
      });
      const rest = await ctx.t.request({
        method: 'GET',
        url: '/api/v1/projects?limit=2&offset=2',
        headers: mine.auth,
      });
      expect(rest.json()).toMatchObject({ total: 3, items: [{ name: 'one' }] });
      expect(rest.json().items.every((p: { owner_id: string }) => p.owner_id === mine.id)).toBe(
        true,
      );
    });

    it('lists every project for a superuser', async () => {
      const [{ count }] = await query<{ count: string }>(
        ctx.db.url,
        'SELECT count(*) FROM projects',
      );
      const res = await ctx.t.request({
        method: 'GET',
        url: '/api/v1/projects?limit=500',
        headers: root.auth,
      });
      expect(res.json().total).toBe(Number(count));
      expect(
        new Set(res.json().items.map((p: { owner_id: string }) => p.owner_id)).size,
      ).toBeGreaterThan(2);
    });

    it('refuses bad pagination with 400', async () => {
      expectProblem(
        await ctx.t.request({
          method: 'GET',
          url: '/api/v1/projects?limit=0',
          headers: owner.auth,
        }),
        400,
      );
      expectProblem(
        await ctx.t.request({
          method: 'GET',
          url: '/api/v1/projects?offset=-1',
          headers: owner.auth,
        }),
        400,
      );
      expectProblem(
        await ctx.t.request({
          method: 'GET',
          url: '/api/v1/projects?owner=me',
          headers: owner.auth,
        }),
        400,
      );
    });
  });

  describe('validation', () => {
    const create = (payload: unknown) =>
      ctx.t.request({
        method: 'POST',
        url: '/api/v1/projects',
        headers: owner.auth,
        payload: payload as object,
      });

    it('refuses an unknown field by name (owner_id cannot be chosen)', async () => {
      const res = await create({ name: 'x', owner_id: bob.id });
      expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      expect(res.json().errors).toEqual({ owner_id: ['unknown field "owner_id" is not allowed'] });
    });

    it('refuses a blank, missing, too long or non-string name', async () => {
      for (const payload of [
        { name: '   ' },
        {},
        { name: 'x'.repeat(256) },
        { name: 42 },
        { name: 'ok', description: 7 },
      ]) {
        expectProblem(await create(payload), 400, 'REQUEST.VALIDATION_FAILED');
      }
      expect((await create({ name: 'x'.repeat(255) })).statusCode).toBe(201);
    });

    it('updates only the fields given, and clears the description with null', async () => {
      const p = await createProject(ctx.t, owner.auth, 'Gemini', 'two seats');
      const patch = (payload: object) =>
        ctx.t.request({
          method: 'PATCH',
          url: `/api/v1/projects/${p.id}`,
          headers: owner.auth,
          payload,
        });
      expect((await patch({ name: '  Gemini II ' })).json()).toMatchObject({
        name: 'Gemini II',
        description: 'two seats',
      });
      expect((await patch({ description: null })).json()).toMatchObject({
        name: 'Gemini II',
        description: null,
      });
      expect((await patch({})).json()).toMatchObject({ name: 'Gemini II', description: null });
      for (const name of [null, '  ', 42]) {
        const res = await patch({ name });
        expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
        expect(Object.keys(res.json().errors)).toEqual(['name']);
      }
      expectProblem(await patch({ description: 7 }), 400, 'REQUEST.VALIDATION_FAILED');
      expectProblem(await patch({ name: 'ok', id: randomUUID() }), 400);
    });
  });

  describe('deletion', () => {
    it('cascades through foreign keys, and a user who owns projects cannot be deleted under them', async () => {
      const p = await createProject(ctx.t, owner.auth, 'Mercury');
      await expect(
        query(ctx.db.url, 'DELETE FROM users WHERE id = $1', [owner.id]),
      ).rejects.toThrow(/projects_owner_id_fkey/);
      const request = (method: 'GET' | 'DELETE') =>
        ctx.t.request({ method, url: `/api/v1/projects/${p.id}`, headers: owner.auth });
      expect((await request('DELETE')).statusCode).toBe(204);
      expectProblem(await request('GET'), 404);
      expectProblem(await request('DELETE'), 404);
    });

    it('is declared ON DELETE CASCADE for everything that references projects', async () => {
      const rules = await query<{ table: string; rule: string }>(
        ctx.db.url,
        `SELECT c.conrelid::regclass::text AS table, c.confdeltype AS rule
           FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid = 'projects'::regclass`,
      );
      expect(rules.length).toBeGreaterThan(0);
      expect(rules.filter((r) => r.rule !== 'c')).toEqual([]);
    });
  });
});
