import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  createTestDatabase,
  query,
  slowMigration,
  TestDatabase,
  waitForSlowMigration,
} from '@agenthub/testing';
import { MIGRATIONS } from '../migrations';
import { createBackup } from './backup';
import { HISTORY_TABLE, HistoryEntry, readHistory } from './migration-history';
import { MigrationRunner } from './migration-runner';
import { restoreBackup } from './restore';
import { CATALOG } from './test-migrations.fixture';

// A run killed with SIGKILL records nothing: its sessions just end. Here they are ended from the
// database's side (pg_terminate_backend), which is what PostgreSQL sees of a killed process.

async function history(url: string): Promise<HistoryEntry[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await readHistory(client);
  } finally {
    await client.end();
  }
}

/** pids of the sessions of this database named `name` (LIKE), other than the asking one. */
async function sessions(url: string, name: string, where = 'true'): Promise<number[]> {
  const rows = await query<{ pid: number }>(
    url,
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE $1 AND pid <> pg_backend_pid() AND ${where}`,
    [name],
  );
  return rows.map((r) => r.pid);
}

async function terminate(url: string, pids: number[]): Promise<void> {
  await query(url, 'SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
  for (let i = 0; i < 100; i++) {
    const left = await query(url, 'SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1)', [pids]);
    if (left.length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sessions ${pids.join(', ')} did not end`);
}

