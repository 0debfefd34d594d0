/**
 * What the benchmarks share: a fresh database, the built API in a process of its own, JSON
 * requests to it, a load loop of fixed concurrency and duration, latency percentiles, and a
 * table to print. Scripts for people, not tests: nothing here runs in CI.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  freePort,
  redactUrl,
  startEmbeddedPostgres,
  withDatabase,
  withMaintenanceClient,
} from '@agenthub/database';
import { migrateToLatest } from '@agenthub/migrations';

export const ROOT = join(__dirname, '../..');

/** Progress goes to stderr, so stdout carries only the results. */
export const log = (line: string) => process.stderr.write(`${line}\n`);

export type Defer = (cleanup: () => Promise<unknown> | unknown) => void;

/**
 * Runs a benchmark's `main`: what it defers is undone in reverse order when it ends, fails or is
 * interrupted (Ctrl-C), and a failure sets the exit code.
 */
export function runBench(main: (defer: Defer) => Promise<void>): void {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (e) {
        log(`cleanup: ${String(e)}`);
      }
    }
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  main((fn) => cleanups.push(fn))
    .catch((error: unknown) => {
      log(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = 1;
    })
    .finally(cleanup);
}

/**
 * A new, migrated database, dropped at the end: on DATABASE_URL's server when set, else on an
 * embedded PostgreSQL under tmp/bench-postgres (`ephemeral`: without fsync, for bulk writes).
 */
export async function benchDatabase(
  defer: Defer,
  name: string,
  options: { ephemeral?: boolean } = {},
): Promise<string> {
  let serverUrl = process.env['DATABASE_URL'];
  if (!serverUrl) {
    const pg = await startEmbeddedPostgres({
      dataDir: join(ROOT, 'tmp/bench-postgres'),
      database: 'postgres',
      ephemeral: options.ephemeral,
    });
    defer(() => pg.stop());
    serverUrl = pg.url;
  }
  const dbName = `agenthub_bench_${name}_${Date.now().toString(36)}`;
  const url = withDatabase(serverUrl, dbName);
  await withMaintenanceClient(url, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(dbName)}`));
  // BENCH_KEEP_DATABASE=1: leave it for inspection (EXPLAIN a hot statement on the bench's rows).
  if (!process.env['BENCH_KEEP_DATABASE'])
    defer(() =>
      withMaintenanceClient(url, (c) =>
        c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(dbName)} WITH (FORCE)`),
      ),
    );
  await migrateToLatest(url);
  log(`database ${redactUrl(url)}`);
  return url;
}

