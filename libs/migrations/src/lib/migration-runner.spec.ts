import { hostname } from 'node:os';
import { Client } from 'pg';
import { Migration } from '@mikro-orm/migrations';
import {
  createTestDatabase,
  query,
  slowMigration,
  TestDatabase,
  waitForSlowMigration,
} from '@agenthub/testing';
import { MIGRATIONS } from '../migrations';
import { MIGRATION_LOCK_KEY } from './advisory-lock';
import {
  InterruptedError,
  LockTimeoutError,
  MigrationExecutionError,
  MigrationUsageError,
  MigrationValidationError,
} from './migration-errors';
import { HISTORY_TABLE, readHistory } from './migration-history';
import { MigrationRunner } from './migration-runner';
import { CATALOG, CONCURRENT_INDEX, FAILING } from './test-migrations.fixture';

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Everything information_schema (and the catalog) says about the public schema, one line per object. */
async function schemaSnapshot(url: string): Promise<string[]> {
  const rows = await query<{ item: string }>(
    url,
    `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') || ' ' || ordinal_position AS item
       FROM information_schema.columns WHERE table_schema = 'public'
     UNION ALL
     SELECT 'constraint ' || table_name || '.' || constraint_name || ' ' || constraint_type
       FROM information_schema.table_constraints WHERE table_schema = 'public' AND constraint_name NOT LIKE '%_not_null'
     UNION ALL
     SELECT 'fk ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype = 'f'
     UNION ALL
     SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
     UNION ALL
     SELECT 'trigger ' || event_object_table || '.' || trigger_name || ' ' || event_manipulation || ' ' || action_timing
       FROM information_schema.triggers WHERE trigger_schema = 'public'
     UNION ALL
     SELECT 'routine ' || routine_name FROM information_schema.routines WHERE routine_schema = 'public'
     UNION ALL
     SELECT 'sequence ' || sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'
     UNION ALL
     SELECT 'setting ' || array_to_string(setconfig, ',') FROM pg_db_role_setting
      WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
     ORDER BY 1`,
  );
  return rows.map((r) => r.item);
}

async function tableExists(url: string, table: string): Promise<boolean> {
  const [row] = await query<{ exists: boolean }>(
    url,
    'SELECT to_regclass($1) IS NOT NULL AS exists',
    [`public.${table}`],
  );
  return row.exists;
}

