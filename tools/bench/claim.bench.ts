/**
 * Claim-and-complete throughput of the task queue, next to pg-boss on the same database, and
 * what the database server itself does (pgbench) as the headroom.
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/bench/claim.bench.ts [--agents 16] [--seconds 10] [--warmup 3] [--depths 5000,10000,50000] [--pgbench-seconds <--seconds>]
 *
 * Starts the built API (dist/apps/api/main.js, NODE_ENV=production) on a fresh database
 * (DATABASE_URL's server when set, else an embedded PostgreSQL under tmp/bench-postgres) and
 * signs up a user. Then, at each queue depth of --depths in turn: a project of its own with N
 * agents with API keys (through the API) and that many pending tasks of mixed priority (with
 * SQL), and N agents, each looping `POST /tasks/claim` → `PATCH /tasks/:id {status: completed}`
 * over HTTP for the given time. Each side first runs the same loop for --warmup seconds
 * (at least 10 at the first depth, while the JIT is cold), unmeasured (new pool connections,
 * their prepared statements, the JIT), after its queue table
 * is vacuumed, analyzed and checkpointed, so that both are measured in the same steady state.
 * Prints tasks/s, p50/p99 claim latency, what was still pending when the run ended (each
 * side's backlog drains as it runs; nothing refills it) and double-claims (a task handed to two
 * claimers; must be 0), checked both by the clients and in the database afterwards.
 *
 * When the `pg-boss` package can be resolved, the same depth is measured with N pg-boss workers
 * (in-process, no HTTP) doing fetch → complete on a queue of its own holding as many jobs, and
 * our rate ÷ pg-boss's is printed per depth. The depth is what the comparison turns on: pg-boss
 * 10 fetches with a sort of every pending job of the queue (its partial index leads with
 * `start_after`, not with its `ORDER BY`), so each fetch costs more as the backlog grows,
 * while our claim walks an index in claim order and costs the same at any depth. Without the
 * package, that part is skipped and says so.
 *
 * Then the headroom: pgbench's write transaction (`-b tpcb-like`, 16 clients, 2 threads,
 * --pgbench-seconds) on a scratch database of the same server (`pgbench -i`, dropped after),
 * and our tasks/s ÷ its transactions/s. pgbench is taken from PATH, else the newest
 * /usr/lib/postgresql/<version>/bin; the embedded PostgreSQL ships none, so the system's runs
 * against its port. Without pgbench that part is skipped and says so.
 *
 * Under `npm run bench` it hands the runner tasks/s against pg-boss at each depth (aim: ratio
 * ≥ 2), the double claims seen by the clients and in the database (aim: 0), and, at the deepest
 * queue, the headroom and the API and PostgreSQL CPU per task; and, at each depth, the CPU a
 * task cost on the machine (API + PostgreSQL) against what a pg-boss job cost (its process +
 * PostgreSQL): on a machine both saturate, 2× pg-boss's rate needs at most half its CPU per task.
 * A script for people, not a test: never run in CI.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import { Client } from 'pg';
import { withDatabase, withMaintenanceClient } from '@agenthub/database';
import {
  benchDatabase,
  call,
  compared,
  createAgentWithKey,
  formatTable,
  latencySummary,
  log,
  msText,
  mustBeZero,
  postgresCpuMs,
  processCpuMs,
  reportFigures,
  request,
  runBench,
  runFor,
  signUp,
  startApi,
} from './harness';

const { values: opts } = parseArgs({
  options: {
    agents: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    depths: { type: 'string', default: '5000,10000,50000' },
    'pgbench-seconds': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    json: { type: 'boolean', default: false },
  },
});
const AGENTS = Number(opts.agents);
const SECONDS = Number(opts.seconds);
const WARMUP = Number(opts.warmup);
/**
 * The warm-up of each side's first depth: the API process has served nothing yet and its JIT
 * is cold (measured: 6.2 ms of API CPU per task in the first 10 s, 4.2–5.1 ms after), as is
 * pg-boss's code in this process.
 */
