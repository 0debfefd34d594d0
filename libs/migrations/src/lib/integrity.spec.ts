import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@agenthub/testing';
import { verifyDatabaseIntegrity, verifyIntegrity } from './integrity';
import { REFERENCE_CHECKS, ReferenceCheck } from './reference-checks';

const A1 = '00000000-0000-4000-8000-0000000000a1';
const A2 = '00000000-0000-4000-8000-0000000000a2';
const GHOST = '00000000-0000-4000-8000-00000000dead';

/** The broker's polymorphic assignee: one column, told apart by assigned_to_type. */
const LEGACY_ASSIGNEE: ReferenceCheck[] = [
  {
    table: 'tasks',
    column: 'assigned_to',
    references: { table: 'agents', column: 'id' },
    where: `assigned_to_type = 'agent'`,
    whereColumns: ['assigned_to_type'],
  },
  {
    table: 'tasks',
    column: 'assigned_to',
    references: { table: 'users', column: 'id' },
    where: `assigned_to_type = 'user'`,
    whereColumns: ['assigned_to_type'],
  },
];

describe('verify: referential-integrity report', () => {
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    client = new Client({ connectionString: db.url });
    await client.connect();
    // The broker's world before its migration: references without foreign keys, a text column among uuids.
    await client.query(`
      CREATE TABLE agents (id uuid PRIMARY KEY);
      CREATE TABLE users (id uuid PRIMARY KEY);
      CREATE TABLE chat_participants (id serial PRIMARY KEY, agent_id text, user_id uuid);
      CREATE TABLE agent_api_keys (id serial PRIMARY KEY, agent_id uuid NOT NULL);
      CREATE TABLE tasks (id uuid PRIMARY KEY, assigned_to uuid, assigned_to_type text);
      INSERT INTO agents VALUES ('${A1}'), ('${A2}');
      INSERT INTO users VALUES ('${A2}');
      INSERT INTO chat_participants (agent_id, user_id) VALUES ('${A1}', NULL), ('${GHOST}', NULL), ('not-a-uuid', NULL), (NULL, '${A2}');
      INSERT INTO agent_api_keys (agent_id) VALUES ('${A1}'), ('${A2}');
      INSERT INTO tasks VALUES (gen_random_uuid(), '${A1}', 'agent'), (gen_random_uuid(), '${A2}', 'user'),
                               (gen_random_uuid(), '${A1}', 'user'), (gen_random_uuid(), NULL, NULL);
    `);
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('counts dangling rows per reference, skips references whose tables do not exist, and counts rows', async () => {
    const report = await verifyIntegrity(client);
    const byRef = Object.fromEntries(report.references.map((r) => [r.reference, r]));
    expect(report.references).toHaveLength(REFERENCE_CHECKS.length);
    expect(byRef['chat_participants.agent_id → agents.id']).toMatchObject({
      status: 'dangling',
      dangling: 2,
    });
    expect(byRef['chat_participants.agent_id → agents.id'].samples.sort()).toEqual([
      GHOST,
      'not-a-uuid',
    ]);
    expect(byRef['chat_participants.user_id → users.id']).toMatchObject({
      status: 'ok',
      dangling: 0,
    });
    expect(byRef['agent_api_keys.agent_id → agents.id']).toMatchObject({
      status: 'ok',
      dangling: 0,
    });
    expect(byRef['agents.project_id → projects.id']).toMatchObject({
      status: 'skipped',
      reason: 'no column agents.project_id',
    });
    expect(byRef['tasks.assigned_agent_id → agents.id']).toMatchObject({
      status: 'skipped',
      reason: 'no column tasks.assigned_agent_id',
    });
    expect(byRef['task_dependencies.task_id → tasks.id']).toMatchObject({
      status: 'skipped',
      reason: 'no table task_dependencies',
    });
    expect(report.tables).toEqual({
      agent_api_keys: 2,
      agents: 2,
      chat_participants: 4,
      tasks: 4,
      users: 1,
    });
    expect(report.ok).toBe(false);
  });

  it("narrows a check to the rows its condition selects (the broker's one-column assignee)", async () => {
    const report = await verifyIntegrity(client, LEGACY_ASSIGNEE);
    expect(report.references).toEqual([
      {
        reference: `tasks.assigned_to → agents.id (where assigned_to_type = 'agent')`,
        status: 'ok',
        dangling: 0,
        samples: [],
      },
      {
        reference: `tasks.assigned_to → users.id (where assigned_to_type = 'user')`,
        status: 'dangling',
        dangling: 1,
        samples: [A1],
      },
    ]);
  });

  it('is ok once nothing dangles', async () => {
    const checks = REFERENCE_CHECKS.filter((c) => c.table !== 'chat_participants');
    const report = await verifyDatabaseIntegrity(db.url, checks);
    expect(report.ok).toBe(true);
    expect(report.references.filter((r) => r.status === 'dangling')).toEqual([]);
  });
});