/** A node process of its own (stdout ignored); its last stderr is logged if it dies. */
export function startProcess(label: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
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

/** Waits until 127.0.0.1:port answers `path` with anything but a 5xx. */
export async function waitForHttp(port: number, path: string, timeoutMs = 60_000): Promise<void> {
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

/**
 * The built API (dist/apps/api/main.js, NODE_ENV=production) on `databaseUrl`, ready to serve;
 * stopped at the end. `env` adds to (or overrides) its environment, e.g. a raised limit.
 * Exits with 2 when the bundle is missing.
 */
export async function startApi(
  defer: Defer,
  databaseUrl: string,
  logLevel: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ port: number; pid: number | undefined }> {
  // BENCH_API_BUNDLE=/path/to/main.js: another build of the API (say, of the commit before a
  // change, built in a git worktree), to compare two builds on the same machine in one sitting.
  const bundle = process.env['BENCH_API_BUNDLE'] ?? join(ROOT, 'dist/apps/api/main.js');
  if (!existsSync(bundle)) {
    log(`${bundle} is missing: build it first (\`npx nx build api\`)`);
    process.exit(2);
  }
  const port = await freePort();
  // BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=tmp/prof": node flags for the API processes
  // (NODE_OPTIONS refuses some of them).
  const nodeArgs = (process.env['BENCH_API_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const api = startProcess('api', [...nodeArgs, bundle], {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: logLevel,
    AGENTHUB_MIGRATE_ON_START: 'false',
    AGENTHUB_ALLOW_REGISTRATION: 'true',
    ...env,
  });
  defer(() => void api.kill('SIGTERM'));
  await waitForHttp(port, '/health/ready');
  return { port, pid: api.pid };
}

/**
 * utime + stime of a process in ms, from /proc (Linux; undefined elsewhere). Requests/s depend
 * on whatever else the machine is doing; CPU time per request much less so.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields 14 and 15 of stat(5), counted after "pid (comm)": utime and stime, in clock ticks
    // (100 Hz on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * utime + stime in ms of every PostgreSQL process on this machine (the server and its
 * backends), from /proc; undefined off Linux. Backends that exit in between are not counted,
 * so take it around a phase whose connections stay open (a pool). Meaningful when the
 * database is local and nothing else uses it.
 */
export function postgresCpuMs(): number | undefined {
  try {
    let ticks = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      if (stat.slice(open + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return (ticks * 1000) / 100;
  } catch {
    return undefined;
  }
}

export interface Response {
  status: number;
  json: Record<string, unknown> | undefined;
}

/**
 * One request to 127.0.0.1:port on `agent`'s sockets, with a JSON body when given. `discard`
 * skips reading the body (the load loops that only count statuses).
 */
export function request(
  agent: http.Agent,
  port: number,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; discard?: boolean } = {},
): Promise<Response> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          ...options.headers,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.on('error', reject);
        if (options.discard) {
          res.on('end', () => resolve({ status, json: undefined }));
          res.resume();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status,
            json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** One API call (`/api/v1` + path) on a socket of its own; throws unless it answers 2xx. */
export async function call(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const agent = new http.Agent();
  try {
    const res = await request(agent, port, method, `/api/v1${path}`, { body, headers });
    if (res.status >= 300)
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json ?? {};
  } finally {
    agent.destroy();
  }
}

/** A new user, signed up and logged in through the API: their authorization header. */
export async function signUp(port: number): Promise<Record<string, string>> {
  const email = `bench-${Date.now()}@bench.test`;
  const password = 'bench-password-123';
  await call(port, 'POST', '/auth/register', { email, password, name: 'Bench' });
  const login = await call(port, 'POST', '/auth/login', { email, password });
  return { authorization: `Bearer ${String(login['access_token'])}` };
}

/** An agent of the project and an API key of its own, made through the API. */
export async function createAgentWithKey(
  port: number,
  user: Record<string, string>,
  fields: { project_id: string; name: string } & Record<string, unknown>,
): Promise<{ agentId: string; apiKey: string }> {
  const agentId = (await call(port, 'POST', '/agents', fields, user))['id'] as string;
  const key = await call(port, 'POST', `/agents/${agentId}/api-keys`, { name: 'bench' }, user);
  return { agentId, apiKey: key['api_key'] as string };
}

/**
 * The load loop: `workers` loops side by side, each awaiting one `step` at a time until
 * `seconds` are up or its step returns false (nothing left to do). Answers the seconds it ran.
 */
export async function runFor(
  seconds: number,
  workers: number,
  step: (worker: number) => Promise<boolean | void>,
): Promise<number> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < deadline) if ((await step(worker)) === false) return;
    }),
  );
  return (performance.now() - started) / 1000;
}

/** The p-th percentile (nearest rank) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Median and p99 of latencies in ms, in any order. */
export function latencySummary(latencies: number[]): { p50: number; p99: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** `n` with `digits` decimals, or '-' when there is no figure. */
export const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);

/** Milliseconds with two decimals and the unit, or `-` when not measured. */
export const msText = (ms: number | undefined) => (ms === undefined ? '-' : `${ms.toFixed(2)} ms`);

/**
 * Lines of a text table: the first column left-aligned, the others right-aligned, unless `left`
 * names the columns (by index) to align left.
 */