const FIRST_WARMUP = Math.max(WARMUP, 10);
/** Whether the next run is each side's first (see {@link FIRST_WARMUP}). */
const warmed = new Set<'ours' | 'pg-boss'>();
/** The queue depths (pending tasks, and pending jobs for pg-boss) each side is measured at. */
const DEPTHS = (opts.depths ?? '').split(',').map((d) => Number(d.trim()));
if (DEPTHS.length === 0 || DEPTHS.some((d) => !Number.isInteger(d) || d <= 0)) {
  log(`--depths wants positive whole numbers separated by commas, got ${opts.depths}`);
  process.exit(2);
}
const PGBENCH_SECONDS = Number(opts['pgbench-seconds'] ?? opts.seconds);
/** The comparison: pgbench's write transaction with as many clients as our agents. */
const PGBENCH_CLIENTS = 16;

interface Result {
  label: string;
  completed: number;
  seconds: number;
  /** Per claim (or fetch), ms. */
  claimLatencies: number[];
  doubleClaims: number;
  errors: number;
  /** Claims answered "nothing to do" before the time was up (the queue ran dry). */
  empty: number;
  /** Completed in the warm-up, not counted in `completed`. */
  warmupCompleted: number;
  /**
   * CPU per completed task in the timed part: of the side's own process (the API for ours,
   * this process with its in-process workers for pg-boss) and of PostgreSQL's.
   */
  cpuMsPerTask?: CpuPerTask;
}

const emptyResult = (label: string): Result => ({
  label,
  completed: 0,
  seconds: 0,
  claimLatencies: [],
  doubleClaims: 0,
  errors: 0,
  empty: 0,
  warmupCompleted: 0,
});

/** CPU per completed task, ms: of one process (`pid`) and of PostgreSQL's processes. */
interface CpuPerTask {
  own: number | undefined;
  postgres: number | undefined;
}

/** Reads the CPU of `pid` and of PostgreSQL when a timed part starts, and per task after it. */
function cpuMeter(pid: number | undefined) {
  let own: number | undefined;
  let postgres: number | undefined;
  const per = (before: number | undefined, after: number | undefined, completed: number) =>
    before !== undefined && after !== undefined && completed > 0
      ? (after - before) / completed
      : undefined;
  return {
    start(): void {
      own = processCpuMs(pid);
      postgres = postgresCpuMs();
    },
    perTask(completed: number): CpuPerTask {
      return {
        own: per(own, processCpuMs(pid), completed),
        postgres: per(postgres, postgresCpuMs(), completed),
      };
    },
  };
}

/**
 * `step` run by `workers` in parallel for --warmup seconds, then for `seconds`, measured:
 * `result` counts only the second part, except the double claims (a task claimed in the
 * warm-up and again later is one too). `measuring` is called between the two.
 */
async function warmThenRun(
  side: 'ours' | 'pg-boss',
  result: Result,
  workers: number,
  seconds: number,
  step: (worker: number) => Promise<boolean | void>,
  measuring: () => void = () => undefined,
): Promise<Result> {
  const warmup = warmed.has(side) ? WARMUP : FIRST_WARMUP;
  warmed.add(side);
  if (warmup > 0) {
    await runFor(warmup, workers, step);
    result.warmupCompleted = result.completed;
    result.completed = 0;
    result.claimLatencies = [];
  }
  measuring();
  result.seconds = await runFor(seconds, workers, step);
  return result;
}

/** N agents, each one claim → complete at a time, over HTTP, until the time is up or the queue is empty. */
async function driveAgentHub(
  port: number,
  keys: string[],
  seconds: number,
  measuring: () => void,
): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: keys.length });
  const seen = new Set<string>();
  const result = emptyResult(`AgentHub (HTTP, ${keys.length} agents)`);
  const failed = { status: 0, json: undefined };
  await warmThenRun(
    'ours',
    result,
    keys.length,
    seconds,
    async (worker) => {
      const headers = { authorization: `Bearer ${keys[worker]}` };
      const t0 = performance.now();
      const claimed = await request(agent, port, 'POST', '/api/v1/tasks/claim', {
        body: {},
        headers,
      }).catch(() => failed);
      if (claimed.status === 204) {
        result.empty++;
        return false; // the queue ran dry
      }
      if (claimed.status !== 200 || !claimed.json) {
        result.errors++;
        return;
      }
      result.claimLatencies.push(performance.now() - t0);
      const id = claimed.json['id'] as string;
      if (seen.has(id)) result.doubleClaims++;
      seen.add(id);
      const done = await request(agent, port, 'PATCH', `/api/v1/tasks/${id}`, {
        body: { status: 'completed', result: { ok: true } },
        headers,
      }).catch(() => failed);
      if (done.status === 200) result.completed++;
      else result.errors++;
    },
    measuring,
  );
  agent.destroy();
  return result;
}

