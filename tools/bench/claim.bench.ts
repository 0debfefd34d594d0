/**
 * Claim-and-complete throughput of the task queue, next to pg-boss on the same database.
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/bench/claim.bench.ts [--agents 16] [--seconds 10] [--tasks 10000]
 *
 * Starts the built API (dist/apps/api/main.js, NODE_ENV=production) on a fresh database
 * (DATABASE_URL's server when set, else an embedded PostgreSQL under tmp/bench-postgres),
 * seeds a user, a project, N agents with API keys (through the API) and 10 000 pending
 * tasks of mixed priority (with SQL), then runs N agents, each looping
 * `POST /tasks/claim` → `PATCH /tasks/:id {status: completed}` over HTTP for the given time.
 * Prints tasks/s, p50/p99 claim latency and double-claims (a task handed to two claimers;
 * must be 0), checked both by the clients and in the database afterwards.
 *
 * When the `pg-boss` package can be resolved, the same run measures N pg-boss workers
 * (in-process, no HTTP) doing fetch → complete on 10 000 jobs in the same database, and
 * prints our rate ÷ pg-boss's. Without it, that part is skipped and says so.
 * A script for people, not a test: never run in CI.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import {
  freePort,
  redactUrl,
  startEmbeddedPostgres,
  withDatabase,
  withMaintenanceClient,
} from '@agenthub/database';
import { migrateToLatest } from '@agenthub/migrations';

const root = join(__dirname, '../..');
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

const log = (line: string) => process.stderr.write(`${line}\n`);

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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * utime + stime of a process in ms, from /proc (Linux; undefined elsewhere). Tasks/s depend on
 * whatever else the machine is doing; the API's CPU time per task much less so.
 */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function startProcess(label: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') log(`${label} exited (${code ?? signal}): ${stderr}`);
  });
  return child;
}