export function formatTable(header: string[], rows: string[][], left: number[] = [0]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
  const line = (cols: string[]) =>
    cols
      .map((c, i) =>
        !left.includes(i)
          ? c.padStart(widths[i])
          : i === 0
            ? c.padEnd(widths[i])
            : `  ${c.padEnd(widths[i] - 2)}`,
      )
      .join('');
  return [header, ...rows].map((cols) => line(cols).trimEnd());
}

/**
 * An SSE stream of the API at `path` (e.g. `/api/v1/events?types=…`) read by hand (the
 * framing is three field names): calls `onEvent` with each event's `event:` and parsed `data:`.
 */
export function openEventStream(
  port: number,
  path: string,
  authorization: string,
  onEvent: (type: string, data: Record<string, unknown>) => void,
): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: { authorization, accept: 'text/event-stream' },
        agent: false,
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${path}: ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let type = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) type = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
            }
            if (data.length > 0)
              onEvent(type, JSON.parse(data.join('\n')) as Record<string, unknown>);
          }
        });
        resolve(req);
      },
    );
    req.on('error', reject);
  });
}

/**
 * One figure a bench measured, next to the baseline it is judged against (measured in the
 * same run), for the table `npm run bench` prints.
 */
export interface BenchFigure {
  /** What was measured, e.g. `GET /agents/:id, agent key`. */
  figure: string;
  value: number;
  /** Of `value` and `baselineValue`, e.g. `req/s`, `ms`. */
  unit: string;
  /** What it is compared with, e.g. `bare Fastify + pg`; absent for a figure with a fixed target only. */
  baseline?: string;
  baselineValue?: number;
  /**
   * value ÷ baselineValue, or baselineValue ÷ value when lower is better (latency, CPU);
   * absent without a baseline.
   */
  ratio?: number;
  /** The aim, in words, e.g. `ratio ≥ 0.5` or `≤ 15 ms`. */
  target?: string;
  /** Whether the aim was met; absent when there is no aim (or nothing to judge it by). */
  met?: boolean;
  /** What the reader should know about this figure, e.g. `3 errors`, `pgbench not found`. */
  note?: string;
}

const finite = (n: number | undefined): number | undefined =>
  n === undefined || !Number.isFinite(n) ? undefined : n;

/**
 * A figure next to its baseline: the ratio oriented so that above 1 is better (value ÷ baseline,
 * or baseline ÷ value with `lowerIsBetter`) and, with `minRatio`, whether the ratio reaches it.
 * A figure or baseline that was not measured leaves ratio and met out.
 */
export function compared(
  figure: string,
  unit: string,
  value: number | undefined,
  baseline: string,
  baselineValue: number | undefined,
  options: { lowerIsBetter?: boolean; minRatio?: number; note?: string } = {},
): BenchFigure {
  const v = finite(value);
  const b = finite(baselineValue);
  const ratio =
    v === undefined || b === undefined || (options.lowerIsBetter ? v : b) === 0
      ? undefined
      : options.lowerIsBetter
        ? b / v
        : v / b;
  return {
    figure,
    value: v ?? NaN,
    unit,
    baseline,
    baselineValue: b,
    ratio,
    ...(options.minRatio !== undefined && {
      target: `ratio ≥ ${options.minRatio}`,
      met: ratio === undefined ? undefined : ratio >= options.minRatio,
    }),
    ...(options.note && { note: options.note }),
  };
}

/** A count that must be zero (double claims, lost messages): its target and whether it holds. */
export function mustBeZero(figure: string, value: number, note?: string): BenchFigure {
  return { figure, value, unit: 'count', target: '= 0', met: value === 0, ...(note && { note }) };
}

/**
 * Hands a bench's figures to `npm run bench` (tools/bench/run-all.ts): written as JSON to the
 * file BENCH_REPORT names, when it is set. A bench run by hand prints its own table only.
 */
export function reportFigures(bench: string, figures: BenchFigure[]): void {
  const target = process.env['BENCH_REPORT'];
  if (!target) return;
  writeFileSync(target, `${JSON.stringify({ bench, figures }, null, 2)}\n`);
}