// pg-boss may be an ES module; load it with a real dynamic import even from CommonJS.
const importEsm = new Function('specifier', 'return import(specifier)') as (
  s: string,
) => Promise<Record<string, unknown>>;

interface PgBossLike {
  start(): Promise<unknown>;
  stop(options?: Record<string, unknown>): Promise<void>;
  createQueue?(name: string): Promise<void>;
  send(name: string, data: object): Promise<string | null>;
  insert?(jobs: { name: string; data: object }[]): Promise<unknown>;
  fetch(name: string, options?: unknown): Promise<unknown>;
  complete(...args: unknown[]): Promise<unknown>;
  on(event: string, handler: (error: unknown) => void): void;
}

/** The same loop with pg-boss workers, in-process. `undefined` when the package is absent. */
async function drivePgBoss(
  url: string,
  queue: string,
  workers: number,
  jobs: number,
  seconds: number,
  settled: () => Promise<void>,
): Promise<Result | undefined> {
  let resolved: string;
  try {
    resolved = require.resolve('pg-boss');
  } catch {
    return undefined;
  }
  const version = (require(require.resolve('pg-boss/package.json')) as { version: string }).version;
  const major = Number(version.split('.')[0]);
  const mod = await importEsm(resolved);
  const PgBoss = (mod['PgBoss'] ??
    (mod['default'] as Record<string, unknown>)?.['PgBoss'] ??
    mod['default'] ??
    mod) as new (options: object) => PgBossLike;
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss_bench', max: workers + 4 });
  boss.on('error', (error) => log(`pg-boss: ${String(error)}`));
  await boss.start();
  await boss.createQueue?.(queue);
  log(`pg-boss ${version}: sending ${jobs} jobs to ${queue}`);
  for (let i = 0; i < jobs; i += 1000) {
    const n = Math.min(1000, jobs - i);
    if (boss.insert) {
      // v10: many jobs in one statement, as a producer with a backlog would send them.
      await boss.insert(Array.from({ length: n }, (_, k) => ({ name: queue, data: { n: i + k } })));
    } else {
      await Promise.all(Array.from({ length: n }, (_, k) => boss.send(queue, { n: i + k })));
    }
  }

  await settled();

  const seen = new Set<string>();
  const result = emptyResult(`pg-boss ${version} (in-process, ${workers} workers)`);
  const cpu = cpuMeter(process.pid);
  await warmThenRun(
    'pg-boss',
    result,
    workers,
    seconds,
    async () => {
      const t0 = performance.now();
      const fetched = await boss.fetch(queue).catch(() => undefined);
      const list = Array.isArray(fetched) ? fetched : fetched ? [fetched] : [];
      const job = list[0] as { id: string } | undefined;
      if (!job) {
        result.empty++;
        return false;
      }
      result.claimLatencies.push(performance.now() - t0);
      if (seen.has(job.id)) result.doubleClaims++;
      seen.add(job.id);
      try {
        // v10 took the queue name first; v9 only the id.
        await (major >= 10 ? boss.complete(queue, job.id) : boss.complete(job.id));
        result.completed++;
      } catch {
        result.errors++;
      }
    },
    cpu.start,
  );
  result.cpuMsPerTask = cpu.perTask(result.completed);
  await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
  return result;
}

/**
 * What each side's timed run starts from, the same for both: its queue table vacuumed and
 * analyzed (as pgbench does before it runs), and no dirty buffers left by the seeding or by
 * the other side's run (a CHECKPOINT), so that neither pays for the other's writes.
 */
