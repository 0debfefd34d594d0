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
 * and the ratio to the bare server, and the server process's CPU time per request. Under
 * `npm run bench` it hands the requests/s of both credentials against the bare server (aim:
 * ratio ≥ 0.5) and the CPU per request to the runner's table. The list of 1 000 agents is
 * agents-list.bench.ts. A script for people, not a test: never run in CI.
 */
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { freePort } from '@agenthub/database';
import {
  benchDatabase,
  call,
  compared,
  createAgentWithKey,
  fmt,
  formatTable,
  latencySummary,
  log,
  processCpuMs,
  reportFigures,
  request,
  runBench,
  runFor,
  signUp,
  startApi,
  startProcess,
  waitForHttp,
} from './harness';

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

/** `CONNECTIONS` loops, each one GET at a time on a keep-alive socket, until the time is up. */
async function drive(target: Target, seconds: number): Promise<Sample> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = processCpuMs(target.pid);
  const elapsed = await runFor(seconds, CONNECTIONS, async () => {
    const t0 = performance.now();
    try {
      const res = await request(agent, target.port, 'GET', target.path, {
        headers: target.headers,
        discard: true,
      });
      if (res.status === 200) latencies.push(performance.now() - t0);
      else errors++;
    } catch {
      errors++;
    }
  });
  const cpuAfter = processCpuMs(target.pid);
  agent.destroy();
  const cpuMs =
    cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  return { ok: latencies.length, errors, seconds: elapsed, latencies, cpuMs };
}

runBench(async (defer) => {
  const url = await benchDatabase(defer, 'agents_get');
  const barePort = await freePort();
  const bare = startProcess('bare server', [join(__dirname, 'bare-server.js')], {
    DATABASE_URL: url,
    PORT: String(barePort),
  });
  defer(() => void bare.kill('SIGTERM'));
  const api = await startApi(defer, url, opts['log-level']);
  await waitForHttp(barePort, '/agents/00000000-0000-4000-8000-000000000000');

  const user = await signUp(api.port);
  const project = (await call(api.port, 'POST', '/projects', { name: 'Bench' }, user))[
    'id'
  ] as string;
  const { agentId, apiKey } = await createAgentWithKey(api.port, user, {
    project_id: project,
    name: 'bench-agent',
    capabilities: ['code', 'review'],
  });

  const agentPath = `/api/v1/agents/${agentId}`;
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
      port: api.port,
      path: agentPath,
      headers: { authorization: `Bearer ${apiKey}` },
      pid: api.pid,
    },
    { label: 'AgentHub, user JWT', port: api.port, path: agentPath, headers: user, pid: api.pid },
    // No database, no auth: what the app's HTTP stack alone costs, for scale.
    {
      label: 'AgentHub /health/live',
      port: api.port,
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
    const cpu = all.every((s) => s.cpuMs !== undefined)
      ? all.reduce((n, s) => n + (s.cpuMs ?? 0), 0)
      : undefined;
    return {
      label: t.label,
      rps: ok / seconds,
      ...latencySummary(all.flatMap((s) => s.latencies)),
      errors: all.reduce((n, s) => n + s.errors, 0),
      cpuUsPerRequest: cpu === undefined || ok === 0 ? undefined : (cpu * 1000) / ok,
    };
  });
  const [bareRow] = rows;
  const table = formatTable(
    ['', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio', 'server µs/req', 'cpu ratio'],
    rows.map((r) => [
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
  );
  const out = [
    `GET /agents/:id — ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per server, LOG_LEVEL=${opts['log-level']}, node ${process.version}`,
    ...table,
    'ratio: requests/s relative to the bare server; cpu ratio: its CPU per request over this one (server process only, not PostgreSQL).',
  ];
  process.stdout.write(`${out.join('\n')}\n`);

  const [, keyRow, jwtRow, liveRow] = rows;
  const errors = (r: (typeof rows)[number]) => (r.errors > 0 ? `${r.errors} errors` : undefined);
  const bareLabel = 'bare Fastify + pg';
  reportFigures('agents-get', [
    compared('GET /agents/:id, agent key', 'req/s', keyRow.rps, bareLabel, bareRow.rps, {
      minRatio: 0.5,
      note: errors(keyRow),
    }),
    compared('GET /agents/:id, user JWT', 'req/s', jwtRow.rps, bareLabel, bareRow.rps, {
      minRatio: 0.5,
      note: errors(jwtRow),
    }),
    ...[keyRow, jwtRow, liveRow].map((r) =>
      compared(
        `server CPU per request, ${r.label.replace('AgentHub, ', '').replace('AgentHub ', '')}`,
        'µs',
        r.cpuUsPerRequest,
        bareLabel,
        bareRow.cpuUsPerRequest,
        { lowerIsBetter: true },
      ),
    ),
  ]);
});
