/**
 * How fast is the hot path `GET /api/v1/agents/:id` next to the least any server could do?
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/bench/agents-get.bench.ts [--seconds 10] [--connections 32] [--rounds 2]
 *
 * Starts the built API (dist/apps/api/main.js, NODE_ENV=production, LOG_LEVEL as given,
 * default info) and a bare Fastify + pg server doing the same primary-key select, each in
 * its own process, on one fresh database: DATABASE_URL's server when set, else an embedded
 * PostgreSQL under tmp/bench-postgres. Seeds a user, a project, an agent and an API key
 * through the API, then drives each server with the same bounded concurrent keep-alive load
 * (127.0.0.1 only) for a fixed time, in alternating rounds, and prints requests/s, p50, p99
 * and the ratio to the bare server. A script for people, not a test: never run in CI.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
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
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '2' },
    'log-level': { type: 'string', default: 'info' },
  },
});
const SECONDS = Number(opts.seconds);
const CONNECTIONS = Number(opts.connections);
const ROUNDS = Number(opts.rounds);
const WARMUP = Number(opts.warmup);

interface Target {
  label: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  /** The server process, to read how much CPU it spent. */
  pid?: number;
}

interface Sample {
  ok: number;
  errors: number;
  seconds: number;
  latencies: number[];
  /** CPU time the server process used during the sample (Linux only), in ms. */
  cpuMs?: number;
}

/**
 * utime + stime of a process, in ms, from /proc (Linux). Requests/s depend on whatever else
 * the machine is doing; CPU per request much less so, so both are reported.
 */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields 14 and 15 of stat(5), counted after "pid (comm)": utime and stime in clock ticks (100 Hz on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

const log = (line: string) => process.stderr.write(`${line}\n`);

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

async function call(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** `connections` loops, each one request at a time on a keep-alive socket, until the time is up. */
async function drive(target: Target, seconds: number): Promise<Sample> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let errors = 0;
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: target.port, path: target.path, headers: target.headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  const cpuBefore = processCpuMs(target.pid);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        if ((await once()) === 200) latencies.push(performance.now() - t0);
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = processCpuMs(target.pid);
  agent.destroy();
  const cpuMs =
    cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  return { ok: latencies.length, errors, seconds: elapsed, latencies, cpuMs };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
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
    const dbName = `agenthub_bench_${Date.now().toString(36)}`;
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

    const [apiPort, barePort] = [await freePort(), await freePort()];
    const api = startProcess('api', [apiBundle], {
      DATABASE_URL: url,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: opts['log-level'],
      AGENTHUB_MIGRATE_ON_START: 'false',
      AGENTHUB_ALLOW_REGISTRATION: 'true',
    });
    cleanups.push(async () => void api.kill('SIGTERM'));
    const bare = startProcess('bare server', [join(__dirname, 'bare-server.js')], {
      DATABASE_URL: url,
      PORT: String(barePort),
    });
    cleanups.push(async () => void bare.kill('SIGTERM'));
    await Promise.all([
      waitForHttp(apiPort, '/health/ready'),
      waitForHttp(barePort, '/agents/00000000-0000-4000-8000-000000000000'),
    ]);

    const email = `bench-${Date.now()}@bench.test`;
    const password = 'bench-password-123';
    await call(apiPort, 'POST', '/auth/register', { email, password, name: 'Bench' });
    const token = (await call(apiPort, 'POST', '/auth/login', { email, password }))[
      'access_token'
    ] as string;
    const user = { authorization: `Bearer ${token}` };
    const project = (await call(apiPort, 'POST', '/projects', { name: 'Bench' }, user))[
      'id'
    ] as string;
    const agentId = (
      await call(
        apiPort,
        'POST',
        '/agents',
        { project_id: project, name: 'bench-agent', capabilities: ['code', 'review'] },
        user,
      )
    )['id'] as string;
    const apiKey = (
      await call(apiPort, 'POST', `/agents/${agentId}/api-keys`, { name: 'bench' }, user)
    )['api_key'] as string;

    const targets: Target[] = [
      {
        label: 'bare Fastify + pg',
        port: barePort,
        path: `/agents/${agentId}`,
        headers: {},
        pid: bare.pid,
      },
      {
        label: 'AgentHub, agent API key',
        port: apiPort,
        path: `/api/v1/agents/${agentId}`,
        headers: { authorization: `Bearer ${apiKey}` },
        pid: api.pid,
      },
      {
        label: 'AgentHub, user JWT',
        port: apiPort,
        path: `/api/v1/agents/${agentId}`,
        headers: user,
        pid: api.pid,
      },
      // No database, no auth: what the app's HTTP stack alone costs, for scale.
      {
        label: 'AgentHub /health/live',
        port: apiPort,
        path: '/health/live',
        headers: {},
        pid: api.pid,
      },
    ];
    log(`warming up (${WARMUP} s each)`);
    for (const target of targets) await drive(target, WARMUP);

    const samples = new Map<string, Sample[]>(targets.map((t) => [t.label, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of targets) {
        log(`round ${round}/${ROUNDS}: ${target.label} for ${SECONDS} s`);
        samples.get(target.label)?.push(await drive(target, SECONDS));
      }
    }

    const rows = targets.map((t) => {
      const all = samples.get(t.label) ?? [];
      const ok = all.reduce((n, s) => n + s.ok, 0);
      const seconds = all.reduce((n, s) => n + s.seconds, 0);
      const sorted = all.flatMap((s) => s.latencies).sort((a, b) => a - b);
      const cpu = all.every((s) => s.cpuMs !== undefined)
        ? all.reduce((n, s) => n + (s.cpuMs ?? 0), 0)
        : undefined;
      return {
        label: t.label,
        rps: ok / seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        errors: all.reduce((n, s) => n + s.errors, 0),
        cpuUsPerRequest: cpu === undefined || ok === 0 ? undefined : (cpu * 1000) / ok,
      };
    });
    const [bareRow] = rows;
    const line = (cols: string[]) =>
      `${cols[0].padEnd(26)}${cols
        .slice(1)
        .map((c) => c.padStart(14))
        .join('')}`;
    const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '-' : n.toFixed(digits));
    const out = [
      `GET /agents/:id — ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per server, LOG_LEVEL=${opts['log-level']}, node ${process.version}`,
      line(['', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio', 'server µs/req', 'cpu ratio']),
      ...rows.map((r) =>
        line([
          r.label,
          fmt(r.rps),
          fmt(r.p50, 2),
          fmt(r.p99, 2),
          String(r.errors),
          fmt(r.rps / bareRow.rps, 2),
          fmt(r.cpuUsPerRequest),
          r.cpuUsPerRequest && bareRow.cpuUsPerRequest
            ? fmt(bareRow.cpuUsPerRequest / r.cpuUsPerRequest, 2)
            : '-',
        ]),
      ),
      'ratio: requests/s relative to the bare server; cpu ratio: its CPU per request over this one (server process only, not PostgreSQL).',
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
