import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@agenthub/testing';
import { verifyDatabaseIntegrity, verifyIntegrity } from './integrity';
import { REFERENCE_CHECKS } from './reference-checks';

const A1 = '00000000-0000-4000-8000-0000000000a1';
const A2 = '00000000-0000-4000-8000-0000000000a2';
const GHOST = '00000000-0000-4000-8000-00000000dead';

describe('verify: referential-integrity report', () => {
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    client = new Client({ connectionString: db.url });
    await client.connect();
    // Seed 000's world before its migration: references without foreign keys, a text column among uuids.
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
    expect(byRef['chat_participants.agent_id → agents.id']).toMatchObject({ status: 'dangling', dangling: 2 });
    expect(byRef['chat_participants.agent_id → agents.id'].samples.sort()).toEqual([GHOST, 'not-a-uuid']);
    expect(byRef['chat_participants.user_id → users.id']).toMatchObject({ status: 'ok', dangling: 0 });
    expect(byRef['agent_api_keys.agent_id → agents.id']).toMatchObject({ status: 'ok', dangling: 0 });
    expect(byRef[`tasks.assigned_to → agents.id (where assigned_to_type = 'agent')`]).toMatchObject({ status: 'ok' });
    expect(byRef[`tasks.assigned_to → users.id (where assigned_to_type = 'user')`]).toMatchObject({ status: 'dangling', dangling: 1, samples: [A1] });
    expect(byRef['agents.project_id → projects.id']).toMatchObject({ status: 'skipped', reason: 'no column agents.project_id' });
    expect(byRef['task_dependencies.task_id → tasks.id']).toMatchObject({ status: 'skipped', reason: 'no table task_dependencies' });
    expect(report.tables).toEqual({ agent_api_keys: 2, agents: 2, chat_participants: 4, tasks: 4, users: 1 });
    expect(report.ok).toBe(false);
  });

  it('is ok once nothing dangles', async () => {
    const checks = REFERENCE_CHECKS.filter((c) => c.table !== 'chat_participants' && c.where !== `assigned_to_type = 'user'`);
    const report = await verifyDatabaseIntegrity(db.url, checks);
    expect(report.ok).toBe(true);
    expect(report.references.filter((r) => r.status === 'dangling')).toEqual([]);
  });
});
