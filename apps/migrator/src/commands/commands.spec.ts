import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Migration } from '@mikro-orm/migrations';
import { databaseExists, freePort, withDatabase } from '@agenthub/database';
import { MIGRATION_LOCK_KEY, MIGRATIONS } from '@agenthub/migrations';
import { createTestDatabase, query, TestDatabase } from '@agenthub/testing';
import { cli } from '../../test/run-cli';
import { FAILING, NOTES } from '../../test/test-migrations';

const names = (list: { name: string }[]) => list.map((m) => m.name);

const publicRelations = (url: string) =>
  query<{ relname: string }>(
    url,
    `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1`,
  ).then((r) => r.map((x) => x.relname));

describe('migrator CLI', () => {
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    db = await createTestDatabase({ migrated: false });
    dataDir = join(await mkdtemp(join(tmpdir(), 'agenthub-cli-')), 'data');
    env = { DATABASE_URL: db.url, AGENTHUB_DATA_DIR: dataDir };
  });
  afterEach(async () => {
    await db.drop();
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  });

  describe('read-only commands (status, plan, validate, up --dry-run) create nothing', () => {
    const readOnly = [['status', '--json'], ['plan'], ['validate'], ['up', '--dry-run']];

    it('leaves a missing database missing and writes no file', async () => {
      const absent = { ...env, DATABASE_URL: withDatabase(db.url, `${db.name}_absent`) };
      for (const args of readOnly) expect(await cli(args, absent)).toMatchObject({ code: 0 });
      expect((await cli(['status', '--json'], absent)).json()).toEqual({
        applied: [],
        pending: names(MIGRATIONS),
        problems: [],
      });
      expect(await databaseExists(absent.DATABASE_URL)).toBe(false);
      expect(existsSync(dataDir)).toBe(false);
    });

    it('creates no table in an empty database, and shows the SQL it would run', async () => {
      for (const args of readOnly) expect(await cli(args, env)).toMatchObject({ code: 0 });
      expect(await publicRelations(db.url)).toEqual([]);
      const plan = await cli(['plan'], env);
      expect(plan.stdout).toContain(`-- ${MIGRATIONS[0].name}  checksum `);
      expect(plan.stdout).toContain('ALTER DATABASE');
      expect((await cli(['up', '--dry-run', '--json'], env)).json()).toEqual({
        dry_run: true,
        pending: names(MIGRATIONS),
        problems: [],
      });
    });

    it('does not initialise an embedded cluster that does not exist', async () => {
      const embedded = { AGENTHUB_DATA_DIR: dataDir };
      const status = await cli(['status', '--json'], embedded);
      expect(status.code).toBe(0);
      expect(status.json()).toEqual({ applied: [], pending: names(MIGRATIONS), problems: [] });
      expect((await cli(['up', '--dry-run'], embedded)).code).toBe(0);
      expect(existsSync(dataDir)).toBe(false);
    });
  });

  it('applies everything, reports it in the documented status shape, then has nothing to do', async () => {
    const list = [...MIGRATIONS, NOTES];
    const up = await cli(['up', '--json'], env, list);
    expect(up.code).toBe(0);
    // Nothing applied before: nothing to back up. No earlier run was killed midway.
    expect(up.json()).toEqual({ applied: names(list), backup: null, forced: [], interrupted: [] });
    const status = (await cli(['status', '--json'], env, list)).json();
    expect(status).toEqual({
      applied: list.map((m) => ({
        name: m.name,
        checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
        executed_at: expect.any(String),
        execution_ms: expect.any(Number),
      })),
      pending: [],
      problems: [],
    });
    const again = await cli(['up'], env, list);
    expect(again).toMatchObject({
      code: 0,
      stdout: 'Nothing to do: the database is up to date.\n',
    });
  });

  it('backs up before applying pending migrations, unless --no-backup', async () => {
    await cli(['up'], env);
    const up = await cli(['up', '--json'], env, [...MIGRATIONS, NOTES]);
    expect(up.code).toBe(0);
    const { backup } = up.json<{ backup: string }>();
    expect(backup).toMatch(/^backup_\d{8}_\d{6}_[0-9a-f]{6}$/);
    const manifest = JSON.parse(
      await readFile(join(dataDir, 'backups', backup, 'manifest.json'), 'utf8'),
    );
    expect(manifest).toMatchObject({
      schema_version: MIGRATIONS.at(-1)?.name,
      reason: `before up ${NOTES.name}`,
    });

    await cli(['down', '--step', '1', '--no-backup'], env, [...MIGRATIONS, NOTES]);
    expect(
      (await cli(['up', '--no-backup', '--json'], env, [...MIGRATIONS, NOTES])).json(),
    ).toMatchObject({ backup: null });
    expect(await readdir(join(dataDir, 'backups'))).toEqual([backup]);
  });

  it('stops when the backup before a change fails, and goes on without it with --force', async () => {
    await cli(['up'], env);
    const notADirectory = join(dataDir, '..', 'backups-file');
    await writeFile(notADirectory, 'in the way');
    const refused = await cli(['up', '--dir', notADirectory], env, [...MIGRATIONS, NOTES]);
    expect(refused.code).toBe(1);
    expect((await cli(['status', '--json'], env, [...MIGRATIONS, NOTES])).json()).toMatchObject({
      pending: [NOTES.name],
    });
    const forced = await cli(['up', '--dir', notADirectory, '--force', '--json'], env, [
      ...MIGRATIONS,
      NOTES,
    ]);
    expect(forced.code).toBe(0);
    expect(forced.json()).toMatchObject({ applied: [NOTES.name], backup: null });
    expect(forced.stderr).toContain('--force: going on without a backup');
  });

  it('exits 2 when an applied migration was changed, and proceeds with --force', async () => {
    await cli(['up'], env, [...MIGRATIONS, NOTES]);
    class Tampered extends Migration {
      override async up(): Promise<void> {
        this.addSql('create table t_note (id bigserial primary key, body text)');
      }
    }
    const tampered = [...MIGRATIONS, { name: NOTES.name, class: Tampered }];
    const validate = await cli(['validate', '--json'], env, tampered);
    expect(validate.code).toBe(2);
    expect(validate.json()).toEqual({
      ok: false,
      problems: [expect.objectContaining({ kind: 'checksum_mismatch', migration: NOTES.name })],
    });
    const up = await cli(['up'], env, tampered);
    expect(up.code).toBe(2);
    expect(up.stderr).toContain(
      `agenthub-migrator: validation failed: ${NOTES.name} changed after it was applied`,
    );
    expect(
      (await cli(['status', '--json'], env, tampered)).json<{ problems: unknown[] }>().problems,
    ).toHaveLength(1);
    expect((await cli(['plan'], env, tampered)).code).toBe(2);
    expect((await cli(['up', '--dry-run'], env, tampered)).code).toBe(2);

    expect((await cli(['up', '--force', '--no-backup'], env, tampered)).code).toBe(0);
    const [repair] = await query(
      db.url,
      `SELECT name, action, forced FROM agenthub_migration_history WHERE action = 'repair'`,
    );
    expect(repair).toEqual({ name: NOTES.name, action: 'repair', forced: true });
    expect((await cli(['validate'], env, tampered)).code).toBe(0);
  });

  it('exits 1 when a migration fails, leaving it rolled back and recorded', async () => {
    const run = await cli(['up', '--json'], env, [...MIGRATIONS, FAILING]);
    expect(run.code).toBe(1);
    expect(run.json()).toEqual({
      error: { kind: 'failed', message: expect.stringContaining('division by zero'), exit_code: 1 },
    });
    expect(run.stderr).toContain(
      `agenthub-migrator: up ${FAILING.name} failed and was rolled back: select 1 / 0 - division by zero`,
    );
    expect(await publicRelations(db.url)).not.toContain('t_failing');
    const rows = await query(
      db.url,
      `SELECT name, success, error FROM agenthub_migration_history WHERE NOT success`,
    );
    expect(rows).toEqual([
      { name: FAILING.name, success: false, error: expect.stringContaining('division by zero') },
    ]);
  });

  it('exits 3 when another migrator holds the lock past --lock-timeout', async () => {
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK_KEY]);
      const run = await cli(['up', '--lock-timeout', '0.3'], env);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('another migrator holds the migration lock');
    } finally {
      await holder.end();
    }
    expect((await cli(['up'], env)).code).toBe(0);
  });

  it('works on DATABASE_DIRECT_URL when it is set, never on DATABASE_URL (a pooler)', async () => {
    // DATABASE_URL names a server nobody runs: any connection to it would fail (exit 4).
    const pooler = `postgres://postgres:secret@127.0.0.1:${await freePort()}/agenthub`;
    const direct = { ...env, DATABASE_URL: pooler, DATABASE_DIRECT_URL: db.url };
    const up = await cli(['up', '--wait', '0', '--json'], direct);
    expect(up).toMatchObject({ code: 0 });
    expect(up.json()).toMatchObject({ applied: names(MIGRATIONS) });
    expect(await query(db.url, 'SELECT count(*)::int AS n FROM mikro_orm_migrations')).toEqual([
      { n: MIGRATIONS.length },
    ]);
    const status = await cli(['status', '--wait', '0', '--json'], direct);
    expect(status.json()).toMatchObject({ pending: [], problems: [] });
    const backup = await cli(['backup', '--wait', '0', '--json'], direct);
    expect(backup.code).toBe(0);
    const { id } = backup.json<{ id: string }>();
    expect((await cli(['restore', id, '--wait', '0'], direct)).code).toBe(0);
    // Without it, DATABASE_URL it is.
    expect((await cli(['status', '--wait', '0'], { ...env, DATABASE_URL: pooler })).code).toBe(4);
  });

  it('exits 4 when the database stays unreachable for --wait seconds', async () => {
    const port = await freePort();
    const started = Date.now();
    const run = await cli(['status', '--wait', '1'], {
      ...env,
      DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/agenthub`,
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('unreachable after 1 s');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('exits 2 on bad usage', async () => {
    for (const args of [
      ['down'],
      ['down', '--to', 'x', '--step', '1'],
      ['down', '--step', 'two'],
      ['cleanup-backups'],
      ['restore'],
      ['status', '--lock-timeout', 'soon'],
      ['nonsense'],
      ['up', '--to', 'Migration_nope'],
    ]) {
      expect({ args, code: (await cli(args, env)).code }).toEqual({ args, code: 2 });
    }
    expect((await cli(['--help'], env)).code).toBe(0);
  });

  it('backs up, lists, restores, refuses a corrupted backup and cleans up', async () => {
    await cli(['up'], env, [...MIGRATIONS, NOTES]);
    await query(db.url, `INSERT INTO t_note (body) VALUES ('one'), ('two')`);
    const backup = await cli(['backup', '--json'], env, [...MIGRATIONS, NOTES]);
    expect(backup.code).toBe(0);
    const { id, path, tables } = backup.json<{
      id: string;
      path: string;
      tables: Record<string, number>;
    }>();
    expect(backup.json()).toEqual({
      id,
      path: join(dataDir, 'backups', id),
      tables: expect.objectContaining({ t_note: 2 }),
    });
    // Every other table of the schema is in the backup too (empty here, but for the event
    // log's one-row state).
    expect(tables['event_log_state']).toBe(1);
    expect(Object.values(tables).reduce((a, b) => a + b, 0)).toBe(3);

    await query(db.url, `DELETE FROM t_note`);
    const restore = await cli(['restore', id, '--json'], env, [...MIGRATIONS, NOTES]);
    expect(restore.code).toBe(0);
    expect(restore.json()).toEqual({ id, schema_version: NOTES.name, tables });
    expect(await query(db.url, 'SELECT body FROM t_note ORDER BY id')).toEqual([
      { body: 'one' },
      { body: 'two' },
    ]);

    const second = (await cli(['backup', '--json', '--dir', join(dataDir, 'backups')], env)).json<{
      id: string;
    }>().id;
    const listed = (await cli(['list-backups', '--json'], env)).json<{
      backups: { id: string }[];
    }>();
    expect(listed.backups.map((b) => b.id)).toEqual([id, second]);

    const manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8'));
    await writeFile(join(path, manifest.tables[0].file), 'not what was backed up');
    const corrupt = await cli(['restore', id], env);
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toContain('is corrupt, refusing to use it');

    const cleanup = await cli(['cleanup-backups', '--keep', '1', '--json'], env);
    expect(cleanup.json()).toEqual({ removed: [id], kept: [second] });
  });

  it('verify reports dangling references with exit 1, and exit 0 once they are fixed', async () => {
    await query(
      db.url,
      `CREATE TABLE agents (id uuid PRIMARY KEY);
       CREATE TABLE agent_api_keys (id serial PRIMARY KEY, agent_id uuid);
       INSERT INTO agent_api_keys (agent_id) VALUES ('00000000-0000-4000-8000-000000000001')`,
    );
    const dangling = await cli(['verify', '--json'], env);
    expect(dangling.code).toBe(1);
    const report = dangling.json<{
      ok: boolean;
      references: { reference: string; status: string; dangling: number }[];
      tables: Record<string, number>;
    }>();
    expect(report.ok).toBe(false);
    expect(
      report.references.find((r) => r.reference === 'agent_api_keys.agent_id → agents.id'),
    ).toMatchObject({ status: 'dangling', dangling: 1 });
    expect(report.tables).toEqual({ agent_api_keys: 1, agents: 0 });

    await query(db.url, `INSERT INTO agents VALUES ('00000000-0000-4000-8000-000000000001')`);
    const clean = await cli(['verify'], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('No dangling references.');
  });

  it('verify on a migrated database: exit 0, and exit 1 once a row gets past a disabled foreign key', async () => {
    const migrated = await createTestDatabase();
    try {
      const menv = { ...env, DATABASE_URL: migrated.url };
      const clean = await cli(['verify'], menv);
      expect(clean.code).toBe(0);
      expect(clean.stdout).toContain('No dangling references.');
      expect(clean.stdout).not.toMatch(
        /skipped +(projects|agents|agent_\w+|task_dependencies|audit_log)\./,
      );

      const ghost = '00000000-0000-4000-8000-00000000dead';
      await query(
        migrated.url,
        `SET session_replication_role = replica;
         INSERT INTO agents (id, project_id, name) VALUES (gen_random_uuid(), '${ghost}', 'orphan')`,
      );
      const dangling = await cli(['verify'], menv);
      expect(dangling.code).toBe(1);
      expect(dangling.stdout).toContain(
        `DANGLING  agents.project_id → projects.id  1  e.g. ${ghost}`,
      );
      expect(dangling.stdout).toContain('1 reference(s) dangle.');
    } finally {
      await migrated.drop();
    }
  });
});