async function waitForHttp(port: number, path: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`nothing answered on 127.0.0.1:${port}${path} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One JSON request on a keep-alive socket. */
function request(
  agent: http.Agent,
  port: number,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: `/api/v1${path}`,
        agent,
        headers: {
          ...headers,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode ?? 0,
            json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function call(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const agent = new http.Agent();
  try {
    const res = await request(agent, port, method, path, body, headers);
    if (res.status >= 300)
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json ?? {};
  } finally {
    agent.destroy();
  }
}

/** N agents, each one claim → complete at a time, over HTTP, until the time is up or the queue is empty. */
async function driveAgentHub(port: number, keys: string[], seconds: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: keys.length });
  const seen = new Set<string>();
  const result: Result = {
    label: `AgentHub (HTTP, ${keys.length} agents)`,
    completed: 0,
    seconds: 0,
    claimLatencies: [],
    doubleClaims: 0,
    errors: 0,
    empty: 0,
  };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    keys.map(async (key) => {
      const auth = { authorization: `Bearer ${key}` };
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const claimed = await request(agent, port, 'POST', '/tasks/claim', {}, auth).catch(() => ({
          status: 0,
          json: undefined,
        }));
        if (claimed.status === 204) {
          result.empty++;
          return; // the queue ran dry
        }
        if (claimed.status !== 200 || !claimed.json) {
          result.errors++;
          continue;
        }
        result.claimLatencies.push(performance.now() - t0);
        const id = claimed.json['id'] as string;
        if (seen.has(id)) result.doubleClaims++;
        seen.add(id);
        const done = await request(
          agent,
          port,
          'PATCH',
          `/tasks/${id}`,
          { status: 'completed', result: { ok: true } },
          auth,
        ).catch(() => ({ status: 0 }));
        if (done.status === 200) result.completed++;
        else result.errors++;
      }
    }),
  );
  result.seconds = (performance.now() - started) / 1000;
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
  const result: Result = {
    label: `pg-boss ${version} (in-process, ${workers} workers)`,
    completed: 0,
    seconds: 0,
    claimLatencies: [],
    doubleClaims: 0,
    errors: 0,
    empty: 0,
  };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const fetched = await boss.fetch(queue).catch(() => undefined);
        const list = Array.isArray(fetched) ? fetched : fetched ? [fetched] : [];
        const job = list[0] as { id: string } | undefined;
        if (!job) {
          result.empty++;
          return;
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
      }
    }),
  );
  result.seconds = (performance.now() - started) / 1000;
  await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
  return result;
}

async function main(): Promise<void> {
  const apiBundle = join(root, 'dist/apps/api/main.js');
  if (!existsSync(apiBundle)) {
    log('dist/apps/api/main.js is missing: run `npx nx build api` first');
    process.exit(2);
  }

  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse())
      await fn().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    let serverUrl = process.env['DATABASE_URL'];
    if (!serverUrl) {
      const pg = await startEmbeddedPostgres({
        dataDir: join(root, 'tmp/bench-postgres'),
        database: 'postgres',
      });
      cleanups.push(() => pg.stop());
      serverUrl = pg.url;
    }
    const dbName = `agenthub_bench_claim_${Date.now().toString(36)}`;
    const url = withDatabase(serverUrl, dbName);
    await withMaintenanceClient(url, (c) =>
      c.query(`CREATE DATABASE ${c.escapeIdentifier(dbName)}`),
    );
    cleanups.push(() =>
      withMaintenanceClient(url, (c) =>
        c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(dbName)} WITH (FORCE)`),
      ).then(() => undefined),
    );
    await migrateToLatest(url);
    log(`database ${redactUrl(url)}`);

    const port = await freePort();
    const api = startProcess('api', [apiBundle], {
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: opts['log-level'],
      AGENTHUB_MIGRATE_ON_START: 'false',
      AGENTHUB_ALLOW_REGISTRATION: 'true',
    });
    cleanups.push(async () => void api.kill('SIGTERM'));
    await waitForHttp(port, '/health/ready');

    const email = `bench-${Date.now()}@bench.test`;
    const password = 'bench-password-123';
    await call(port, 'POST', '/auth/register', { email, password, name: 'Bench' });
    const user = {
      authorization: `Bearer ${(await call(port, 'POST', '/auth/login', { email, password }))['access_token']}`,
    };
    const project = (await call(port, 'POST', '/projects', { name: 'Claim bench' }, user))[
      'id'
    ] as string;
    const keys: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const agentId = (
        await call(port, 'POST', '/agents', { project_id: project, name: `worker-${i}` }, user)
      )['id'] as string;
      keys.push(
        (await call(port, 'POST', `/agents/${agentId}/api-keys`, { name: 'bench' }, user))[
          'api_key'
        ] as string,
      );
    }

    const client = new Client({ connectionString: url });
    await client.connect();
    cleanups.push(() => client.end());
    await client.query(
      `INSERT INTO tasks (id, project_id, title, description, priority)
       SELECT gen_random_uuid(), $1, 'bench task ' || n, 'generated by claim.bench.ts', (ARRAY['low', 'medium', 'high', 'urgent'])[1 + n % 4]
       FROM generate_series(1, $2::int) AS n`,
      [project, TASKS],
    );
    await client.query('ANALYZE tasks');
    log(`${TASKS} pending tasks, ${AGENTS} agents; claiming for ${SECONDS} s`);

    const cpuBefore = processCpuMs(api.pid);
    const ours = await driveAgentHub(port, keys, SECONDS);
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
      const sorted = [...r.claimLatencies].sort((a, b) => a - b);
      return {
        label: r.label,
        tasksPerSecond: r.completed / r.seconds,
        completed: r.completed,
        p50ClaimMs: percentile(sorted, 50),
        p99ClaimMs: percentile(sorted, 99),
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
    const line = (cols: string[]) =>
      `${cols[0].padEnd(40)}${cols
        .slice(1)
        .map((c) => c.padStart(12))
        .join('')}`;
    const out = [
      `claim → complete — ${AGENTS} agents, ${SECONDS} s, ${TASKS} tasks, LOG_LEVEL=${opts['log-level']}, node ${process.version}`,
      line(['', 'tasks/s', 'completed', 'p50 claim', 'p99 claim', 'double', 'errors']),
      ...rows.map((r) =>
        line([
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
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
