import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import type { AppConfig } from '@agenthub/config';
import { createOrmOptions, PreparedStatements } from '@agenthub/database';
import { createTestDatabase, query, TestDatabase } from '@agenthub/testing';
import { AGENT_ENTITIES } from './entities';
import {
  AGENT_CAPABILITY_NAMES_SQL,
  AgentListFilter,
  AgentRepository,
  learnFromOutcomeSql,
} from './agent.repository';

const HEARTBEAT_TIMEOUT_SECONDS = 60;

/**
 * Every statement of the repository (and the fragments it lends the tasks lib's claim), on
 * the migrated schema: their raw column lists fail here when a column is renamed.
 */
describe('AgentRepository (on PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let owner: string;

  const sql = <T extends object = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    query<T>(db.url, text, params);
  const config = { agentHeartbeatTimeoutSeconds: HEARTBEAT_TIMEOUT_SECONDS } as AppConfig;
  const repository = (em = orm.em.fork()) =>
    new AgentRepository(em, config, new PreparedStatements({ preparedStatements: true }));

  async function newProject(): Promise<string> {
    const id = randomUUID();
    await sql(`INSERT INTO projects (id, name, owner_id) VALUES ($1, 'P', $2)`, [id, owner]);
    return id;
  }

  interface AgentFields {
    name: string;
    nickname?: string;
    agentType?: string;
    status?: string;
    capabilities?: string[];
    isActive?: boolean;
    /** Seconds ago; none: never. */
    heartbeatAgo?: number;
    /** Minutes after 2026-01-01T00:00Z. */
    createdAt?: number;
  }

  async function insertAgent(project: string, agent: AgentFields): Promise<string> {
    const id = randomUUID();
    await sql(
      `INSERT INTO agents (id, project_id, name, nickname, agent_type, status, capabilities, is_active,
         last_heartbeat, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
         CASE WHEN $9::int IS NULL THEN NULL ELSE now() - make_interval(secs => $9::int) END, $10)`,
      [
        id,
        project,
        agent.name,
        agent.nickname ?? null,
        agent.agentType ?? 'generic',
        agent.status ?? 'offline',
        JSON.stringify(agent.capabilities ?? []),
        agent.isActive ?? true,
        agent.heartbeatAgo ?? null,
        new Date(Date.UTC(2026, 0, 1, 0, agent.createdAt ?? 0)),
      ],
    );
    return id;
  }

  const inProject = (project: string, filter: Partial<AgentListFilter> = {}): AgentListFilter => ({
    scope: { kind: 'projects', projectIds: [project] },
    limit: 50,
    offset: 0,
    ...filter,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await MikroORM.init(
      createOrmOptions({ url: db.url, entities: AGENT_ENTITIES, poolMax: 2 }),
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

  it('reads one agent with its project owner, a stale heartbeat reading as offline', async () => {
    const project = await newProject();
    const fresh = await insertAgent(project, { name: 'fresh', status: 'busy', heartbeatAgo: 5 });
    const stale = await insertAgent(project, { name: 'stale', status: 'busy', heartbeatAgo: 600 });
    const never = await insertAgent(project, { name: 'never', status: 'idle' });

    expect(await repository().findRow(fresh)).toMatchObject({
      id: fresh,
      project_id: project,
      project_owner_id: owner,
      name: 'fresh',
      nickname: null,
      agent_type: 'generic',
      status: 'busy',
      capabilities: [],
      config: null,
      system_prompt: null,
      model_provider: null,
      model_name: null,
      is_active: true,
      // Raw rows keep PostgreSQL's text for timestamps.
      last_heartbeat: expect.any(String),
      heartbeat_expires_at: expect.any(String),
      created_at: '2026-01-01T00:00:00.000Z', // as the wire writes it
      updated_at: expect.any(String),
    });
    expect((await repository().findRow(stale))?.status).toBe('offline');
    expect(await repository().findRow(never)).toMatchObject({
      status: 'idle',
      heartbeat_expires_at: null,
    });
    expect(await repository().findRow(randomUUID())).toBeUndefined();
  });

  it('lists newest first, filtered by each field, with the total in the same statement', async () => {
    const project = await newProject();
    await insertAgent(project, {
      name: 'alpha',
      capabilities: ['python', 'sql'],
      status: 'online',
      heartbeatAgo: 1,
      createdAt: 0,
    });
    await insertAgent(project, {
      name: 'beta',
      nickname: 'Reviewer 100%',
      agentType: 'reviewer',
      status: 'online',
      heartbeatAgo: 600,
      createdAt: 1,
    });
    await insertAgent(project, { name: 'gamma', isActive: false, createdAt: 2 });
    const names = (filter: Partial<AgentListFilter>) =>
      repository()
        .list(inProject(project, filter))
        .then(({ rows }) => rows.map((r) => r.name));

    expect(await names({})).toEqual(['gamma', 'beta', 'alpha']);
    // beta last reported online, but its heartbeat is stale: it reads, and filters, as offline.
    expect(await names({ status: 'online' })).toEqual(['alpha']);
    expect(await names({ status: 'offline' })).toEqual(['gamma', 'beta']);
    expect(await names({ isActive: false })).toEqual(['gamma']);
    expect(await names({ agentType: 'reviewer' })).toEqual(['beta']);
    expect(await names({ capability: 'sql' })).toEqual(['alpha']);
    expect(await names({ q: 'PYTH' })).toEqual(['alpha']);
    expect(await names({ q: 'review' })).toEqual(['beta']);
    expect(await names({ q: '%' })).toEqual(['beta']);
    expect(await names({ q: '_' })).toEqual([]);

    const em = orm.em.fork();
    const execute = jest.spyOn(em, 'execute');
    const agents = repository(em);
    const page = async (filter: Partial<AgentListFilter>) => {
      execute.mockClear();
      const { rows, total } = await agents.list(inProject(project, filter));
      return { names: rows.map((r) => r.name), total, statements: execute.mock.calls.length };
    };
    expect(await page({ limit: 2, offset: 1 })).toEqual({
      names: ['beta', 'alpha'],
      total: 3,
      statements: 1,
    });
    expect(await page({ offset: 10 })).toEqual({ names: [], total: 3, statements: 2 });
    expect(await page({ status: 'error' })).toEqual({ names: [], total: 0, statements: 1 });
    expect(await page({ status: 'online', offset: 10 })).toEqual({
      names: [],
      total: 1,
      statements: 2,
    });
    expect(await page({ scope: { kind: 'projects', projectIds: [] } })).toEqual({
      names: [],
      total: 0,
      statements: 0,
    });
    execute.mockRestore();
    expect((await repository().list({ ...inProject(project), scope: { kind: 'all' } })).total).toBe(
      Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM agents`))[0].n),
    );
  });

  it('records a heartbeat with the database clock and answers the agent as it now reads, and as it read before', async () => {
    const project = await newProject();
    const agent = await insertAgent(project, { name: 'a', heartbeatAgo: 600, status: 'busy' });
    const beat = await repository().heartbeat(agent, 'idle');
    // Its last report was busy, but stale: it read as offline until this heartbeat.
    expect(beat).toMatchObject({
      agent: { id: agent, status: 'idle', name: 'a' },
      statusBefore: 'offline',
    });
    expect(beat?.agent).not.toHaveProperty('status_before');
    const stamp = new Date(beat?.agent.last_heartbeat as string).getTime();
    expect(Date.now() - stamp).toBeLessThan(30_000);
    // It expires a timeout after this heartbeat, by the same clock.
    expect(new Date(beat?.agent.heartbeat_expires_at as string).getTime() - stamp).toBe(
      HEARTBEAT_TIMEOUT_SECONDS * 1000,
    );
    expect(await repository().heartbeat(agent, 'idle')).toMatchObject({
      agent: { status: 'idle' },
      statusBefore: 'idle',
    });
    expect(await repository().heartbeat(randomUUID(), 'idle')).toBeUndefined();
  });

  it('reads several agents by id, leaving unknown ids out', async () => {
    const project = await newProject();
    const fresh = await insertAgent(project, { name: 'fresh', status: 'busy', heartbeatAgo: 5 });
    const stale = await insertAgent(project, { name: 'stale', status: 'busy', heartbeatAgo: 600 });
    const rows = await repository().findRows([fresh, stale, randomUUID()]);
    expect(Object.fromEntries(rows.map((r) => [r.name, r.status]))).toEqual({
      fresh: 'busy',
      stale: 'offline',
    });
    expect(await repository().findRows([])).toEqual([]);
  });

  it('prunes capability details whose name left the list, of the given agents only', async () => {
    const project = await newProject();
    const a = await insertAgent(project, { name: 'a', capabilities: ['keep'] });
    const b = await insertAgent(project, { name: 'b', capabilities: [] });
    for (const [agent, name] of [
      [a, 'keep'],
      [a, 'gone'],
      [b, 'orphan'],
    ]) {
      await sql(
        `INSERT INTO agent_capabilities (id, agent_id, capability_name) VALUES (gen_random_uuid(), $1, $2)`,
        [agent, name],
      );
    }
    await repository().pruneCapabilityDetails([a]);
    await repository().pruneCapabilityDetails([]);
    expect(
      await sql(
        `SELECT agent_id, capability_name FROM agent_capabilities WHERE agent_id IN ($1, $2) ORDER BY capability_name`,
        [a, b],
      ),
    ).toEqual([
      { agent_id: a, capability_name: 'keep' },
      { agent_id: b, capability_name: 'orphan' },
    ]);
  });

  it("lends other statements the agent's capability names, and learning from an outcome", async () => {
    const project = await newProject();
    const agent = await insertAgent(project, { name: 'a', capabilities: ['python', 'sql'] });
    await sql(
      `INSERT INTO agent_capabilities (id, agent_id, capability_name, confidence_score, usage_count)
       VALUES (gen_random_uuid(), $1, 'sql', 0.9, 4)`,
      [agent],
    );
    const learn = (outcome: number, names: string[]) =>
      orm.em
        .fork()
        .execute<{ names: string[] }[]>(
          `WITH learned AS (${learnFromOutcomeSql()} RETURNING 1) SELECT ${AGENT_CAPABILITY_NAMES_SQL} AS names`,
          [0.2, outcome, JSON.stringify(names), agent, 0.2, outcome, agent],
        );
    // 'rust' is not the agent's: no detail row is made for it.
    expect(await learn(0, ['python', 'sql', 'rust'])).toEqual([{ names: ['python', 'sql'] }]);
    await learn(1, ['sql']);
    expect(
      await sql(
        `SELECT capability_name, confidence_score::float AS confidence, usage_count, last_used_at IS NOT NULL AS used
         FROM agent_capabilities WHERE agent_id = $1 ORDER BY capability_name`,
        [agent],
      ),
    ).toEqual([
      // 0.5 + 0.2 · (0 − 0.5)
      { capability_name: 'python', confidence: 0.4, usage_count: 1, used: true },
      // 0.9 + 0.2 · (0 − 0.9) = 0.72, then 0.72 + 0.2 · (1 − 0.72) = 0.776
      { capability_name: 'sql', confidence: 0.776, usage_count: 6, used: true },
    ]);
  });
});
