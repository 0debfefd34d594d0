import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmOptions, PreparedStatements } from '@agenthub/database';
import { createTestDatabase, TestDatabase } from '@agenthub/testing';
import { AUTH_ENTITIES } from '../entities';
import { User } from '../identity/entities/user.entity';
import type { Principal } from '../identity/principal';
import { Project } from './entities/project.entity';
import { mayAccessProject, ProjectAccessPolicy } from './project-access.policy';
import { ProjectAccessDeniedError, ProjectNotFoundError } from './projects.errors';

const project = { id: 'p1', ownerId: 'u-owner' };
const user = (userId: string, isSuperuser = false): Principal => ({
  kind: 'user',
  userId,
  email: `${userId}@x.io`,
  isSuperuser,
});
const agent = (projectId: string): Principal => ({
  kind: 'agent',
  agentId: 'a1',
  projectId,
  keyId: 'k1',
});

describe("mayAccessProject (the broker's access matrix, plus agents)", () => {
  it.each([
    ['the owner', user('u-owner'), 'read', true],
    ['the owner', user('u-owner'), 'manage', true],
    ['a superuser', user('u-admin', true), 'read', true],
    ['a superuser', user('u-admin', true), 'manage', true],
    ['another user', user('u-other'), 'read', false],
    ['another user', user('u-other'), 'manage', false],
    ['an agent of the project', agent('p1'), 'read', true],
    ['an agent of the project', agent('p1'), 'manage', false],
    ['an agent of another project', agent('p2'), 'read', false],
    ['an agent of another project', agent('p2'), 'manage', false],
  ] as const)('%s may %s: %s', (_who, principal, level, allowed) => {
    expect(mayAccessProject(principal, project, level)).toBe(allowed);
  });
});

describe('ProjectAccessPolicy (on PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let policy: ProjectAccessPolicy;
  let alice: User;
  let bob: User;
  let apollo: Project;
  let gemini: Project;
  let mercury: Project;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await MikroORM.init(
      createOrmOptions({ url: db.url, entities: AUTH_ENTITIES, poolMax: 2 }),
    );
    const em = orm.em.fork();
    alice = em.create(User, { email: 'alice@example.com', name: 'Alice', passwordHash: '$x' });
    bob = em.create(User, { email: 'bob@example.com', name: 'Bob', passwordHash: '$x' });
    apollo = em.create(Project, { name: 'Apollo', owner: alice });
    gemini = em.create(Project, { name: 'Gemini', owner: alice });
    mercury = em.create(Project, { name: 'Mercury', owner: bob });
    await em.flush();
  });
  beforeEach(() => {
    policy = new ProjectAccessPolicy(
      orm.em.fork(),
      new PreparedStatements({ preparedStatements: true }),
    );
  });
  afterAll(async () => {
    await orm.close(true);
    await db.drop();
  });

  const asUser = (u: User, isSuperuser = false): Principal => ({
    kind: 'user',
    userId: u.id,
    email: u.email,
    isSuperuser,
  });

  it('answers nothing when access is allowed, and the entity through projectFor', async () => {
    await expect(
      policy.assertCanAccess(asUser(alice), apollo.id, 'manage'),
    ).resolves.toBeUndefined();
    await expect(
      policy.assertCanAccess(agent(mercury.id), mercury.id, 'read'),
    ).resolves.toBeUndefined();
    expect((await policy.projectFor(asUser(alice), apollo.id, 'manage')).name).toBe('Apollo');
    expect((await policy.projectFor(agent(mercury.id), mercury.id, 'read')).name).toBe('Mercury');
  });

  it('lets an agent read its own project without a query, and reads for anything else', async () => {
    const statements = new PreparedStatements({ preparedStatements: true });
    const reads = jest.spyOn(statements, 'all');
    const asked = () => reads.mock.calls.map(([, , values]) => values);
    const counting = new ProjectAccessPolicy(orm.em.fork(), statements);
    await counting.assertCanAccess(agent(mercury.id), mercury.id, 'read');
    expect(asked()).toEqual([]);
    await expect(
      counting.assertCanAccess(agent(mercury.id), mercury.id, 'manage'),
    ).rejects.toMatchObject({
      status: 403,
    });
    await expect(
      counting.assertCanAccess(agent(mercury.id), apollo.id, 'read'),
    ).rejects.toBeInstanceOf(ProjectAccessDeniedError);
    expect(asked()).toEqual([[mercury.id], [apollo.id]]);
  });

  it.each(['assertCanAccess', 'projectFor'] as const)(
    '%s says 404 for a missing project before it says 403',
    async (method) => {
      const check = (p: Principal, id: string, level: 'read' | 'manage') =>
        policy[method](p, id, level);
      await expect(check(asUser(bob), randomUUID(), 'read')).rejects.toBeInstanceOf(
        ProjectNotFoundError,
      );
      await expect(check(asUser(bob), apollo.id, 'read')).rejects.toBeInstanceOf(
        ProjectAccessDeniedError,
      );
      await expect(check(agent(apollo.id), apollo.id, 'manage')).rejects.toMatchObject({
        status: 403,
        code: 'PROJECT.FORBIDDEN',
      });
    },
  );

  it('lists readable project ids for each kind of principal', async () => {
    expect(((await policy.readableProjectIds(asUser(alice))) as string[]).sort()).toEqual(
      [apollo.id, gemini.id].sort(),
    );
    expect(await policy.readableProjectIds(asUser(bob))).toEqual([mercury.id]);
    expect(await policy.readableProjectIds(asUser(bob, true))).toBe('all');
    expect(await policy.readableProjectIds(agent(gemini.id))).toEqual([gemini.id]);
    expect(await policy.readableProjectIds(agent(randomUUID()))).toEqual([]);
  });

  it('gives list queries a condition that filters in SQL', async () => {
    const em = orm.em.fork();
    const names = async (p: Principal) =>
      (await em.find(Project, policy.readableProjects(p), { orderBy: { name: 'asc' } })).map(
        (x) => x.name,
      );
    expect(await names(asUser(alice))).toEqual(['Apollo', 'Gemini']);
    expect(await names(asUser(bob, true))).toEqual(['Apollo', 'Gemini', 'Mercury']);
    expect(await names(agent(mercury.id))).toEqual(['Mercury']);
  });

  it('scopes a list to the project asked for, once the principal may read it: 404, then 403', async () => {
    expect(await policy.listScope(asUser(alice), apollo.id)).toEqual({
      kind: 'projects',
      projectIds: [apollo.id],
    });
    expect(await policy.listScope(agent(mercury.id), mercury.id)).toEqual({
      kind: 'projects',
      projectIds: [mercury.id],
    });
    expect(await policy.listScope(asUser(bob, true), apollo.id)).toEqual({
      kind: 'projects',
      projectIds: [apollo.id],
    });
    await expect(policy.listScope(asUser(bob), randomUUID())).rejects.toBeInstanceOf(
      ProjectNotFoundError,
    );
    await expect(policy.listScope(asUser(bob), apollo.id)).rejects.toBeInstanceOf(
      ProjectAccessDeniedError,
    );
    await expect(policy.listScope(agent(gemini.id), apollo.id)).rejects.toBeInstanceOf(
      ProjectAccessDeniedError,
    );
  });

  it('scopes a list without a project to every project the principal may read', async () => {
    expect(await policy.listScope(asUser(bob, true))).toEqual({ kind: 'all' });
    expect(await policy.listScope(asUser(bob))).toEqual({
      kind: 'projects',
      projectIds: [mercury.id],
    });
  });
});
