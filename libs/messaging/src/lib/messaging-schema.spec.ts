import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '@agenthub/testing';

/**
 * The messaging migration's rules, straight against PostgreSQL: what the API relies on and
 * what a legacy import must get past (or be stopped by).
 */
describe('messaging schema', () => {
  let db: TestDatabase;
  let sql: Client;
  const ids = {
    user: randomUUID(),
    p1: randomUUID(),
    p2: randomUUID(),
    a1: randomUUID(),
    b1: randomUUID(),
  };

  // One client and one transaction for the whole file (not @agenthub/testing's query(), which
  // connects per statement): each check runs in a savepoint of it.
  const q = (text: string, params: unknown[] = []) => sql.query(text, params);
  const room = async (projectId: string, name = 'general') =>
    (
      await q(`INSERT INTO chat_rooms (id, project_id, name) VALUES ($1, $2, $3) RETURNING id`, [
        randomUUID(),
        projectId,
        name,
      ])
    ).rows[0].id as string;
  /** Runs `text` in a savepoint and returns the violated constraint's name (or null). */
  const violation = async (text: string, params: unknown[] = []): Promise<string | null> => {
    await q('SAVEPOINT s');
    try {
      await q(text, params);
      await q('RELEASE SAVEPOINT s');
      return null;
    } catch (error) {
      await q('ROLLBACK TO SAVEPOINT s');
      return (error as { constraint?: string }).constraint ?? String(error);
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await q(
      `INSERT INTO users (id, email, password_hash, name) VALUES ($1, 'o@example.com', '$argon2id$x', 'Owner')`,
      [ids.user],
    );
    await q(`INSERT INTO projects (id, name, owner_id) VALUES ($1, 'P1', $3), ($2, 'P2', $3)`, [
      ids.p1,
      ids.p2,
      ids.user,
    ]);
    await q(`INSERT INTO agents (id, project_id, name) VALUES ($1, $2, 'a1'), ($3, $4, 'b1')`, [
      ids.a1,
      ids.p1,
      ids.b1,
      ids.p2,
    ]);
    await q('BEGIN');
  });

  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  it('allows rooms of the same name in a project (legacy data imports without renames)', async () => {
    await room(ids.p1, 'dup');
    expect(
      await violation(`INSERT INTO chat_rooms (id, project_id, name) VALUES ($1, $2, 'dup')`, [
        randomUUID(),
        ids.p1,
      ]),
    ).toBeNull();
  });

  it('a participant is exactly one of an agent or a user, once per room', async () => {
    const r = await room(ids.p1);
    const insert = `INSERT INTO chat_participants (id, room_id, agent_id, user_id) VALUES (gen_random_uuid(), $1, $2, $3)`;
    expect(await violation(insert, [r, null, null])).toBe('ck_chat_participants_one_member');
    expect(await violation(insert, [r, ids.a1, ids.user])).toBe('ck_chat_participants_one_member');
    expect(await violation(insert, [r, ids.a1, null])).toBeNull();
    expect(await violation(insert, [r, ids.a1, null])).toBe('uq_chat_participants_room_agent');
    expect(await violation(insert, [r, null, ids.user])).toBeNull();
    expect(await violation(insert, [r, null, ids.user])).toBe('uq_chat_participants_room_user');
  });

  it('a message names at most the sender its sender_type says', async () => {
    const r = await room(ids.p1);
    const insert = `INSERT INTO chat_messages (id, room_id, sender_type, sender_agent_id, sender_user_id, content) VALUES (gen_random_uuid(), $1, $2, $3, $4, 'hi')`;
    expect(await violation(insert, [r, 'agent', ids.a1, null])).toBeNull();
    expect(await violation(insert, [r, 'agent', null, null])).toBeNull(); // the sender was deleted
    expect(await violation(insert, [r, 'agent', null, ids.user])).toBe('ck_chat_messages_sender');
    expect(await violation(insert, [r, 'user', ids.a1, ids.user])).toBe('ck_chat_messages_sender');
    expect(await violation(insert, [r, 'system', null, ids.user])).toBe('ck_chat_messages_sender');
    expect(await violation(insert, [r, 'robot', null, null])).toBe('ck_chat_messages_sender_type');
  });

  it("a task's room must be a room of the task's project; deleting the room only clears room_id", async () => {
    const r1 = await room(ids.p1);
    const r2 = await room(ids.p2);
    const insert = `INSERT INTO tasks (id, project_id, room_id, title) VALUES ($1, $2, $3, 't')`;
    expect(await violation(insert, [randomUUID(), ids.p1, r2])).toBe('fk_tasks_room');
    expect(await violation(insert, [randomUUID(), ids.p1, randomUUID()])).toBe('fk_tasks_room');
    const task = randomUUID();
    expect(await violation(insert, [task, ids.p1, r1])).toBeNull();
    await q(`DELETE FROM chat_rooms WHERE id = $1`, [r1]);
    expect((await q(`SELECT project_id, room_id FROM tasks WHERE id = $1`, [task])).rows).toEqual([
      { project_id: ids.p1, room_id: null },
    ]);
  });

  it('agent messages take only known priorities and statuses', async () => {
    const insert = `INSERT INTO agent_messages (id, project_id, sender_type, sender_agent_id, recipient_id, message_type, priority, status) VALUES (gen_random_uuid(), $1, 'agent', $2, $2, 'ping', $3, $4)`;
    expect(await violation(insert, [ids.p1, ids.a1, 'normal', 'pending'])).toBeNull();
    expect(await violation(insert, [ids.p1, ids.a1, 'medium', 'pending'])).toBe(
      'ck_agent_messages_priority',
    );
    expect(await violation(insert, [ids.p1, ids.a1, 'normal', 'read'])).toBe(
      'ck_agent_messages_status',
    );
    // Handed over without a window's deadline: nothing would ever take it back.
    expect(await violation(insert, [ids.p1, ids.a1, 'normal', 'sent'])).toBe(
      'ck_agent_messages_window',
    );
  });

  it('an agent message has exactly the sender its sender_type names, and a recipient of its own project', async () => {
    const insert = `INSERT INTO agent_messages (id, project_id, sender_type, sender_agent_id, sender_user_id, recipient_id, message_type) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'ping')`;
    expect(await violation(insert, [ids.p1, 'user', null, ids.user, ids.a1])).toBeNull();
    expect(await violation(insert, [ids.p1, 'user', ids.a1, ids.user, ids.a1])).toBe(
      'ck_agent_messages_sender',
    );
    expect(await violation(insert, [ids.p1, 'agent', null, ids.user, ids.a1])).toBe(
      'ck_agent_messages_sender',
    );
    // Refused by both checks; PostgreSQL names the first it evaluates.
    expect(['ck_agent_messages_sender', 'ck_agent_messages_sender_type']).toContain(
      await violation(insert, [ids.p1, 'system', ids.a1, null, ids.a1]),
    );
    // b1 is an agent of p2.
    expect(await violation(insert, [ids.p1, 'agent', ids.a1, null, ids.b1])).toBe(
      'fk_agent_messages_recipient',
    );
  });
});