async function advisoryLocks(url: string): Promise<number> {
  const [row] = await query<{ n: number }>(
    url,
    `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return row.n;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('runs killed midway', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterEach(async () => {
    await db.drop();
  });

  const slow = slowMigration(30);
  const quick = slowMigration(0); // the same name: what the next run applies

  it('leave their step running in the history; the next run records it as interrupted and completes', async () => {
    const killed = await MigrationRunner.open(db.url, { migrations: [...MIGRATIONS, slow] });
    const running = killed.up().catch((e: unknown) => e);
    await waitForSlowMigration(db.url);
    const [row] = (await history(db.url)).filter((h) => h.name === slow.name);
    expect(row).toMatchObject({ action: 'up', running: true, success: false });
    expect(row.run_id).toMatch(/^agenthub-migrator\/[0-9a-f]{8}$/);

    // Every session of the run ends at once, as when its process is killed.
    await terminate(db.url, await sessions(db.url, 'agenthub-migrator%'));
    expect(await running).toBeInstanceOf(Error);
    await killed.close();
    expect(await advisoryLocks(db.url)).toBe(0);
    expect((await history(db.url)).find((h) => h.name === slow.name)?.running).toBe(true);

    const next = await MigrationRunner.open(db.url, { migrations: [...MIGRATIONS, quick] });
    try {
      const result = await next.up();
      expect(result.migrations).toEqual([quick.name]);
      expect(result.interrupted).toEqual([
        expect.objectContaining({
          name: slow.name,
          action: 'up',
          run_id: row.run_id,
          terminated: [],
        }),
      ]);
    } finally {
      await next.close();
    }
    const rows = (await history(db.url)).filter((h) => h.name === slow.name);
    expect(rows).toEqual([
      expect.objectContaining({
        id: row.id,
        running: false,
        success: false,
        error: expect.stringContaining(
          `interrupted: the run ${row.run_id} ended in the middle of up ${slow.name}`,
        ),
      }),
      expect.objectContaining({ action: 'up', running: false, success: true, error: null }),
    ]);
    expect(rows[0].error).toContain('PostgreSQL rolled its transaction back');
    expect(rows[1].run_id).not.toBe(row.run_id);
  });

  it('end a session the killed run left behind, so its locks do not hold the next run up', async () => {
    const killed = await MigrationRunner.open(db.url, { migrations: [...MIGRATIONS, slow] });
    const running = killed.up().catch((e: unknown) => e);
    await waitForSlowMigration(db.url);
    const runId = (await history(db.url)).find((h) => h.running)?.run_id as string;
    const [executor] = await sessions(db.url, runId);
    // Only the control connection goes (and the lock with it): the migration's session lingers
    // in its transaction, as a backend does until it notices that its client is gone.
    await terminate(db.url, await sessions(db.url, 'agenthub-migrator'));
    expect(await advisoryLocks(db.url)).toBe(0);

    const started = Date.now();
    const next = await MigrationRunner.open(db.url, { migrations: [...MIGRATIONS, quick] });
    try {
      const result = await next.up();
      expect(result.migrations).toEqual([quick.name]);
      expect(result.interrupted).toEqual([
        expect.objectContaining({ name: slow.name, terminated: [executor] }),
      ]);
    } finally {
      await next.close();
    }
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await running).toBeInstanceOf(Error);
    await killed.close();
    const [interrupted] = (await history(db.url)).filter((h) => h.name === slow.name);
    expect(interrupted.error).toContain(`its lingering session, pid ${executor}, was ended`);
  });

  it('bring a history table of an older migrator to the current layout', async () => {
    await query(
      db.url,
      `CREATE TABLE "${HISTORY_TABLE}" ("id" bigserial PRIMARY KEY, "name" varchar(255) NOT NULL,
         "action" varchar(16) NOT NULL CHECK ("action" IN ('up', 'down', 'baseline', 'repair')),
         "checksum" char(64), "success" boolean NOT NULL, "started_at" timestamptz NOT NULL,
         "execution_ms" integer NOT NULL, "installed_by" text NOT NULL DEFAULT current_user,
         "hostname" text NOT NULL, "app_version" text NOT NULL, "error" text,
         "forced" boolean NOT NULL DEFAULT false);
       INSERT INTO "${HISTORY_TABLE}" ("name", "action", "success", "started_at", "execution_ms", "hostname", "app_version")
         VALUES ('Migration_old', 'up', false, now(), 5, 'old-host', '0.0.1')`,
    );
    const runner = await MigrationRunner.open(db.url);
    try {
      await runner.up();
    } finally {
      await runner.close();
    }
    const rows = await history(db.url);
    expect(rows[0]).toMatchObject({ name: 'Migration_old', running: false, run_id: null });
    expect(rows.slice(1).map((h) => [h.name, h.success, h.running])).toEqual(
      MIGRATIONS.map((m) => [m.name, true, false]),
    );
    await query(
      db.url,
      `INSERT INTO "${HISTORY_TABLE}" ("name", "action", "success", "started_at", "execution_ms", "hostname", "app_version")
         VALUES ('backup_x', 'restore', true, now(), 5, 'host', '1')`,
    );
  });

  describe('a restore', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'agenthub-killed-restore-'));
      const runner = await MigrationRunner.open(db.url, { migrations: [...MIGRATIONS, CATALOG] });
      await runner.up();
      await runner.close();
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const owner = '00000000-0000-4000-8000-000000000001';
    async function data(): Promise<string[]> {
      const rows = await query<{ item: string }>(
        db.url,
        `SELECT 't_item ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, ',' ORDER BY t.id), '')) AS item FROM t_item t
         UNION ALL SELECT 't_counter ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, ',' ORDER BY t.id), '')) FROM t_counter t
         UNION ALL SELECT 't_audit ' || count(*) FROM t_audit
         UNION ALL SELECT 't_audit_id_seq ' || last_value || ' ' || is_called FROM t_audit_id_seq
         UNION ALL SELECT 't_counter_id_seq ' || last_value || ' ' || is_called FROM t_counter_id_seq
         UNION ALL SELECT 't_item_id_seq ' || last_value || ' ' || is_called FROM t_item_id_seq`,
      );
      return rows.map((r) => r.item);
    }

    it('killed midway changes nothing (its sequences neither), and the next one records it and completes', async () => {
      await query(db.url, `INSERT INTO t_owner (id, email) VALUES ('${owner}', 'a@example.com')`);
      await query(
        db.url,
        `INSERT INTO t_item (owner_id, title) SELECT '${owner}', 'item ' || i FROM generate_series(1, 20) i`,
      );
      await query(db.url, `INSERT INTO t_counter (label) VALUES ('one'), ('two')`);
      const backup = await createBackup({ url: db.url, dir });
      const backedUp = await data();
      // After the backup, more rows: every sequence moves past the backup's value.
      await query(
        db.url,
        `INSERT INTO t_item (owner_id, title) SELECT '${owner}', 'later ' || i FROM generate_series(1, 5) i`,
      );
      await query(db.url, `INSERT INTO t_counter (label) VALUES ('three')`);
      const before = await data();
      expect(before).not.toEqual(backedUp);

      // The restore sets the sequences last, t_item_id_seq after the others: block it there.
      const blocker = new Client({ connectionString: db.url });
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query('ALTER SEQUENCE t_item_id_seq INCREMENT BY 1');
      const restoring = restoreBackup({ url: db.url, dir, id: backup.id }).catch((e: unknown) => e);
      const waiting = `wait_event_type = 'Lock'`;
      await waitFor('the restore to block', async () => {
        return (await sessions(db.url, 'agenthub-migrator/restore-%', waiting)).length > 0;
      });
      const [row] = (await history(db.url)).filter((h) => h.action === 'restore');
      expect(row).toMatchObject({ name: backup.id, running: true, success: false });
      await terminate(db.url, await sessions(db.url, 'agenthub-migrator/restore-%'));
      await blocker.query('ROLLBACK');
      await blocker.end();
      expect(await restoring).toBeInstanceOf(Error);

      expect(await data()).toEqual(before);
      expect(await advisoryLocks(db.url)).toBe(0);

      const restored = await restoreBackup({ url: db.url, dir, id: backup.id });
      expect(restored.id).toBe(backup.id);
      expect(await data()).toEqual(backedUp);
      const restores = (await history(db.url)).filter((h) => h.action === 'restore');
      expect(restores).toEqual([
        expect.objectContaining({
          id: row.id,
          running: false,
          success: false,
          error: expect.stringContaining(`ended in the middle of restore of ${backup.id}`),
        }),
        expect.objectContaining({ name: backup.id, running: false, success: true, error: null }),
      ]);
    });
  });
});
