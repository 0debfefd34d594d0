import Database from 'better-sqlite3';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { query } from '@agenthub/testing';
import { verifyDatabaseIntegrity } from '@agenthub/migrations';
import { ImportOptions, runImport } from './import';
import {
  adjustmentKinds,
  fixture,
  fixtureUuid,
  snapshot,
  tableCounts,
  useImportWorkspace,
} from './import.fixtures';

describe('legacy import: agent-com (the broker)', () => {
  const workspace = useImportWorkspace('each');
  const url = () => workspace.db.url;
  /** A broker database (the pre-migration sample unless `path` says otherwise). */
  const importBroker = (options: Partial<ImportOptions> = {}) =>
    runImport({
      url: url(),
      source: 'agent-com',
      path: fixture('agent-com-pre.sqlite'),
      ...options,
    });

  it('pre-migration broker: users, projects, rooms, messages, keys; orphan agents become placeholders; a non-UUID participant is reported', async () => {
    const before = await snapshot(url());
    const dry = await importBroker({ dryRun: true });
    expect(await snapshot(url())).toBe(before);
    const report = await importBroker();
    expect({ ...dry, dry_run: false }).toEqual(report);
    expect(report.tables).toEqual({
      users: tableCounts(3, 3),
      projects: tableCounts(2, 2),
      chat_rooms: tableCounts(3, 3),
      chat_participants: tableCounts(7, 6, { dropped: 1 }),
      agents: tableCounts(0, 0, { placeholders: 4 }),
      chat_messages: tableCounts(12, 12),
      agent_api_keys: tableCounts(4, 4),
    });
    // Username, project slug/status/settings and key capabilities are kept on the rows (legacy),
    // so they are not adjustments.
    expect(adjustmentKinds(report)).toEqual({
      email_lowercased: 1,
      placeholder_created: 4,
      row_dropped: 1,
    });
    expect(report.adjustments).toContainEqual(
      expect.objectContaining({
        source_table: 'chat_participants',
        legacy_id: fixtureUuid('participant-6').replace(/-/g, ''),
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
    }>(url(), 'SELECT id, name, project_id, status, is_active FROM agents ORDER BY name');
    const expected = [
      ['planner', 'alpha'],
      ['coder', 'alpha'],
      ['tester', 'alpha'],
      ['watcher', 'beta'],
    ]
      .map(([a, p]) => ({
        id: fixtureUuid(`agent-${a}`),
        name: `Migrated Agent ${fixtureUuid(`agent-${a}`)}`,
        project_id: fixtureUuid(`project-${p}`),
        status: 'offline',
        is_active: false,
      }))
      .sort((x, y) => x.name.localeCompare(y.name));
    expect(placeholders).toEqual(expected);
    const users = await query<{ id: string; email: string; name: string; is_superuser: boolean }>(
      url(),
      'SELECT id, email, name, is_superuser FROM users ORDER BY email',
    );
    expect(users).toEqual([
      {
        id: fixtureUuid('user-alice'),
        email: 'alice@example.com',
        name: 'Alice',
        is_superuser: true,
      },
      { id: fixtureUuid('user-bob'), email: 'bob@example.com', name: 'Bob', is_superuser: false },
      {
        id: fixtureUuid('user-carol'),
        email: 'carol@example.com',
        name: 'Carol',
        is_superuser: false,
      },
    ]);
    expect(
      await query(url(), 'SELECT legacy FROM users WHERE id = $1', [fixtureUuid('user-alice')]),
    ).toEqual([{ legacy: { username: 'alice', role: 'admin', permissions: null } }]);
    expect(
      await query(url(), 'SELECT legacy FROM projects WHERE id = $1', [
        fixtureUuid('project-alpha'),
      ]),
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
        url(),
        "SELECT count(*)::int AS n FROM users WHERE legacy IS NULL OR legacy->>'username' IS NULL",
      ),
    ).toEqual([{ n: 0 }]);
    expect(
      await query(
        url(),
        "SELECT count(*)::int AS n FROM projects WHERE legacy IS NULL OR legacy->>'project_id' IS NULL",
      ),
    ).toEqual([{ n: 0 }]);
    const keys = await query<{
      agent_id: string;
      status: string;
      revoked: boolean;
      legacy: unknown;
    }>(
      url(),
      'SELECT agent_id, status, revoked_at IS NOT NULL AS revoked, legacy FROM agent_api_keys ORDER BY name',
    );
    expect(keys).toEqual(
      [
        ['coder', 'active'],
        ['planner', 'active'],
        ['tester', 'revoked'],
        ['watcher', 'active'],
      ].map(([agent, status]) => ({
        agent_id: fixtureUuid(`agent-${agent}`),
        status,
        revoked: status === 'revoked',
        legacy: { capabilities: ['chat'] },
      })),
    );
    const messages = await query<{ n: string; agents: string }>(
      url(),
      `SELECT count(*) AS n, count(sender_agent_id) AS agents FROM chat_messages WHERE room_id = $1`,
      [fixtureUuid('room-alpha-general')],
    );
    expect(messages[0]).toEqual({ n: '12', agents: '8' });
    expect((await verifyDatabaseIntegrity(url())).ok).toBe(true);

    const snap = await snapshot(url());
    const again = await importBroker();
    expect(again.changed).toBe(false);
    expect(await snapshot(url())).toBe(snap);
  });

  it('post-migration broker after pre: placeholders become real agents, tasks with dependencies, a missing dependency dropped', async () => {
    await importBroker();
    const report = await importBroker({ path: fixture('agent-com-post.sqlite') });
    expect(report.tables['agents']).toEqual(tableCounts(1, 0, { updated: 1, unchanged: 3 }));
    expect(report.tables['tasks']).toEqual(tableCounts(4, 4));
    expect(report.tables['task_dependencies']).toEqual(tableCounts(4, 3, { dropped: 1 }));
    expect(report.adjustments).toContainEqual(
      expect.objectContaining({
        source_table: 'tasks',
        legacy_id: fixtureUuid('task-t4').replace(/-/g, ''),
        kind: 'dependency_dropped',
        from: fixtureUuid('task-t-missing'),
      }),
    );
    const planner = await query(
      url(),
      'SELECT name, status, is_active, capabilities FROM agents WHERE id = $1',
      [fixtureUuid('agent-planner')],
    );
    expect(planner).toEqual([
      { name: 'Planner', status: 'online', is_active: true, capabilities: ['plan'] },
    ]);
    const tasks = await query(
      url(),
      'SELECT id, status, priority, assigned_agent_id, created_by_user_id, room_id FROM tasks ORDER BY title',
    );
    expect(tasks).toEqual([
      {
        id: fixtureUuid('task-t1'),
        status: 'completed',
        priority: 'high',
        assigned_agent_id: fixtureUuid('agent-planner'),
        created_by_user_id: fixtureUuid('user-alice'),
        room_id: fixtureUuid('room-alpha-general'),
      },
      {
        id: fixtureUuid('task-t2'),
        status: 'in_progress',
        priority: 'high',
        assigned_agent_id: fixtureUuid('agent-coder'),
        created_by_user_id: fixtureUuid('user-alice'),
        room_id: fixtureUuid('room-alpha-general'),
      },
      {
        id: fixtureUuid('task-t3'),
        status: 'pending',
        priority: 'high',
        assigned_agent_id: null,
        created_by_user_id: fixtureUuid('user-alice'),
        room_id: fixtureUuid('room-alpha-general'),
      },
      {
        id: fixtureUuid('task-t4'),
        status: 'pending',
        priority: 'high',
        assigned_agent_id: fixtureUuid('agent-planner'),
        created_by_user_id: fixtureUuid('user-alice'),
        room_id: fixtureUuid('room-alpha-general'),
      },
    ]);
    const deps = await query(
      url(),
      'SELECT task_id, depends_on_id FROM task_dependencies ORDER BY 1, 2',
    );
    expect(deps).toEqual(
      [
        [fixtureUuid('task-t2'), fixtureUuid('task-t1')],
        [fixtureUuid('task-t3'), fixtureUuid('task-t1')],
        [fixtureUuid('task-t3'), fixtureUuid('task-t2')],
      ]
        .map(([task_id, depends_on_id]) => ({ task_id, depends_on_id }))
        .sort((a, b) => (a.task_id + a.depends_on_id).localeCompare(b.task_id + b.depends_on_id)),
    );
    expect((await verifyDatabaseIntegrity(url())).ok).toBe(true);
  });

  it('merges emails that differ only by case (in the file, and with an existing user), and reports it', async () => {
    const existing = (
      await query<{ id: string }>(
        url(),
        `INSERT INTO users (email, password_hash, name) VALUES ('bob@example.com', '$argon2id$x', 'Bob Here') RETURNING id`,
      )
    )[0].id;
    const path = join(workspace.dir, 'dup.sqlite');
    await copyFile(fixture('agent-com-pre.sqlite'), path);
    const file = new Database(path);
    file
      .prepare(
        `INSERT INTO users VALUES (?, 'alice2', 'ALICE@Example.com', NULL, 'Alice Again', 'user', 1, 0, NULL, '2026-02-01 00:00:00', '2026-02-01 00:00:00')`,
      )
      .run(fixtureUuid('user-alice2').replace(/-/g, ''));
    file.close();
    const report = await importBroker({ path });
    expect(report.tables['users']).toMatchObject({ read: 4, inserted: 2, unchanged: 2 });
    expect(report.adjustments).toContainEqual(
      expect.objectContaining({
        kind: 'user_merged',
        legacy_id: fixtureUuid('user-alice2').replace(/-/g, ''),
        to: fixtureUuid('user-alice'),
      }),
    );
    expect(report.adjustments).toContainEqual(
      expect.objectContaining({
        kind: 'user_merged',
        legacy_id: fixtureUuid('user-bob').replace(/-/g, ''),
        to: existing,
        from: { username: 'bob', role: 'user', permissions: null },
      }),
    );
    expect(await query(url(), 'SELECT legacy FROM users WHERE id = $1', [existing])).toEqual([
      { legacy: null },
    ]);
    expect(
      await query(url(), 'SELECT owner_id FROM projects WHERE id = $1', [
        fixtureUuid('project-beta'),
      ]),
    ).toEqual([{ owner_id: existing }]);
    expect(
      (await query(url(), 'SELECT email FROM users ORDER BY 1')).map((r) => r['email']),
    ).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
  });

  it('a truncated broker file is a clear error and nothing is written', async () => {
    const bytes = await readFile(fixture('agent-com-post.sqlite'));
    const path = join(workspace.dir, 'truncated.sqlite');
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const before = await snapshot(url());
    await expect(importBroker({ path })).rejects.toThrow(
      /not a readable SQLite database|reading failed|has no table/,
    );
    expect(await snapshot(url())).toBe(before);
  });
});