async function settle(client: Client, tables: string[]): Promise<void> {
  await client.query(`VACUUM ANALYZE ${tables.join(', ')}`);
  await client.query('CHECKPOINT');
}

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** pgbench on PATH, else the newest /usr/lib/postgresql/<version>/bin/pgbench. */
function findPgbench(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter))
    if (dir && isExecutable(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions.map((v) => join(root, v, 'bin/pgbench')).find(isExecutable);
}

type Pgbench = { tps: number; binary: string } | { skipped: string };

/**
 * pgbench tpcb-like on a scratch database of `url`'s server (`pgbench -i`, default scale),
 * dropped afterwards: its transactions/s. Connection settings go through PG* variables, so no
 * password is on a command line.
 */
async function runPgbench(url: string, clients: number, seconds: number): Promise<Pgbench> {
  const binary = findPgbench();
  if (!binary)
    return { skipped: 'pgbench not found on PATH nor in /usr/lib/postgresql/<version>/bin' };
  const dbName = `agenthub_bench_pgbench_${Date.now().toString(36)}`;
  const scratch = new URL(withDatabase(url, dbName));
  await withMaintenanceClient(url, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(dbName)}`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: scratch.hostname,
    PGPORT: scratch.port || '5432',
    PGUSER: decodeURIComponent(scratch.username) || 'postgres',
    PGDATABASE: dbName,
  };
  if (scratch.password) env['PGPASSWORD'] = decodeURIComponent(scratch.password);
  else delete env['PGPASSWORD'];
  const run = promisify(execFile);
  try {
    log(`pgbench: ${binary} -i, then tpcb-like with ${clients} clients for ${seconds} s`);
    await run(binary, ['-i', '-q'], { env });
    const { stdout } = await run(
      binary,
      ['-c', String(clients), '-j', '2', '-T', String(seconds), '-b', 'tpcb-like'],
      { env },
    );
    const tps = /^tps = ([\d.]+)/m.exec(stdout);
    if (!tps) return { skipped: `pgbench printed no tps: ${stdout.slice(-300)}` };
    return { tps: Number(tps[1]), binary };
  } catch (error) {
    const e = error as { stderr?: string; message?: string };
    return {
      skipped: `pgbench failed: ${(e.stderr || e.message || String(error)).trim().slice(-300)}`,
    };
  } finally {
    await withMaintenanceClient(url, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(dbName)} WITH (FORCE)`),
    );
  }
}

/** One queue depth's pair of runs. */
interface DepthRun {
  depth: number;
  ours: Result;
  theirs: Result | undefined;
  /** Pending when each side's timed run ended (its backlog drains as it runs). */
  oursPendingAfter: number;
  theirsPendingAfter: number | undefined;
  database: { reclaimedTasks: number; completed: number; inProgress: number };
}

