import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '@agenthub/migrations';
import {
  createTestDatabase,
  query,
  slowMigration,
  TestDatabase,
  waitForSlowMigration,
} from '@agenthub/testing';
import { cli } from './run-cli';
import { Spawned, spawnTs } from './spawn-ts';

describe('migrator process on SIGTERM', () => {
  let db: TestDatabase;
  let dataDir: string;
  let migrator: Spawned | undefined;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    dataDir = await mkdtemp(join(tmpdir(), 'agenthub-sigterm-'));
  });
  afterAll(async () => {
    migrator?.child.kill('SIGKILL');
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('rolls the running migration back, records it, releases the lock and exits 143', async () => {
    const slow = slowMigration(0);
    // The real entry point (signal handling included) with a 60 s test migration appended.
    migrator = spawnTs('cli-harness.ts', ['up', '--no-backup'], {
      DATABASE_URL: db.url,
      AGENTHUB_DATA_DIR: dataDir,
      TEST_SLOW_SECONDS: '60',
      LOG_LEVEL: 'info',
    });

    await waitForSlowMigration(db.url);
    const signalled = Date.now();
    migrator.child.kill('SIGTERM');
    expect(await migrator.exited).toEqual({ code: 143, signal: null });
    const { stderr } = migrator.output();
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(stderr).toContain('SIGTERM received, rolling back and stopping');
    expect(stderr).toContain(
      `agenthub-migrator: interrupted by SIGTERM: up ${slow.name} rolled back`,
    );

    expect(await query(db.url, `SELECT to_regclass('public.t_slow') AS t`)).toEqual([{ t: null }]);
    expect(await query(db.url, 'SELECT name FROM mikro_orm_migrations ORDER BY id')).toEqual(
      MIGRATIONS.map((m) => ({ name: m.name })),
    );
    expect(
      await query(
        db.url,
        'SELECT name, action, success, error FROM agenthub_migration_history WHERE NOT success',
      ),
    ).toEqual([
      {
        name: slow.name,
        action: 'up',
        success: false,
        error: expect.stringContaining('interrupted by SIGTERM'),
      },
    ]);
    expect(
      await query(
        db.url,
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      ),
    ).toEqual([]);
    expect(
      await query(
        db.url,
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      ),
    ).toEqual([]);

    // A clean state: the next run applies the migration as if nothing had happened.
    const again = await cli(
      ['up', '--no-backup', '--json'],
      { DATABASE_URL: db.url, AGENTHUB_DATA_DIR: dataDir },
      [...MIGRATIONS, slow],
    );
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ applied: [slow.name] });
  });
});

describe('migrator process killed with SIGKILL', () => {
  let db: TestDatabase;
  let dataDir: string;
  let migrator: Spawned | undefined;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    dataDir = await mkdtemp(join(tmpdir(), 'agenthub-sigkill-'));
  });
  afterAll(async () => {
    migrator?.child.kill('SIGKILL');
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('leaves no lock behind; the next run records the step as interrupted and completes', async () => {
    const slow = slowMigration(0);
    migrator = spawnTs('cli-harness.ts', ['up', '--no-backup'], {
      DATABASE_URL: db.url,
      AGENTHUB_DATA_DIR: dataDir,
      TEST_SLOW_SECONDS: '60',
    });
    await waitForSlowMigration(db.url);
    const [executor] = await query<{ pid: number; application_name: string }>(
      db.url,
      `SELECT pid, application_name FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'select pg_sleep%'`,
    );
    migrator.child.kill('SIGKILL');
    expect(await migrator.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(
      await query(
        db.url,
        `SELECT name, success, running, run_id FROM agenthub_migration_history WHERE name = $1`,
        [slow.name],
      ),
    ).toEqual([
      { name: slow.name, success: false, running: true, run_id: executor.application_name },
    ]);

    // The migration's backend sleeps on, unaware its client is gone; the next run ends it.
    const again = await cli(
      ['up', '--no-backup', '--json', '--lock-timeout', '10'],
      { DATABASE_URL: db.url, AGENTHUB_DATA_DIR: dataDir },
      [...MIGRATIONS, slow],
    );
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({
      applied: [slow.name],
      interrupted: [
        {
          name: slow.name,
          action: 'up',
          run_id: executor.application_name,
          terminated: [executor.pid],
        },
      ],
    });
    expect(again.stderr).toContain(
      `an earlier run was interrupted in the middle of up ${slow.name}`,
    );
    expect(
      await query(
        db.url,
        `SELECT success, running, error FROM agenthub_migration_history WHERE name = $1 ORDER BY id`,
        [slow.name],
      ),
    ).toEqual([
      { success: false, running: false, error: expect.stringContaining('interrupted: the run') },
      { success: true, running: false, error: null },
    ]);
    expect(
      await query(
        db.url,
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      ),
    ).toEqual([]);
  });
});
