/**
 * Claim-and-complete throughput of the task queue, next to pg-boss on the same database.
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/bench/claim.bench.ts [--agents 16] [--seconds 10] [--tasks 10000]
 *
 * Starts the built API (dist/apps/api/main.js, NODE_ENV=production) on a fresh database
 * (DATABASE_URL's server when set, else an embedded PostgreSQL under tmp/bench-postgres),
 * seeds a user, a project, N agents with API keys (through the API) and --tasks pending
 * tasks of mixed priority (with SQL), then runs N agents, each looping
 * `POST /tasks/claim` → `PATCH /tasks/:id {status: completed}` over HTTP for the given time.
 * Prints tasks/s, p50/p99 claim latency and double-claims (a task handed to two claimers;
 * must be 0), checked both by the clients and in the database afterwards.
 *
 * When the `pg-boss` package can be resolved, the same run measures N pg-boss workers
 * (in-process, no HTTP) doing fetch → complete on as many jobs in the same database, and
 * prints our rate ÷ pg-boss's. Without it, that part is skipped and says so.
 * A script for people, not a test: never run in CI.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import {
  benchDatabase,
  call,
  createAgentWithKey,
  formatTable,
  latencySummary,
  log,
  processCpuMs,
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
    tasks: { type: 'string', default: '10000' },
    'log-level': { type: 'string', default: 'info' },
    json: { type: 'boolean', default: false },
  },
});
const AGENTS = Number(opts.agents);
const SECONDS = Number(opts.seconds);
const TASKS = Number(opts.tasks);

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
}

const emptyResult = (label: string): Result => ({
  label,
  completed: 0,
  seconds: 0,
  claimLatencies: [],
  doubleClaims: 0,
  errors: 0,
  empty: 0,
});

/** N agents, each one claim → complete at a time, over HTTP, until the time is up or the queue is empty. */
async function driveAgentHub(port: number, keys: string[], seconds: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: keys.length });
  const seen = new Set<string>();
  const result = emptyResult(`AgentHub (HTTP, ${keys.length} agents)`);
  const failed = { status: 0, json: undefined };
  result.seconds = await runFor(seconds, keys.length, async (worker) => {
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
  });
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
  fetch(name: string, options?: unknown): Promise<unknown>;
  complete(...args: unknown[]): Promise<unknown>;
  on(event: string, handler: (error: unknown) => void): void;
}

/** The same loop with pg-boss workers, in-process. `undefined` when the package is absent. */
async function drivePgBoss(
  url: string,
  workers: number,
  jobs: number,
  seconds: number,
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
  const queue = 'bench-claim';
  await boss.createQueue?.(queue);
  log(`pg-boss ${version}: sending ${jobs} jobs`);
  for (let i = 0; i < jobs; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, jobs - i) }, (_, k) => boss.send(queue, { n: i + k })),
    );
  }

  const seen = new Set<string>();
  const result = emptyResult(`pg-boss ${version} (in-process, ${workers} workers)`);
  result.seconds = await runFor(seconds, workers, async () => {
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
  });
  await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
  return result;
}

runBench(async (defer) => {
  const url = await benchDatabase(defer, 'claim');
  const api = await startApi(defer, url, opts['log-level']);

  const user = await signUp(api.port);
  const project = (await call(api.port, 'POST', '/projects', { name: 'Claim bench' }, user))[
    'id'
  ] as string;
  const keys: string[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const { apiKey } = await createAgentWithKey(api.port, user, {
      project_id: project,
      name: `worker-${i}`,
    });
    keys.push(apiKey);
  }

  const client = new Client({ connectionString: url });
  await client.connect();
  defer(() => client.end());
  await client.query(
    `INSERT INTO tasks (id, project_id, title, description, priority)
     SELECT gen_random_uuid(), $1, 'bench task ' || n, 'generated by claim.bench.ts', (ARRAY['low', 'medium', 'high', 'urgent'])[1 + n % 4]
     FROM generate_series(1, $2::int) AS n`,
    [project, TASKS],
  );
  await client.query('ANALYZE tasks');
  log(`${TASKS} pending tasks, ${AGENTS} agents; claiming for ${SECONDS} s`);

  const cpuBefore = processCpuMs(api.pid);
  const ours = await driveAgentHub(api.port, keys, SECONDS);
  const cpuAfter = processCpuMs(api.pid);
  const apiCpuMsPerTask =
    cpuBefore !== undefined && cpuAfter !== undefined && ours.completed > 0
      ? (cpuAfter - cpuBefore) / ours.completed
      : undefined;
  // What the database says: each task went to in_progress at most once (attempts), and
  // the completions the clients counted are there.
  const [check] = (
    await client.query<{ reclaimed: string; completed: string; in_progress: string }>(
      `SELECT count(*) FILTER (WHERE attempts > 1) AS reclaimed, count(*) FILTER (WHERE status = 'completed') AS completed,
              count(*) FILTER (WHERE status = 'in_progress') AS in_progress
       FROM tasks WHERE project_id = $1`,
      [project],
    )
  ).rows;

  const theirs = await drivePgBoss(url, AGENTS, TASKS, SECONDS);

  const rows = [ours, ...(theirs ? [theirs] : [])].map((r) => {
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
  });
  const summary = {
    agents: AGENTS,
    seconds: SECONDS,
    tasks: TASKS,
    logLevel: opts['log-level'],
    node: process.version,
    results: rows,
    apiCpuMsPerTask,
    database: {
      reclaimedTasks: Number(check.reclaimed),
      completed: Number(check.completed),
      inProgress: Number(check.in_progress),
    },
    ratioToPgBoss: theirs ? rows[0].tasksPerSecond / rows[1].tasksPerSecond : null,
    pgBoss: theirs
      ? 'measured'
      : 'skipped: the pg-boss package is not installed (npm i -D pg-boss, then run again)',
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const out = [
    `claim → complete — ${AGENTS} agents, ${SECONDS} s, ${TASKS} tasks, LOG_LEVEL=${opts['log-level']}, node ${process.version}`,
    ...formatTable(
      ['', 'tasks/s', 'completed', 'p50 claim', 'p99 claim', 'double', 'errors'],
      rows.map((r) => [
        r.label,
        r.tasksPerSecond.toFixed(0),
        String(r.completed),
        `${r.p50ClaimMs.toFixed(2)} ms`,
        `${r.p99ClaimMs.toFixed(2)} ms`,
        String(r.doubleClaims),
        String(r.errors),
      ]),
    ),
    `API process CPU per claimed and completed task: ${apiCpuMsPerTask === undefined ? '-' : `${apiCpuMsPerTask.toFixed(2)} ms`} (PostgreSQL not counted)`,
    `database after the run: ${summary.database.completed} completed, ${summary.database.inProgress} in progress, ${summary.database.reclaimedTasks} claimed more than once`,
    ...(rows.some((r) => r.ranDry)
      ? ['(a queue ran dry before the time was up: tasks/s is a lower bound; raise --tasks)']
      : []),
    theirs
      ? `AgentHub ÷ pg-boss: ${summary.ratioToPgBoss?.toFixed(2)} (ours goes through HTTP, auth and the audit log; pg-boss workers call the database directly)`
      : 'pg-boss comparison SKIPPED: the pg-boss package is not installed (add it as a devDependency: npm i -D pg-boss, then run again)',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
});
