import Database from 'better-sqlite3';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TestDatabase } from '@agenthub/testing';
import { verifyDatabaseIntegrity } from '@agenthub/migrations';
import { uuidV5 } from './ids';
import { runImport } from './import';
import { fixture, query, snapshot } from './import.fixtures';
import type { ImportReport } from './report';

/** The fixture generator's ids (make_fixtures.py: uuid5 of its own namespace). */
const uid = (name: string) => uuidV5('3b2a9c1e-6a57-4f0e-9d8e-2f1c4b7a9e10', name);
const kinds = (report: ImportReport) =>
  report.adjustments.reduce<Record<string, number>>(
    (acc, a) => ({ ...acc, [a.kind]: (acc[a.kind] ?? 0) + 1 }),
    {},
  );
const counts = (read: number, inserted: number, extra: Partial<Record<string, number>> = {}) => ({
  read,
  inserted,
  updated: 0,
  unchanged: 0,
  placeholders: 0,
  nulled: 0,
  renamed: 0,
  dropped: 0,
  ...extra,
});

describe('legacy import: agent-com (seed 000/001 broker)', () => {
  let db: TestDatabase;
  let dir: string;
  beforeEach(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'agenthub-import-'));
  });
  afterEach(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('pre-migration broker: users, projects, rooms, messages, keys; orphan agents become placeholders; a non-UUID participant is reported', async () => {
    const before = await snapshot(db.url);
    const dry = await runImport({
      url: db.url,
      source: 'agent-com',
      path: fixture('agent-com-pre.sqlite'),
      dryRun: true,
    });
    expect(await snapshot(db.url)).toBe(before);
    const report = await runImport({
      url: db.url,
      source: 'agent-com',
      path: fixture('agent-com-pre.sqlite'),
    });
    expect({ ...dry, dry_run: false }).toEqual(report);
    expect(report.tables).toEqual({
      users: counts(3, 3),
      projects: counts(2, 2),
      chat_rooms: counts(3, 3),
      chat_participants: counts(7, 6, { dropped: 1 }),
      agents: counts(0, 0, { placeholders: 4 }),
      chat_messages: counts(12, 12),
      agent_api_keys: counts(4, 4),
    });
    // Username, project slug/status/settings and key capabilities are on the rows (legacy), not adjustments.
    expect(kinds(report)).toEqual({ email_lowercased: 1, placeholder_created: 4, row_dropped: 1 });
    expect(report.adjustments).toContainEqual(
      expect.objectContaining({
        source_table: 'chat_participants',
        legacy_id: uid('participant-6').replace(/-/g, ''),
        kind: 'row_dropped',
        field: 'agent_id',
        from: 'not-a-uuid',
      }),
    );
    const placeholders = await query<{
      id: string;
      name: string;
      project_id: string;
      status: string;
      is_active: boolean;
    }>(db.url, 'SELECT id, name, project_id, status, is_active FROM agents ORDER BY name');
    const expected = [
      ['planner', 'alpha'],
      ['coder', 'alpha'],
      ['tester', 'alpha'],
      ['watcher', 'beta'],
    ]
      .map(([a, p]) => ({
        id: uid(`agent-${a}`),
        name: `Migrated Agent ${uid(`agent-${a}`)}`,
        project_id: uid(`project-${p}`),
        status: 'offline',
        is_active: false,
      }))
      .sort((x, y) => x.name.localeCompare(y.name));
    expect(placeholders).toEqual(expected);
    const users = await query<{ id: string; email: string; name: string; is_superuser: boolean }>(
      db.url,
      'SELECT id, email, name, is_superuser FROM users ORDER BY email',
    );
    expect(users).toEqual([
      { id: uid('user-alice'), email: 'alice@example.com', name: 'Alice', is_superuser: true },
      { id: uid('user-bob'), email: 'bob@example.com', name: 'Bob', is_superuser: false },
      { id: uid('user-carol'), email: 'carol@example.com', name: 'Carol', is_superuser: false },
    ]);
    expect(
      await query(db.url, 'SELECT legacy FROM users WHERE id = $1', [uid('user-alice')]),
    ).toEqual([{ legacy: { username: 'alice', role: 'admin', permissions: null } }]);
    expect(
      await query(db.url, 'SELECT legacy FROM projects WHERE id = $1', [uid('project-alpha')]),
    ).toEqual([
      {
        legacy: {
          project_id: 'alpha',
          status: 'active',
          allow_cross_project: 0,
          settings: { color: 'blue' },
        },
      },
    ]);
    expect(
      await query(
        db.url,
        "SELECT count(*)::int AS n FROM users WHERE legacy IS NULL OR legacy->>'username' IS NULL",
      ),
    ).toEqual([{ n: 0 }]);
    expect(
      await query(
        db.url,
        "SELECT count(*)::int AS n FROM projects WHERE legacy IS NULL OR legacy->>'project_id' IS NULL",
      ),
    ).toEqual([{ n: 0 }]);
    const keys = await query<{
      agent_id: string;
      status: string;
      revoked: boolean;
      legacy: unknown;
    }>(
      db.url,
      'SELECT agent_id, status, revoked_at IS NOT NULL AS revoked, legacy FROM agent_api_keys ORDER BY name',
    );
    expect(keys).toEqual([
      {
        agent_id: uid('agent-coder'),
        status: 'active',
        revoked: false,
        legacy: { capabilities: ['chat'] },
      },
      {
        agent_id: uid('agent-planner'),
        status: 'active',
        revoked: false,
        legacy: { capabilities: ['chat'] },
      },
      {
        agent_id: uid('agent-tester'),
        status: 'revoked',
        revoked: true,
        legacy: { capabilities: ['chat'] },
      },
      {
        agent_id: uid('agent-watcher'),
        status: 'active',
        revoked: false,
        legacy: { capabilities: ['chat'] },
      },
    ]);
    const messages = await query<{ n: string; agents: string }>(
      db.url,
      `SELECT count(*) AS n, count(sender_agent_id) AS agents FROM chat_messages WHERE room_id = $1`,
      [uid('room-alpha-general')],
    );
    expect(messages[0]).toEqual({ n: '12', agents: '8' });
    expect((await verifyDatabaseIntegrity(db.url)).ok).toBe(true);

    const snap = await snapshot(db.url);
    const again = await runImport({
      url: db.url,
      source: 'agent-com',
      path: fixture('agent-com-pre.sqlite'),
    });
    expect(again.changed).toBe(false);
    expect(await snapshot(db.url)).toBe(snap);
  });

  it('post-migration broker after pre: placeholders become real agents, tasks with dependencies, a missing dependency dropped', async () => {
    await runImport({ url: db.url, source: 'agent-com', path: fixture('agent-com-pre.sqlite') });
    const report = await runImport({
      url: db.url,
      source: 'agent-com',
      path: fixture('agent-com-post.sqlite'),
    });
    expect(report.tables['agents']).toEqual(counts(1, 0, { updated: 1, unchanged: 3 }));
    expect(report.tables['tasks']).toEqual(counts(4, 4));
    expect(report.tables['task_dependencies']).toEqual(counts(4, 3, { dropped: 1 }));
    expect(report.adjustments).toContainEqual(
      expect.objectContaining({
        source_table: 'tasks',
        legacy_id: uid('task-t4').replace(/-/g, ''),
        kind: 'dependency_dropped',
        from: uid('task-t-missing'),
      }),
    );
    const planner = await query(
      db.url,
      'SELECT name, status, is_active, capabilities FROM agents WHERE id = $1',
      [uid('agent-planner')],
    );
    expect(planner).toEqual([
      { name: 'Planner', status: 'online', is_active: true, capabilities: ['plan'] },
    ]);
    const tasks = await query(
      db.url,
      'SELECT id, status, priority, assigned_agent_id, created_by_user_id, room_id FROM tasks ORDER BY title',
    );
    expect(tasks).toEqual([
      {
        id: uid('task-t1'),
        status: 'completed',
        priority: 'high',
        assigned_agent_id: uid('agent-planner'),
        created_by_user_id: uid('user-alice'),
        room_id: uid('room-alpha-general'),
      },
      {
        id: uid('task-t2'),
        status: 'in_progress',
        priority: 'high',
        assigned_agent_id: uid('agent-coder'),
        created_by_user_id: uid('user-alice'),
        room_id: uid('room-alpha-general'),
      },
      {
        id: uid('task-t3'),
        status: 'pending',
        priority: 'high',
        assigned_agent_id: null,
        created_by_user_id: uid('user-alice'),
        room_id: uid('room-alpha-general'),
      },
      {
        id: uid('task-t4'),
        status: 'pending',
        priority: 'high',
        assigned_agent_id: uid('agent-planner'),
        created_by_user_id: uid('user-alice'),
        room_id: uid('room-alpha-general'),
      },
    ]);
    const deps = await query(
      db.url,
      'SELECT task_id, depends_on_id FROM task_dependencies ORDER BY 1, 2',
    );
    expect(deps).toEqual(
      [
        [uid('task-t2'), uid('task-t1')],
        [uid('task-t3'), uid('task-t1')],
        [uid('task-t3'), uid('task-t2')],
      ]
        .map(([task_id, depends_on_id]) => ({ task_id, depends_on_id }))
        .sort((a, b) => (a.task_id + a.depends_on_id).localeCompare(b.task_id + b.depends_on_id)),
    );
    expect((await verifyDatabaseIntegrity(db.url)).ok).toBe(true);
  });

  it('merges emails that differ only by case (in the file, and with an existing user), and reports it', async () => {
    const existing = (
      await query<{ id: string }>(
        db.url,
        `INSERT INTO users (email, password_hash, name) VALUES ('bob@example.com', '$argon2id$x', 'Bob Here') RETURNING id`,
      )
    )[0].id;
    const path = join(dir, 'dup.sqlite');
    await copyFile(fixture('agent-com-pre.sqlite'), path);
    const file = new Database(path);
    file
      .prepare(
        `INSERT INTO users VALUES (?, 'alice2', 'ALICE@Example.com', NULL, 'Alice Again', 'user', 1, 0, NULL, '2026-02-01 00:00:00', '2026-02-01 00:00:00')`,
      )
      .run(uid('user-alice2').replace(/-/g, ''));
    file.close();
    const report = await runImport({ url: db.url, source: 'agent-com', path });
    expect(report.tables['users']).toMatchObject({ read: 4, inserted: 2, unchanged: 2 });
    expect(report.adjustments).toContainEqual(
      expect.objectContaining({
        kind: 'user_merged',
        legacy_id: uid('user-alice2').replace(/-/g, ''),
        to: uid('user-alice'),
      }),
    );
    expect(report.adjustments).toContainEqual(
      expect.objectContaining({
        kind: 'user_merged',
        legacy_id: uid('user-bob').replace(/-/g, ''),
        to: existing,
        from: { username: 'bob', role: 'user', permissions: null },
      }),
    );
    expect(await query(db.url, 'SELECT legacy FROM users WHERE id = $1', [existing])).toEqual([
      { legacy: null },
    ]);
    expect(
      await query(db.url, 'SELECT owner_id FROM projects WHERE id = $1', [uid('project-beta')]),
    ).toEqual([{ owner_id: existing }]);
    expect(
      (await query(db.url, 'SELECT email FROM users ORDER BY 1')).map((r) => r['email']),
    ).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
  });

  it('a truncated broker file is a clear error and nothing is written', async () => {
    const bytes = await readFile(fixture('agent-com-post.sqlite'));
    const path = join(dir, 'truncated.sqlite');
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const before = await snapshot(db.url);
    await expect(runImport({ url: db.url, source: 'agent-com', path })).rejects.toThrow(
      /not a readable SQLite database|reading failed|has no table/,
    );
    expect(await snapshot(db.url)).toBe(before);
  });
});
