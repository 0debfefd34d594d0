import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import type { AppConfig } from '@agenthub/config';
import { createOrmOptions } from '@agenthub/database';
import { createTestDatabase, query, TestDatabase } from '@agenthub/testing';
import { PERFORMANCE_ENTITIES } from './entities';
import {
  AGENT_STATUS_KEYS,
  EXECUTION_STATUS_KEYS,
  MESSAGE_STATUS_KEYS,
  TASK_PRIORITY_KEYS,
  TASK_STATUS_KEYS,
} from './dto/stats-response.dto';
import { StatsRepository } from './stats.repository';

const HEARTBEAT_TIMEOUT_SECONDS = 60;

/**
 * The counts against rows set up here, on the migrated schema: each figure is one statement,
 * every key is present, other projects never leak in, and the key lists are the database's.
 */
describe('StatsRepository (on PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let owner: string;

  const sql = <T extends object = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    query<T>(db.url, text, params);
  const config = { agentHeartbeatTimeoutSeconds: HEARTBEAT_TIMEOUT_SECONDS } as AppConfig;

  /** A repository on its own EntityManager, and how many statements it has sent. */
  function repository() {
    const em = orm.em.fork();
    const execute = jest.spyOn(em, 'execute');
    return { stats: new StatsRepository(em, config), statements: () => execute.mock.calls.length };
  }

  async function project(): Promise<string> {
    const id = randomUUID();
    await sql(`INSERT INTO projects (id, name, owner_id) VALUES ($1, 'P', $2)`, [id, owner]);
    return id;
  }

  /** `heartbeatAgo`: seconds since the last heartbeat (none when undefined). */
  async function agent(projectId: string, status: string, heartbeatAgo?: number): Promise<string> {
    const id = randomUUID();
    await sql(
      `INSERT INTO agents (id, project_id, name, status, last_heartbeat)
       VALUES ($1, $2, $3, $4, CASE WHEN $5::int IS NULL THEN NULL ELSE now() - make_interval(secs => $5::int) END)`,
      [id, projectId, `agent-${id}`, status, heartbeatAgo ?? null],
    );
    return id;
  }

  /** `endedAgo`: minutes since completed_at (none when undefined). */
  async function task(
    projectId: string,
    status: string,
    priority = 'medium',
    endedAgo?: number,
  ): Promise<void> {
    await sql(
      `INSERT INTO tasks (id, project_id, title, status, priority, completed_at)
       VALUES ($1, $2, 't', $3, $4, CASE WHEN $5::int IS NULL THEN NULL ELSE now() - make_interval(mins => $5::int) END)`,
      [randomUUID(), projectId, status, priority, endedAgo ?? null],
    );
  }

  async function message(projectId: string, from: string, to: string, status: string) {
    await sql(
      `INSERT INTO agent_messages (id, project_id, sender_agent_id, recipient_id, message_type, status, visible_until)
       VALUES ($1, $2, $3, $4, 'note', $5::text, CASE WHEN $5::text IN ('sent', 'delivered') THEN now() + interval '1 minute' END)`,
      [randomUUID(), projectId, from, to, status],
    );
  }

  async function execution(projectId: string, status: string): Promise<void> {
    const workflow = randomUUID();
    await sql(
      `INSERT INTO workflows (id, project_id, name, definition) VALUES ($1, $2, $3, '{"steps": []}')`,
      [workflow, projectId, `wf-${workflow}`],
    );
    await sql(
      `INSERT INTO workflow_versions (workflow_id, version, definition) VALUES ($1, 1, '{"steps": []}')
       ON CONFLICT DO NOTHING`,
      [workflow],
    );
    await sql(
      `INSERT INTO workflow_executions (id, project_id, workflow_id, workflow_version, status, completed_at)
       VALUES ($1, $2, $3, 1, $4::text, CASE WHEN $4::text = 'running' THEN NULL ELSE now() END)`,
      [randomUUID(), projectId, workflow, status],
    );
  }

  const zeros = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, 0]));

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await MikroORM.init(
      createOrmOptions({ url: db.url, entities: PERFORMANCE_ENTITIES, poolMax: 2 }),
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

  it('names every status and priority the database allows, and no other', async () => {
    const allowed = async (constraint: string) => {
      const [row] = await sql<{ def: string }>(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = $1`,
        [constraint],
      );
      return [...row.def.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).sort();
    };
    expect(await allowed('ck_agents_status')).toEqual([...AGENT_STATUS_KEYS].sort());
    expect(await allowed('ck_tasks_status')).toEqual([...TASK_STATUS_KEYS].sort());
    expect(await allowed('ck_tasks_priority')).toEqual([...TASK_PRIORITY_KEYS].sort());
    expect(await allowed('ck_agent_messages_status')).toEqual([...MESSAGE_STATUS_KEYS].sort());
    expect(await allowed('ck_workflow_executions_status')).toEqual(
      [...EXECUTION_STATUS_KEYS].sort(),
    );
  });

  it('counts an empty project as zeros under every key', async () => {
    const p = await project();
    const { stats, statements } = repository();
    expect(await stats.agentsByStatus(p)).toEqual(zeros(AGENT_STATUS_KEYS));
    const tasks = await stats.tasks(p);
    expect(tasks).toMatchObject({
      byStatus: zeros(TASK_STATUS_KEYS),
      byPriority: zeros(TASK_PRIORITY_KEYS),
      total: 0,
      completedLastHour: 0,
      failedLastHour: 0,
    });
    expect(Math.abs(tasks.at.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await stats.messagesByStatus(p)).toEqual(zeros(MESSAGE_STATUS_KEYS));
    expect(await stats.executionsByStatus(p)).toEqual(zeros(EXECUTION_STATUS_KEYS));
    expect(statements()).toBe(4);
  });

  describe('a project with a bit of everything (and a neighbour that must not count)', () => {
    let p: string;

    beforeAll(async () => {
      p = await project();
      const other = await project();
      // Agents: a fresh heartbeat keeps the stored status; a stale one reads as offline.
      const sender = await agent(p, 'busy', 5);
      const recipient = await agent(p, 'online', 10);
      await agent(p, 'idle', HEARTBEAT_TIMEOUT_SECONDS + 30);
      await agent(p, 'active', HEARTBEAT_TIMEOUT_SECONDS + 30);
      await agent(p, 'offline');
      await agent(p, 'error', 1);
      const stranger = await agent(other, 'online', 1);

      await task(p, 'pending', 'urgent');
      await task(p, 'pending', 'low');
      await task(p, 'in_progress', 'high');
      await task(p, 'completed', 'medium', 5);
      await task(p, 'completed', 'medium', 59);
      await task(p, 'completed', 'high', 61); // ended before the last hour
      await task(p, 'failed', 'low', 30);
      await task(p, 'failed', 'low', 120);
      await task(p, 'cancelled', 'urgent', 10); // final, but neither completed nor failed
      await task(other, 'completed', 'medium', 1);
      await task(other, 'pending', 'medium');

      for (const status of ['pending', 'pending', 'sent', 'delivered', 'acknowledged', 'expired'])
        await message(p, sender, recipient, status);
      await message(other, stranger, stranger, 'failed');

      for (const status of ['running', 'completed', 'completed', 'failed'])
        await execution(p, status);
      await execution(other, 'cancelled');
    });

    it('counts agents by the status they read as, in one statement', async () => {
      const { stats, statements } = repository();
      expect(await stats.agentsByStatus(p)).toEqual({
        ...zeros(AGENT_STATUS_KEYS),
        busy: 1,
        online: 1,
        error: 1,
        offline: 3,
      });
      expect(statements()).toBe(1);
    });

    it('counts tasks by status, by priority and the last hour, in one statement', async () => {
      const { stats, statements } = repository();
      expect(await stats.tasks(p)).toMatchObject({
        byStatus: { pending: 2, in_progress: 1, completed: 3, failed: 2, cancelled: 1 },
        byPriority: { low: 3, medium: 2, high: 2, urgent: 2 },
        total: 9,
        completedLastHour: 2,
        failedLastHour: 1,
      });
      expect(statements()).toBe(1);
    });

    it('counts messages and executions by status, one statement each', async () => {
      const { stats, statements } = repository();
      expect(await stats.messagesByStatus(p)).toEqual({
        pending: 2,
        sent: 1,
        delivered: 1,
        acknowledged: 1,
        failed: 0,
        expired: 1,
      });
      expect(await stats.executionsByStatus(p)).toEqual({
        running: 1,
        completed: 2,
        failed: 1,
        cancelled: 0,
      });
      expect(statements()).toBe(2);
    });

    it('counts the whole database for the gauges in one statement', async () => {
      const { stats, statements } = repository();
      // This file's database holds only what this describe block (and the empty project) made.
      expect(await stats.fleet()).toEqual({
        agents: { ...zeros(AGENT_STATUS_KEYS), busy: 1, online: 2, error: 1, offline: 3 },
        tasks: { pending: 3, in_progress: 1, completed: 4, failed: 2, cancelled: 1 },
        messages: {
          pending: 2,
          sent: 1,
          delivered: 1,
          acknowledged: 1,
          failed: 1,
          expired: 1,
        },
        executions: { running: 1, completed: 2, failed: 1, cancelled: 1 },
      });
      expect(statements()).toBe(1);
    });
  });
});