runBench(async (defer) => {
  const url = await benchDatabase(defer, 'claim');
  const api = await startApi(defer, url, opts['log-level']);
  const user = await signUp(api.port);
  const client = new Client({ connectionString: url });
  await client.connect();
  defer(() => client.end());

  /**
   * Both sides at one depth: a project of its own with AGENTS agents and `depth` pending tasks
   * for ours, a queue of its own with `depth` jobs for pg-boss, each settled before it runs.
   */
  async function atDepth(depth: number): Promise<DepthRun> {
    const project = (
      await call(api.port, 'POST', '/projects', { name: `Claim bench, ${depth} pending` }, user)
    )['id'] as string;
    const keys: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const { apiKey } = await createAgentWithKey(api.port, user, {
        project_id: project,
        name: `worker-${i}`,
      });
      keys.push(apiKey);
    }
    await client.query(
      `INSERT INTO tasks (id, project_id, title, description, priority)
       SELECT gen_random_uuid(), $1, 'bench task ' || n, 'generated by claim.bench.ts', (ARRAY['low', 'medium', 'high', 'urgent'])[1 + n % 4]
       FROM generate_series(1, $2::int) AS n`,
      [project, depth],
    );
    await settle(client, ['tasks']);
    log(`${depth} pending tasks, ${AGENTS} agents; claiming for ${SECONDS} s`);

    const cpu = cpuMeter(api.pid);
    const ours = await driveAgentHub(api.port, keys, SECONDS, cpu.start);
    ours.cpuMsPerTask = cpu.perTask(ours.completed);
    // What the database says: each task went to in_progress at most once (attempts), and
    // the completions the clients counted are there.
    const [check] = (
      await client.query<{
        reclaimed: string;
        completed: string;
        in_progress: string;
        pending: string;
      }>(
        `SELECT count(*) FILTER (WHERE attempts > 1) AS reclaimed, count(*) FILTER (WHERE status = 'completed') AS completed,
                count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
                count(*) FILTER (WHERE status = 'pending') AS pending
         FROM tasks WHERE project_id = $1`,
        [project],
      )
    ).rows;
    const queue = `bench-claim-${depth}`;
    const theirs = await drivePgBoss(url, queue, AGENTS, depth, SECONDS, () =>
      settle(client, ['pgboss_bench.job']),
    );
    const theirsPendingAfter = theirs
      ? Number(
          (
            await client.query<{ n: string }>(
              `SELECT count(*) AS n FROM pgboss_bench.job WHERE name = $1 AND state < 'active'`,
              [queue],
            )
          ).rows[0].n,
        )
      : undefined;
    return {
      depth,
      ours,
      theirs,
      oursPendingAfter: Number(check.pending),
      theirsPendingAfter,
      database: {
        reclaimedTasks: Number(check.reclaimed),
        completed: Number(check.completed),
        inProgress: Number(check.in_progress),
      },
    };
  }

  const runs: DepthRun[] = [];
  for (const depth of DEPTHS) runs.push(await atDepth(depth));
  const pgbench = await runPgbench(url, PGBENCH_CLIENTS, PGBENCH_SECONDS);
  const pgbenchTps = 'tps' in pgbench ? pgbench.tps : undefined;

  const rowOf = (r: Result) => {
    const { p50, p99 } = latencySummary(r.claimLatencies);
    return {
      label: r.label,
      tasksPerSecond: r.completed / r.seconds,
      completed: r.completed,
      p50ClaimMs: p50,
      p99ClaimMs: p99,
      doubleClaims: r.doubleClaims,
      errors: r.errors,
      ranDry: r.empty > 0,
    };
  };
  const depths = runs.map((run) => {
    const ours = rowOf(run.ours);
    const theirs = run.theirs ? rowOf(run.theirs) : undefined;
    return {
      depth: run.depth,
      ours: {
        ...ours,
        pendingAfter: run.oursPendingAfter,
        warmupCompleted: run.ours.warmupCompleted,
      },
      pgBoss: theirs ? { ...theirs, pendingAfter: run.theirsPendingAfter } : null,
      ratioToPgBoss: theirs ? ours.tasksPerSecond / theirs.tasksPerSecond : null,
      apiCpuMsPerTask: run.ours.cpuMsPerTask?.own,
      postgresCpuMsPerTask: run.ours.cpuMsPerTask?.postgres,
      pgBossCpuMsPerTask: run.theirs?.cpuMsPerTask ?? null,
      database: run.database,
    };
  });
  /** Every CPU a task cost on this machine: the side's process and PostgreSQL's. */
  const totalCpu = (own: number | undefined, postgres: number | undefined) =>
    own === undefined || postgres === undefined ? undefined : own + postgres;
  const measured = runs.some((run) => run.theirs);
  // The headroom and the CPU per task: the deepest queue's run, the backlog the case is.
  const deepest = depths[depths.length - 1];
  const summary = {
    agents: AGENTS,
    seconds: SECONDS,
    warmupSeconds: WARMUP,
    firstWarmupSeconds: FIRST_WARMUP,
    logLevel: opts['log-level'],
    node: process.version,
    depths,
    pgbench: {
      clients: PGBENCH_CLIENTS,
      seconds: PGBENCH_SECONDS,
      ...('tps' in pgbench ? { tps: pgbench.tps } : { skipped: pgbench.skipped }),
    },
    headroom: pgbenchTps ? deepest.ours.tasksPerSecond / pgbenchTps : null,
    pgBoss: measured
      ? 'measured'
      : 'skipped: the pg-boss package is not installed (npm i -D pg-boss, then run again)',
  };
  const thousands = (n: number) => n.toLocaleString('en-US').replace(/,/g, ' ');
  reportFigures('claim', [
    ...depths.map((d) =>
      compared(
        `claim → complete over HTTP, ${AGENTS} agents, ${thousands(d.depth)} pending`,
        'tasks/s',
        d.ours.tasksPerSecond,
        'pg-boss in-process, as many pending',
        d.pgBoss?.tasksPerSecond,
        {
          minRatio: 2,
          note: [
            ...(d.ours.errors > 0 ? [`${d.ours.errors} errors`] : []),
            ...(d.ours.ranDry || d.pgBoss?.ranDry ? ['a queue ran dry: a lower bound'] : []),
            ...(d.pgBoss ? [] : ['pg-boss not installed']),
          ].join('; '),
        },
      ),
    ),
    // What the 2× aim asks of the CPU: on a machine both sides saturate, tasks/s is about its
    // cores ÷ the CPU a task costs everywhere, so 2× pg-boss needs at most half its CPU per task.
    ...depths.map((d) =>
      compared(
        `CPU per task, API + PostgreSQL, ${thousands(d.depth)} pending`,
        'ms',
        totalCpu(d.apiCpuMsPerTask, d.postgresCpuMsPerTask),
        'pg-boss: its process + PostgreSQL',
        totalCpu(d.pgBossCpuMsPerTask?.own, d.pgBossCpuMsPerTask?.postgres),
        { lowerIsBetter: true },
      ),
    ),
    mustBeZero(
      'double claims seen by the agents',
      depths.reduce((n, d) => n + d.ours.doubleClaims, 0),
    ),
    mustBeZero(
      'tasks claimed more than once (database)',
      depths.reduce((n, d) => n + d.database.reclaimedTasks, 0),
    ),
    compared(
      'headroom: claim → complete ÷ pgbench',
      '/s',
      deepest.ours.tasksPerSecond,
      `pgbench tpcb-like, ${PGBENCH_CLIENTS} clients`,
      pgbenchTps,
      { note: 'skipped' in pgbench ? pgbench.skipped : undefined },
    ),
    { figure: 'API CPU per task', value: deepest.apiCpuMsPerTask ?? NaN, unit: 'ms' },
    {
      figure: 'PostgreSQL CPU per task (local server)',
      value: deepest.postgresCpuMsPerTask ?? NaN,
      unit: 'ms',
    },
  ]);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const out = [
    `claim → complete — ${AGENTS} agents, ${SECONDS} s after ${WARMUP} s of warm-up at each depth (${FIRST_WARMUP} s at the first), LOG_LEVEL=${opts['log-level']}, node ${process.version}`,
    ...formatTable(
      [
        '',
        'pending',
        'tasks/s',
        'completed',
        'pending after',
        'p50 claim',
        'p99 claim',
        'double',
        'errors',
      ],
      depths.flatMap((d) =>
        [d.ours, ...(d.pgBoss ? [d.pgBoss] : [])].map((r) => [
          r.label,
          thousands(d.depth),
          r.tasksPerSecond.toFixed(0),
          String(r.completed),
          r.pendingAfter === undefined ? '-' : thousands(r.pendingAfter),
          `${r.p50ClaimMs.toFixed(2)} ms`,
          `${r.p99ClaimMs.toFixed(2)} ms`,
          String(r.doubleClaims),
          String(r.errors),
        ]),
      ),
    ),
    ...depths.map(
      (d) =>
        `${thousands(d.depth)} pending: API process CPU per claimed and completed task ${msText(d.apiCpuMsPerTask)} (PostgreSQL's processes on this machine ${msText(d.postgresCpuMsPerTask)}); database after the run: ${d.database.completed} completed (${d.ours.warmupCompleted} of them in the warm-up), ${d.database.inProgress} in progress, ${d.database.reclaimedTasks} claimed more than once` +
        (d.ratioToPgBoss === null ? '' : `; AgentHub ÷ pg-boss ${d.ratioToPgBoss.toFixed(2)}`) +
        (d.pgBossCpuMsPerTask
          ? `; pg-boss's CPU per job: its process ${msText(d.pgBossCpuMsPerTask.own)}, PostgreSQL's ${msText(d.pgBossCpuMsPerTask.postgres)}`
          : ''),
    ),
    ...(depths.some((d) => d.ours.ranDry || d.pgBoss?.ranDry)
      ? ['(a queue ran dry before the time was up: tasks/s is a lower bound; raise the depth)']
      : []),
    measured
      ? '(ours goes through HTTP, auth and the audit log; pg-boss workers call the database directly. pg-boss 10 fetches with a sort of every pending job of the queue, so its rate falls as its backlog grows; ours claims along an index)'
      : 'pg-boss comparison SKIPPED: the pg-boss package is not installed (add it as a devDependency: npm i -D pg-boss, then run again)',
    'tps' in pgbench
      ? `headroom: AgentHub tasks/s at ${thousands(deepest.depth)} pending ÷ pgbench tpcb-like tps (${PGBENCH_CLIENTS} clients, ${PGBENCH_SECONDS} s, same server): ${(summary.headroom ?? NaN).toFixed(3)} (pgbench ${pgbench.tps.toFixed(0)} tps)`
      : `headroom SKIPPED: ${pgbench.skipped}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
});