describe('verify on the migrated schema', () => {
  const U = '00000000-0000-4000-8000-0000000000b1';
  const P = '00000000-0000-4000-8000-0000000000b2';
  const A = '00000000-0000-4000-8000-0000000000b3';
  const T1 = '00000000-0000-4000-8000-0000000000b4';
  const T2 = '00000000-0000-4000-8000-0000000000b5';
  const R = '00000000-0000-4000-8000-0000000000b6';
  const M = '00000000-0000-4000-8000-0000000000b7';
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
    // One row behind every reference, so each check compares something.
    await client.query(`
      INSERT INTO users (id, email, password_hash, name) VALUES ('${U}', 'u@example.com', '$argon2id$x', 'U');
      INSERT INTO projects (id, name, owner_id) VALUES ('${P}', 'P', '${U}');
      INSERT INTO agents (id, project_id, name) VALUES ('${A}', '${P}', 'a');
      INSERT INTO agent_capabilities (id, agent_id, capability_name) VALUES (gen_random_uuid(), '${A}', 'code');
      INSERT INTO agent_api_keys (id, agent_id, created_by, key_hash, key_prefix) VALUES (gen_random_uuid(), '${A}', '${U}', repeat('a', 64), 'ahk_');
      INSERT INTO tasks (id, project_id, title, assigned_agent_id, created_by_user_id) VALUES ('${T1}', '${P}', 't1', '${A}', '${U}');
      INSERT INTO tasks (id, project_id, title, assigned_user_id, created_by_agent_id) VALUES ('${T2}', '${P}', 't2', '${U}', '${A}');
      INSERT INTO task_dependencies (project_id, task_id, depends_on_id) VALUES ('${P}', '${T2}', '${T1}');
      INSERT INTO audit_log (actor_type, actor_id, action, resource_type, project_id) VALUES ('user', '${U}', 'project.create', 'project', '${P}');
      INSERT INTO chat_rooms (id, project_id, name, created_by) VALUES ('${R}', '${P}', 'general', '${U}');
      UPDATE tasks SET room_id = '${R}' WHERE id = '${T1}';
      INSERT INTO chat_participants (id, room_id, agent_id) VALUES (gen_random_uuid(), '${R}', '${A}');
      INSERT INTO chat_participants (id, room_id, user_id) VALUES (gen_random_uuid(), '${R}', '${U}');
      INSERT INTO chat_messages (id, room_id, sender_type, sender_agent_id, content) VALUES (gen_random_uuid(), '${R}', 'agent', '${A}', 'hi');
      INSERT INTO chat_messages (id, room_id, sender_type, sender_user_id, content) VALUES (gen_random_uuid(), '${R}', 'user', '${U}', 'hello');
      INSERT INTO agent_messages (id, project_id, sender_type, sender_agent_id, recipient_id, message_type) VALUES ('${M}', '${P}', 'agent', '${A}', '${A}', 'note');
      INSERT INTO agent_messages (id, project_id, sender_type, sender_user_id, recipient_id, message_type, reply_to) VALUES (gen_random_uuid(), '${P}', 'user', '${U}', '${A}', 'note', '${M}');
      INSERT INTO events (type, project_id, audience, agent_id, data) VALUES ('message.received', '${P}', 'agent', '${A}', '{}');
      INSERT INTO events (type, project_id, audience, room_id, data) VALUES ('room.message', '${P}', 'room', '${R}', '{}');
    `);
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('checks every reference of the migrated schema (none skipped) and finds nothing dangling', async () => {
    const report = await verifyDatabaseIntegrity(db.url);
    expect(report.references.filter((r) => r.status === 'skipped').map((r) => r.reference)).toEqual(
      [],
    );
    const checked = report.references.filter((r) => r.status !== 'skipped');
    expect(checked).toHaveLength(REFERENCE_CHECKS.length);
    expect(checked.filter((r) => r.status !== 'ok')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.tables).toMatchObject({
      users: 1,
      projects: 1,
      agents: 1,
      agent_capabilities: 1,
      agent_api_keys: 1,
      tasks: 2,
      task_dependencies: 1,
      audit_log: 1,
      chat_rooms: 1,
      chat_participants: 2,
      chat_messages: 2,
      agent_messages: 2,
      events: 2,
    });
  });

  it('checks exactly the foreign keys of the migrated schema', async () => {
    // Composite keys name a project twice (both ends in one project); the reference is the rest.
    const { rows } = await client.query<{ reference: string }>(`
      SELECT DISTINCT c.relname || '.' || a.attname || ' → ' || p.relname || '.' || pa.attname AS reference
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_class p ON p.oid = k.confrelid
        CROSS JOIN LATERAL unnest(k.conkey, k.confkey) AS key(child, parent)
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = key.child
        JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = key.parent
       WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace
         AND NOT (cardinality(k.conkey) > 1 AND a.attname = 'project_id' AND pa.attname = 'project_id')
       ORDER BY 1`);
    const checks = REFERENCE_CHECKS.map(
      (c) => `${c.table}.${c.column} → ${c.references.table}.${c.references.column}`,
    );
    expect(rows.map((r) => r.reference)).toEqual([...checks].sort());
  });

  it('reports rows that got past a disabled foreign key', async () => {
    // Replica mode skips the foreign-key triggers for this session, as a raw import might.
    await client.query(`SET session_replication_role = replica`);
    await client.query(`UPDATE tasks SET assigned_agent_id = '${GHOST}' WHERE id = '${T1}'`);
    await client.query(
      `INSERT INTO task_dependencies (project_id, task_id, depends_on_id) VALUES ('${P}', '${T1}', '${GHOST}')`,
    );
    await client.query(`RESET session_replication_role`);

    const report = await verifyIntegrity(client);
    expect(report.ok).toBe(false);
    expect(report.references.filter((r) => r.status === 'dangling')).toEqual([
      {
        reference: 'tasks.assigned_agent_id → agents.id',
        status: 'dangling',
        dangling: 1,
        samples: [GHOST],
      },
      {
        reference: 'task_dependencies.depends_on_id → tasks.id',
        status: 'dangling',
        dangling: 1,
        samples: [GHOST],
      },
    ]);
  });
});