async function advisoryLocksHeld(url: string): Promise<number> {
  const [row] = await query<{ n: number }>(
    url,
    `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return row.n;
}

const names = (list: { name: string }[]) => list.map((m) => m.name);

describe('MigrationRunner', () => {
  let db: TestDatabase;
  const runners: MigrationRunner[] = [];
  const open = async (
    migrations = MIGRATIONS,
    options: Parameters<typeof MigrationRunner.open>[1] = {},
  ) => {
    const runner = await MigrationRunner.open(db.url, {
      migrations,
      appVersion: '9.9.9-test',
      ...options,
    });
    runners.push(runner);
    return runner;
  };

  beforeEach(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.close()));
    await db.drop();
  });

  it('reports every migration pending on an empty database, read-only, without creating anything', async () => {
    const runner = await open(MIGRATIONS, { readOnly: true });
    expect(await runner.status()).toEqual({
      applied: [],
      pending: names(MIGRATIONS),
      problems: [],
    });
    expect(await runner.plan()).toEqual(
      MIGRATIONS.map((m) => expect.objectContaining({ name: m.name, transactional: true })),
    );
    expect(
      await query(
        db.url,
        `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace`,
      ),
    ).toEqual([]);
  });

  it('goes up, all the way down and up again to the same schema, recording every step', async () => {
    const list = [...MIGRATIONS, CATALOG, CONCURRENT_INDEX];
    const runner = await open(list);
    expect((await runner.up()).migrations).toEqual(names(list));
    const first = await schemaSnapshot(db.url);
    expect(first).toContain(
      'index CREATE INDEX t_item_title_idx ON public.t_item USING btree (title)',
    );

    expect((await runner.down({ to: '0' })).migrations).toEqual(names(list).reverse());
    const empty = await query<{ relname: string }>(
      db.url,
      `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1`,
    );
    expect(empty.map((r) => r.relname)).toEqual([HISTORY_TABLE, 'mikro_orm_migrations']);

    expect((await runner.up()).migrations).toEqual(names(list));
    expect(await schemaSnapshot(db.url)).toEqual(first);
    expect((await runner.up()).migrations).toEqual([]);

    const history = await withClient(db.url, readHistory);
    expect(history.map((h) => `${h.action} ${h.name}`)).toEqual([
      ...list.map((m) => `up ${m.name}`),
      ...[...list].reverse().map((m) => `down ${m.name}`),
      ...list.map((m) => `up ${m.name}`),
    ]);
    const [current] = await query<{ current_user: string }>(db.url, 'SELECT current_user');
    for (const row of history) {
      expect(row).toMatchObject({
        success: true,
        installed_by: current.current_user,
        hostname: hostname(),
        app_version: '9.9.9-test',
        error: null,
        forced: false,
      });
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.execution_ms).toBeGreaterThanOrEqual(0);
    }
    const status = await runner.status();
    expect(status.applied.map((a) => [a.name, a.checksum])).toEqual(
      await Promise.all(
        list.map(async (m) => [
          m.name,
          (await runner.known()).find((k) => k.name === m.name)?.checksum,
        ]),
      ),
    );
  });

  it('applies up to --to, reverts by steps, and refuses an unknown target', async () => {
    const list = [...MIGRATIONS, CATALOG, CONCURRENT_INDEX];
    const runner = await open(list);
    expect((await runner.up({ to: CATALOG.name })).migrations).toEqual(
      names([...MIGRATIONS, CATALOG]),
    );
    expect((await runner.status()).pending).toEqual([CONCURRENT_INDEX.name]);
    expect((await runner.down({ step: 1 })).migrations).toEqual([CATALOG.name]);
    expect(await tableExists(db.url, 't_item')).toBe(false);
    await expect(runner.up({ to: 'Migration_nope' })).rejects.toThrow(MigrationUsageError);
    await expect(runner.down({ to: 'Migration_nope' })).rejects.toThrow(MigrationUsageError);
  });

  it('rolls a failing migration back, records the failure and stops, keeping what succeeded before it', async () => {
    const after = slowMigration(0);
    const list = [...MIGRATIONS, CATALOG, CONCURRENT_INDEX, FAILING, after];
    const runner = await open(list);
    const error = await runner.up().catch((e) => e);
    expect(error).toBeInstanceOf(MigrationExecutionError);
    expect(error.message).toContain('t_does_not_exist');
    expect(await tableExists(db.url, 't_failing')).toBe(false);
    expect(await tableExists(db.url, 't_item')).toBe(true);
    const status = await runner.status();
    expect(names(status.applied)).toEqual(names([...MIGRATIONS, CATALOG, CONCURRENT_INDEX]));
    expect(status.pending).toEqual([FAILING.name, after.name]);
    const failures = (await withClient(db.url, readHistory)).filter((h) => !h.success);
    expect(failures).toEqual([
      expect.objectContaining({
        name: FAILING.name,
        action: 'up',
        forced: false,
        error: expect.stringContaining('t_does_not_exist'),
      }),
    ]);
    expect(await advisoryLocksHeld(db.url)).toBe(0);
  });

  it('lets two runners started together apply each migration exactly once', async () => {
    const list = [...MIGRATIONS, CATALOG, slowMigration(0.5)];
    const [a, b] = [await open(list), await open(list)];
    const results = await Promise.all([a.up(), b.up()]);
    const applied = results.map((r) => r.migrations).sort((x, y) => y.length - x.length);
    expect(applied).toEqual([names(list), []]);
    const ups = (await withClient(db.url, readHistory)).filter((h) => h.action === 'up');
    expect(ups.map((h) => h.name)).toEqual(names(list));
  });

  it('waits for the lock only until the lock timeout, and names who holds it', async () => {
    const runner = await open(MIGRATIONS, { lockTimeoutMs: 300 });
    await withClient(db.url, async (holder) => {
      await holder.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK_KEY]);
      const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const started = Date.now();
      const error = await runner.up().catch((e) => e);
      expect(error).toBeInstanceOf(LockTimeoutError);
      expect(error.message).toContain(`pid ${rows[0].pid}`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    });
    expect((await runner.up()).migrations).toEqual(names(MIGRATIONS));
  });

  it('on interruption cancels the running statement, rolls back, records it and releases the lock', async () => {
    const list = [...MIGRATIONS, slowMigration(30)];
    const runner = await open(list);
    const stop = new AbortController();
    const running = runner.up({ signal: stop.signal }).catch((e) => e);
    await waitForSlowMigration(db.url);
    const started = Date.now();
    stop.abort('SIGTERM');
    const error = await running;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await tableExists(db.url, 't_slow')).toBe(false);
    expect(names((await runner.status()).applied)).toEqual(names(MIGRATIONS));
    const failure = (await withClient(db.url, readHistory)).find((h) => !h.success);
    expect(failure).toMatchObject({
      name: list[list.length - 1].name,
      action: 'up',
      error: expect.stringContaining('interrupted by SIGTERM'),
    });
    expect(await advisoryLocksHeld(db.url)).toBe(0);
  });

  it('refuses to go on when an applied migration changed, and records a --force override', async () => {
    await (await open([...MIGRATIONS, CATALOG])).up();
    class Edited extends Migration {
      override async up(): Promise<void> {
        this.addSql('create table t_owner (id bigint primary key)');
      }
    }
    const tampered = [...MIGRATIONS, { name: CATALOG.name, class: Edited }, CONCURRENT_INDEX];
    const runner = await open(tampered);
    expect(await runner.validate()).toEqual([
      expect.objectContaining({ kind: 'checksum_mismatch', migration: CATALOG.name }),
    ]);
    await expect(runner.up()).rejects.toThrow(MigrationValidationError);
    expect((await runner.status()).pending).toEqual([CONCURRENT_INDEX.name]);

    const forced = await runner.up({ force: true });
    expect(forced.migrations).toEqual([CONCURRENT_INDEX.name]);
    expect(forced.forced.map((p) => p.kind)).toEqual(['checksum_mismatch']);
    const history = await withClient(db.url, readHistory);
    expect(history.find((h) => h.action === 'repair')).toMatchObject({
      name: CATALOG.name,
      forced: true,
      success: true,
      error: expect.stringContaining('changed after it was applied'),
    });
    expect(history.at(-1)).toMatchObject({
      name: CONCURRENT_INDEX.name,
      action: 'up',
      forced: true,
    });
    expect(await runner.validate()).toEqual([]);
  });

  it('refuses a build whose applied migration vanished, and forgets it when forced', async () => {
    await (await open([...MIGRATIONS, CATALOG])).up();
    const runner = await open(MIGRATIONS);
    expect(await runner.validate()).toEqual([
      expect.objectContaining({ kind: 'missing', migration: CATALOG.name }),
    ]);
    await expect(runner.up()).rejects.toThrow(MigrationValidationError);
    await runner.up({ force: true });
    expect(await runner.validate()).toEqual([]);
  });

  it('adopts migrations applied before checksums were kept', async () => {
    const runner = await open();
    await runner.up();
    await query(db.url, `DROP TABLE ${HISTORY_TABLE}`);
    expect((await runner.status()).applied.map((a) => a.checksum)).toEqual(
      MIGRATIONS.map(() => null),
    );
    await runner.up();
    const status = await runner.status();
    expect(status.applied.every((a) => /^[0-9a-f]{64}$/.test(a.checksum ?? ''))).toBe(true);
    expect((await withClient(db.url, readHistory)).map((h) => h.action)).toEqual(
      MIGRATIONS.map(() => 'baseline'),
    );
  });
});
