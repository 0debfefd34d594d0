import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmOptions, PreparedStatements } from '@agenthub/database';
import { createTestDatabase, query, TestDatabase } from '@agenthub/testing';
import { TASK_ENTITIES } from './entities';
import type { Task } from './entities/task.entity';
import { ClaimRequest, TaskListFilter, TaskRepository } from './task.repository';
import type { TaskPriority } from './task-priority';
import { TASK_SORTS } from './dto/list-tasks-query.dto';

/**
 * Every statement of the repository, on the migrated schema: its raw column lists and the
 * claim order live in SQL, so a renamed column or a changed ORDER BY fails here.
 */
describe('TaskRepository (on PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let owner: string;

  const sql = <T extends object = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    query<T>(db.url, text, params);
  const prepared = new PreparedStatements({ preparedStatements: true });
  const repository = () => new TaskRepository(orm.em.fork(), prepared);
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

  /** A project of its own (claims and lists look at one project) with one agent. */
  async function arena(capabilities: string[] = []): Promise<{ project: string; agent: string }> {
    const project = randomUUID();
    const agent = randomUUID();
    await sql(`INSERT INTO projects (id, name, owner_id) VALUES ($1, 'Arena', $2)`, [
      project,
      owner,
    ]);
    await sql(`INSERT INTO agents (id, project_id, name, capabilities) VALUES ($1, $2, 'a', $3)`, [
      agent,
      project,
      JSON.stringify(capabilities),
    ]);
    return { project, agent };
  }

  interface TaskRow {
    id?: string;
    title: string;
    description?: string;
    priority?: TaskPriority;
    createdAt?: Date;
    status?: string;
    requiredCapabilities?: string[];
    assignedAgentId?: string;
    assignedUserId?: string;
    leaseExpiresAt?: Date;
    attempts?: number;
    maxAttempts?: number;
    workflowId?: string;
    dueDate?: Date;
  }

  /** A workflow of the project (a task's workflow_id must name one). */
  async function insertWorkflow(project: string): Promise<string> {
    const id = randomUUID();
    await sql(
      `INSERT INTO workflows (id, project_id, name, definition) VALUES ($1, $2, $3, '{"steps": []}')`,
      [id, project, `wf-${id}`],
    );
    return id;
  }

  async function insertTask(project: string, task: TaskRow): Promise<string> {
    const id = task.id ?? randomUUID();
    await sql(
      `INSERT INTO tasks (id, project_id, title, description, priority, created_at, status, required_capabilities,
         assigned_agent_id, assigned_user_id, lease_expires_at, attempts, max_attempts, workflow_id, due_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        id,
        project,
        task.title,
        task.description ?? null,
        task.priority ?? 'medium',
        task.createdAt ?? new Date(),
        task.status ?? 'pending',
        JSON.stringify(task.requiredCapabilities ?? []),
        task.assignedAgentId ?? null,
        task.assignedUserId ?? null,
        task.leaseExpiresAt ?? null,
        task.attempts ?? 0,
        task.maxAttempts ?? 3,
        task.workflowId ?? null,
        task.dueDate ?? null,
      ],
    );
    return id;
  }

  const claimRequest = (
    project: string,
    agent: string,
    capabilities: string[] | null = null,
  ): ClaimRequest => ({ agentId: agent, projectId: project, capabilities, leaseSeconds: 60 });

  /** Claims until nothing is left; the titles in the order they were handed out. */
  async function claimAll(project: string, agent: string): Promise<string[]> {
    const titles: string[] = [];
    for (;;) {
      const claimed = await repository().claim(claimRequest(project, agent));
      if (claimed === null) return titles;
      if (claimed === 'expired_leases') throw new Error('unexpected expired leases');
      titles.push(claimed.task.title);
    }
  }

  const inProject = (project: string, filter: Partial<TaskListFilter> = {}): TaskListFilter => ({
    scope: { kind: 'projects', projectIds: [project] },
    limit: 50,
    offset: 0,
    ...filter,
  });
  const titles = (tasks: Task[]) => tasks.map((t) => t.title);

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await MikroORM.init(
      createOrmOptions({ url: db.url, entities: TASK_ENTITIES, poolMax: 2 }),
    );
    owner = randomUUID();
    await sql(
      `INSERT INTO users (id, email, password_hash, name) VALUES ($1, 'o@example.com', '$argon2id$x', 'Owner')`,
      [owner],
    );
  });
  afterAll(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  describe('claim order', () => {
    // Two tasks of the same priority and the same created_at: the id decides.
    const tied = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b'];
    const arrange = async (project: string, ids: string[]) => {
      await insertTask(project, { title: 'low-old', priority: 'low', createdAt: at(0) });
      await insertTask(project, { title: 'medium-new', priority: 'medium', createdAt: at(9) });
      await insertTask(project, { title: 'urgent-new', priority: 'urgent', createdAt: at(8) });
      await insertTask(project, { title: 'medium-old', priority: 'medium', createdAt: at(1) });
      await insertTask(project, {
        id: ids[1],
        title: 'high-b',
        priority: 'high',
        createdAt: at(5),
      });
      await insertTask(project, {
        id: ids[0],
        title: 'high-a',
        priority: 'high',
        createdAt: at(5),
      });
    };
    const claimOrder = ['urgent-new', 'high-a', 'high-b', 'medium-old', 'medium-new', 'low-old'];

    it('claims by priority first, then oldest first, then by id', async () => {
      const { project, agent } = await arena();
      await arrange(project, tied);
      expect(await claimAll(project, agent)).toEqual(claimOrder);
    });

    it('lists ?sort=priority in the order claim hands tasks out, and -priority low first', async () => {
      const { project } = await arena();
      const ids = ['00000000-0000-4000-8000-0000000000ca', '00000000-0000-4000-8000-0000000000cb'];
      await arrange(project, ids);
      const list = (sort: 'priority' | '-priority') =>
        repository()
          .list(inProject(project, { sort }))
          .then((r) => titles(r.tasks));
      expect(await list('priority')).toEqual(claimOrder);
      expect(await list('-priority')).toEqual([
        'low-old',
        'medium-old',
        'medium-new',
        'high-a',
        'high-b',
        'urgent-new',
      ]);
    });
  });

  describe('claim', () => {
    it('hands out only what the agent may take, and marks it in progress and leased', async () => {
      const { project, agent } = await arena(['python', 'sql']);
      const other = await arena();
      const blocker = await insertTask(project, { title: 'blocker', status: 'in_progress' });
      const blocked = await insertTask(project, { title: 'blocked', priority: 'urgent' });
      await sql(
        `INSERT INTO task_dependencies (project_id, task_id, depends_on_id) VALUES ($1, $2, $3)`,
        [project, blocked, blocker],
      );
      await insertTask(project, { title: 'needs rust', requiredCapabilities: ['rust'] });
      await insertTask(project, { title: 'for a person', assignedUserId: owner });
      const colleague = randomUUID();
      await sql(`INSERT INTO agents (id, project_id, name) VALUES ($1, $2, 'b')`, [
        colleague,
        project,
      ]);
      await insertTask(project, { title: 'for a colleague', assignedAgentId: colleague });
      await insertTask(other.project, { title: 'elsewhere' });
      const mine = await insertTask(project, {
        title: 'mine',
        priority: 'low',
        requiredCapabilities: ['python', 'sql'],
        attempts: 1,
      });

      const claimed = await repository().claim(claimRequest(project, agent));
      if (claimed === null || claimed === 'expired_leases') throw new Error('nothing claimed');
      expect(claimed.dependencies).toEqual([]);
      expect(claimed.task).toMatchObject({
        id: mine,
        status: 'in_progress',
        assignedAgentId: agent,
        attempts: 2,
        version: 2,
        completedAt: null,
      });
      const { startedAt, leaseExpiresAt } = claimed.task;
      expect((leaseExpiresAt as Date).getTime() - (startedAt as Date).getTime()).toBe(60_000);
      expect(await repository().claim(claimRequest(project, agent))).toBeNull();
      // A claim counts no use of a capability: the task's end does, with its outcome.
      expect(await sql(`SELECT 1 FROM agent_capabilities WHERE agent_id = $1`, [agent])).toEqual(
        [],
      );
    });

    it('with a capability subset, claims only what those cover', async () => {
      const { project, agent } = await arena(['python', 'sql']);
      await insertTask(project, { title: 'both', requiredCapabilities: ['python', 'sql'] });
      await insertTask(project, { title: 'sql', requiredCapabilities: ['sql'], createdAt: at(0) });
      const claim = (capabilities: string[]) =>
        repository().claim(claimRequest(project, agent, capabilities));

      const first = await claim(['sql']);
      expect(first !== null && first !== 'expired_leases' && first.task.title).toBe('sql');
      expect(await claim(['sql'])).toBeNull();
      const second = await claim(['sql', 'python']);
      expect(second !== null && second !== 'expired_leases' && second.task.title).toBe('both');
    });

    it('answers expired_leases instead of claiming while a lease of the project has run out', async () => {
      const { project, agent } = await arena();
      const expired = await insertTask(project, {
        title: 'expired',
        status: 'in_progress',
        assignedAgentId: agent,
        leaseExpiresAt: new Date(Date.now() - 1000),
        attempts: 1,
      });
      await insertTask(project, { title: 'waiting' });
      const guarded = () =>
        repository().claim(claimRequest(project, agent), { unlessExpiredLeases: true });

      expect(await guarded()).toBe('expired_leases');
      const taken = await repository().requeueExpired({
        projectId: project,
        limit: 10,
        failingStepExecutions: [],
      });
      expect(taken.map(({ task }) => [task.id, task.projectId, task.status])).toEqual([
        [expired, project, 'pending'],
      ]);
      const titlesClaimed: string[] = [];
      for (let claimed = await guarded(); claimed !== null; claimed = await guarded()) {
        if (claimed === 'expired_leases') throw new Error('leases still expired');
        titlesClaimed.push(claimed.task.title);
      }
      expect(titlesClaimed.sort()).toEqual(['expired', 'waiting']);
    });
  });

  describe('leases', () => {
    it('takes back an expired lease to pending, or to failed once its attempts are used up', async () => {
      const { project, agent } = await arena();
      const expiredAgo = new Date(Date.now() - 1000);
      const retry = await insertTask(project, {
        title: 'retry',
        status: 'in_progress',
        assignedAgentId: agent,
        leaseExpiresAt: expiredAgo,
        attempts: 1,
      });
      const spent = await insertTask(project, {
        title: 'spent',
        status: 'in_progress',
        assignedAgentId: agent,
        leaseExpiresAt: expiredAgo,
        attempts: 3,
        maxAttempts: 3,
      });
      await insertTask(project, {
        title: 'alive',
        status: 'in_progress',
        assignedAgentId: agent,
        leaseExpiresAt: new Date(Date.now() + 60_000),
      });

      // Without a project: every project's expired leases (other tests' included).
      const taken = (
        await repository().requeueExpired({ limit: 100, failingStepExecutions: [] })
      ).map(({ task }) => ({
        id: task.id,
        project_id: task.projectId,
        status: task.status,
      }));
      expect(
        taken.filter((row) => row.project_id === project).sort((a, b) => a.id.localeCompare(b.id)),
      ).toEqual(
        [
          { id: retry, project_id: project, status: 'pending' },
          { id: spent, project_id: project, status: 'failed' },
        ].sort((a, b) => a.id.localeCompare(b.id)),
      );
      expect(
        await sql(
          `SELECT title, status, assigned_agent_id, lease_expires_at, attempts, result, completed_at IS NOT NULL AS done
           FROM tasks WHERE project_id = $1 AND title <> 'alive' ORDER BY title`,
          [project],
        ),
      ).toEqual([
        {
          title: 'retry',
          status: 'pending',
          assigned_agent_id: null,
          lease_expires_at: null,
          attempts: 1,
          result: null,
          done: false,
        },
        {
          title: 'spent',
          status: 'failed',
          assigned_agent_id: null,
          lease_expires_at: null,
          attempts: 3,
          result: { error: 'lease expired' },
          done: true,
        },
      ]);
    });

    it('extends the lease of its holder only', async () => {
      const { project, agent } = await arena();
      const stranger = await arena();
      const task = await insertTask(project, {
        title: 'held',
        status: 'in_progress',
        assignedAgentId: agent,
        leaseExpiresAt: new Date(Date.now() + 1000),
      });
      expect(await repository().extendLease(task, stranger.agent, 600)).toBeNull();
      const extended = await repository().extendLease(task, agent, 600);
      expect(extended).toMatchObject({ id: task, version: 2 });
      expect((extended?.leaseExpiresAt as Date).getTime()).toBeGreaterThan(Date.now() + 590_000);
    });
  });

  describe('dependency graph', () => {
    it('replaces, reads and follows dependencies within one project', async () => {
      const { project } = await arena();
      const other = await arena();
      const a = await insertTask(project, { title: 'a', createdAt: at(0) });
      const b = await insertTask(project, { title: 'b', createdAt: at(1), status: 'completed' });
      const c = await insertTask(project, { title: 'c', createdAt: at(2) });
      const d = await insertTask(project, { title: 'd', createdAt: at(3) });
      const stranger = await insertTask(other.project, { title: 'stranger' });
      const tasks = repository();

      await tasks.replaceDependencies(project, d, [c, b]);
      await tasks.replaceDependencies(project, c, [a]);
      // Dependencies read oldest first, whatever order they were given in.
      expect(await tasks.dependenciesOf([d, c, a])).toEqual(
        new Map([
          [d, [b, c]],
          [c, [a]],
        ]),
      );
      expect(await tasks.dependents(a)).toEqual([c]);
      expect(await tasks.openDependencies(d)).toEqual([{ id: c, title: 'c', status: 'pending' }]);
      expect(await tasks.openDependencies(d, true)).toEqual([
        { id: c, title: 'c', status: 'pending' },
      ]);
      expect(await tasks.notInProject(project, [a, stranger, d])).toEqual([stranger]);
      expect((await tasks.reachableEdges(project, [d])).sort()).toEqual(
        [
          [d, b],
          [d, c],
          [c, a],
        ].sort(),
      );

      await tasks.replaceDependencies(project, d, [b]);
      expect((await tasks.dependenciesOf([d])).get(d)).toEqual([b]);
      await tasks.replaceDependencies(project, d, []);
      expect(await tasks.dependenciesOf([d])).toEqual(new Map());
    });

    it('reads a task for update with its project owner and dependencies in one statement', async () => {
      const { project } = await arena();
      const first = await insertTask(project, { title: 'first', createdAt: at(0) });
      const second = await insertTask(project, { title: 'second', createdAt: at(1) });
      const task = await insertTask(project, {
        title: 'task',
        workflowId: await insertWorkflow(project),
      });
      await repository().replaceDependencies(project, task, [second, first]);

      const em = orm.em.fork();
      const execute = jest.spyOn(em, 'execute');
      const found = await new TaskRepository(em, prepared).findForUpdate(task);
      expect(execute).toHaveBeenCalledTimes(1);
      execute.mockRestore();
      expect(found).toMatchObject({ projectOwnerId: owner, dependencies: [first, second] });
      expect(found?.task).toMatchObject({
        id: task,
        projectId: project,
        title: 'task',
        version: 1,
      });
      expect(await repository().findForUpdate(randomUUID())).toBeNull();
    });

    it("holds the project's graph lock until the transaction ends", async () => {
      const { project } = await arena();
      const tryLock = () =>
        sql<{ locked: boolean }>(
          `SELECT pg_try_advisory_xact_lock(hashtextextended('agenthub.task_graph:' || $1, 0)) AS locked`,
          [project],
        ).then(([row]) => row.locked);
      const em = orm.em.fork();
      await em.transactional(async (tx) => {
        await new TaskRepository(tx, prepared).lockProjectGraph(project);
        expect(await tryLock()).toBe(false);
      });
      expect(await tryLock()).toBe(true);
    });
  });

  describe('list', () => {
    it('answers a page and its total in one statement; only a page past the end counts apart', async () => {
      const { project } = await arena();
      for (let i = 0; i < 3; i++) await insertTask(project, { title: `t${i}`, createdAt: at(i) });
      const em = orm.em.fork();
      const tasks = new TaskRepository(em, prepared);
      const execute = jest.spyOn(em, 'execute');
      const statements = async (filter: TaskListFilter) => {
        execute.mockClear();
        const { tasks: page, total } = await tasks.list(filter);
        return { titles: titles(page), total, statements: execute.mock.calls.length };
      };
      try {
        expect(await statements(inProject(project, { limit: 2 }))).toEqual({
          titles: ['t2', 't1'],
          total: 3,
          statements: 1,
        });
        expect(await statements(inProject(project, { limit: 2, offset: 2 }))).toEqual({
          titles: ['t0'],
          total: 3,
          statements: 1,
        });
        expect(await statements(inProject(project, { offset: 5 }))).toEqual({
          titles: [],
          total: 3,
          statements: 2,
        });
        expect(await statements(inProject(project, { status: 'failed' }))).toEqual({
          titles: [],
          total: 0,
          statements: 1,
        });
        expect(
          await statements({ ...inProject(project), scope: { kind: 'projects', projectIds: [] } }),
        ).toEqual({
          titles: [],
          total: 0,
          statements: 0,
        });
      } finally {
        execute.mockRestore();
      }
    });

    it('filters by each field, searches by relevance, and sorts every way the API offers', async () => {
      const { project, agent } = await arena();
      const room = randomUUID();
      const workflow = await insertWorkflow(project);
      await sql(`INSERT INTO chat_rooms (id, project_id, name) VALUES ($1, $2, 'r')`, [
        room,
        project,
      ]);
      await insertTask(project, {
        title: 'Fix login bug',
        description: 'Users cannot sign in',
        priority: 'urgent',
        assignedAgentId: agent,
        createdAt: at(0),
        dueDate: at(30),
      });
      await insertTask(project, {
        title: 'Write documentation',
        description: 'Explain the login flow',
        priority: 'low',
        assignedUserId: owner,
        status: 'completed',
        createdAt: at(1),
        workflowId: workflow,
        dueDate: at(20),
      });
      const inRoom = await insertTask(project, { title: 'Plan', createdAt: at(2) });
      await sql(`UPDATE tasks SET room_id = $2 WHERE id = $1`, [inRoom, room]);
      const list = (filter: Partial<TaskListFilter>) =>
        repository()
          .list(inProject(project, filter))
          .then((r) => titles(r.tasks));

      expect(await list({ status: 'completed' })).toEqual(['Write documentation']);
      expect(await list({ priority: 'urgent' })).toEqual(['Fix login bug']);
      expect(await list({ assignedTo: agent })).toEqual(['Fix login bug']);
      expect(await list({ assignedTo: agent, assignedToType: 'agent' })).toEqual(['Fix login bug']);
      expect(await list({ assignedTo: agent, assignedToType: 'user' })).toEqual([]);
      expect(await list({ assignedToType: 'user' })).toEqual(['Write documentation']);
      expect(await list({ assignedToType: 'agent' })).toEqual(['Fix login bug']);
      expect(await list({ roomId: room })).toEqual(['Plan']);
      expect(await list({ workflowId: workflow })).toEqual(['Write documentation']);
      // The title weighs more than the description.
      expect(await list({ q: 'login' })).toEqual(['Fix login bug', 'Write documentation']);
      expect(await list({ q: 'login', sort: '-created_at' })).toEqual([
        'Write documentation',
        'Fix login bug',
      ]);
      const sorted = Object.fromEntries(
        await Promise.all(TASK_SORTS.map(async (sort) => [sort, await list({ sort })])),
      );
      expect(sorted).toEqual({
        created_at: ['Fix login bug', 'Write documentation', 'Plan'],
        '-created_at': ['Plan', 'Write documentation', 'Fix login bug'],
        priority: ['Fix login bug', 'Plan', 'Write documentation'],
        '-priority': ['Write documentation', 'Plan', 'Fix login bug'],
        due_date: ['Write documentation', 'Fix login bug', 'Plan'],
        '-due_date': ['Fix login bug', 'Write documentation', 'Plan'],
      });
      expect(
        (await repository().list({ ...inProject(project), scope: { kind: 'all' } })).total,
      ).toBeGreaterThanOrEqual(3);
    });
  });
});
