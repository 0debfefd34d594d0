/**
 * Agent metrics: ingestion through the API, then 30-day hourly summaries.
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/bench/metrics.bench.ts [--points 1000000] [--agents 100] [--senders 16] [--batch 1000] [--runs 30]
 *
 * Starts the built API (dist/apps/api/main.js, NODE_ENV=production) on a fresh database
 * (DATABASE_URL's server when set, else an embedded PostgreSQL under tmp/bench-postgres),
 * seeds a user, a project and --agents agents with API keys (through the API). Then --senders
 * loops post `POST /agents/:id/metrics` batches of --batch points, each batch one agent's
 * (round robin, with that agent's key), its points spread evenly over the last 30 days, until
 * --points are stored: points/s and the p50/p99 time per batch. After an ANALYZE (what
 * autovacuum would do soon after such a load), each summary is asked --runs times, one at a
 * time: one agent's 30-day hourly summary, the project's (pooled) and the project's grouped
 * by agent; p50/p99 time and the size of the answer. Checks that the database holds every
 * point and that the grouped summary counts them all (a failed check exits 1). Under `npm run bench` it hands the runner
 * points/s of the ingest, the p50 of each summary and whether the checks held (no baseline is
 * measured here: the figures are for comparing runs).
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
  reportFigures,
  request,
  runBench,
  runFor,
  signUp,
  startApi,
} from './harness';

const { values: opts } = parseArgs({
  options: {
    points: { type: 'string', default: '1000000' },
    agents: { type: 'string', default: '100' },
    senders: { type: 'string', default: '16' },
    batch: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '30' },
    'log-level': { type: 'string', default: 'warn' },
    json: { type: 'boolean', default: false },
  },
});
const POINTS = Number(opts.points);
const AGENTS = Number(opts.agents);
const SENDERS = Number(opts.senders);
const BATCH = Number(opts.batch);
const RUNS = Number(opts.runs);
const DAY = 24 * 3_600_000;
const METRIC = 'task.duration_seconds';

/** A cheap deterministic generator (mulberry32), so runs are comparable. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One batch: `size` points of one agent, spread over the 30 days before `now`, jittered. */
function batchBody(batch: number, size: number, now: number) {
  const next = random(batch + 1);
  const step = (30 * DAY - 60_000) / size;
  return {
    metrics: Array.from({ length: size }, (_, i) => ({
      metric_name: METRIC,
      // Durations around a few seconds with a long tail: percentiles differ from the mean.
      metric_value: Math.round(Math.exp(1 + next() * 2.5) * 1000) / 1000,
      metric_unit: 'seconds',
      recorded_at: new Date(now - 30 * DAY + i * step + next() * step).toISOString(),
      ...(i % 10 === 0 ? { context: { batch, i } } : {}),
    })),
  };
}

interface Timing {
  label: string;
  p50: number;
  p99: number;
  bytes: number;
  buckets: number;
}

runBench(async (defer) => {
  const url = await benchDatabase(defer, 'metrics');
  const api = await startApi(defer, url, opts['log-level']);
  const user = await signUp(api.port);
  const project = (await call(api.port, 'POST', '/projects', { name: 'Metrics bench' }, user))[
    'id'
  ] as string;
  const agents: { agentId: string; apiKey: string }[] = [];
  for (let i = 0; i < AGENTS; i++) {
    agents.push(
      await createAgentWithKey(api.port, user, {
        project_id: project,
        name: `agent-${String(i).padStart(3, '0')}`,
      }),
    );
  }

  // Ingest: every sender takes the next batch number until all points are out.
  const batches = Math.ceil(POINTS / BATCH);
  const now = Date.now();
  const bodies = (b: number) => batchBody(b, Math.min(BATCH, POINTS - b * BATCH), now);
  log(`${POINTS} points for ${AGENTS} agents: ${batches} batches of ${BATCH}, ${SENDERS} senders`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
  let nextBatch = 0;
  let errors = 0;
  let stored = 0;
  const latencies: number[] = [];
  const cpuBefore = processCpuMs(api.pid);
  const seconds = await runFor(24 * 3600, SENDERS, async () => {
    const b = nextBatch++;
    if (b >= batches) return false;
    const { agentId, apiKey } = agents[b % AGENTS];
    const body = bodies(b);
    const t0 = performance.now();
    const res = await request(agent, api.port, 'POST', `/api/v1/agents/${agentId}/metrics`, {
      body,
      headers: { authorization: `Bearer ${apiKey}` },
    }).catch(() => ({ status: 0, json: undefined }));
    latencies.push(performance.now() - t0);
    if (res.status === 201) stored += Number(res.json?.['recorded']);
    else {
      errors++;
      if (errors <= 3) log(`batch ${b}: ${res.status} ${JSON.stringify(res.json)}`);
    }
    if (b % 100 === 99) log(`  ${b + 1}/${batches} batches`);
  });
  const cpuAfter = processCpuMs(api.pid);
  const ingest = latencySummary(latencies);

  const client = new Client({ connectionString: url });
  await client.connect();
  defer(() => client.end());
  const [{ count, size }] = (
    await client.query<{ count: string; size: string }>(
      `SELECT count(*) AS count, pg_size_pretty(pg_total_relation_size('agent_performance')) AS size FROM agent_performance`,
    )
  ).rows;
  await client.query('ANALYZE agent_performance');

  // Summaries: each asked RUNS times, one at a time, after one warm-up.
  const from = new Date(now - 30 * DAY).toISOString();
  const to = new Date(now).toISOString();
  const range = `metric_name=${METRIC}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&bucket=1h`;
  const headers = user;
  const targets: [string, string][] = [
    ['one agent, 30 days hourly', `/api/v1/agents/${agents[0].agentId}/metrics/summary?${range}`],
    ['project pooled, 30 days hourly', `/api/v1/projects/${project}/metrics/summary?${range}`],
    [
      'project by agent, 30 days hourly',
      `/api/v1/projects/${project}/metrics/summary?${range}&group_by=agent`,
    ],
  ];
  const timings: Timing[] = [];
  let groupedCount = 0;
  for (const [label, path] of targets) {
    const times: number[] = [];
    let bytes = 0;
    let buckets = 0;
    for (let run = 0; run <= RUNS; run++) {
      const t0 = performance.now();
      const res = await request(agent, api.port, 'GET', path, { headers });
      const ms = performance.now() - t0;
      if (res.status !== 200)
        throw new Error(`${label}: ${res.status} ${JSON.stringify(res.json)}`);
      if (run === 0) {
        bytes = JSON.stringify(res.json).length;
        const json = res.json as {
          buckets?: { count: number }[];
          agents?: { buckets: { count: number }[] }[];
        };
        const all = json.buckets ? [json.buckets] : (json.agents ?? []).map((a) => a.buckets);
        buckets = all.reduce((n, b) => n + b.length, 0);
        if (json.agents) {
          groupedCount = all.flat().reduce((n, b) => n + b.count, 0);
        }
        continue; // the warm-up
      }
      times.push(ms);
    }
    timings.push({ label, ...latencySummary(times), bytes, buckets });
    log(`  ${label}: done`);
  }
  agent.destroy();

  const apiCpuMsPerBatch =
    cpuBefore !== undefined && cpuAfter !== undefined
      ? (cpuAfter - cpuBefore) / batches
      : undefined;
  const summary = {
    points: POINTS,
    agents: AGENTS,
    senders: SENDERS,
    batch: BATCH,
    runs: RUNS,
    node: process.version,
    ingest: {
      seconds,
      pointsPerSecond: stored / seconds,
      p50BatchMs: ingest.p50,
      p99BatchMs: ingest.p99,
      errors,
      apiCpuMsPerBatch,
    },
    database: { points: Number(count), size },
    summaries: timings,
    checks: {
      allStored: Number(count) === POINTS && stored === POINTS,
      groupedCountsEveryPoint: groupedCount === POINTS,
    },
  };
  const checksHeld = summary.checks.allStored && summary.checks.groupedCountsEveryPoint;
  reportFigures('metrics', [
    {
      figure: `ingest, batches of ${BATCH}, ${SENDERS} senders`,
      value: summary.ingest.pointsPerSecond,
      unit: 'points/s',
      ...(errors > 0 && { note: `${errors} errors` }),
    },
    ...timings.map((t) => ({ figure: `summary p50: ${t.label}`, value: t.p50, unit: 'ms' })),
    {
      figure: 'points stored and counted',
      value: Number(count),
      unit: 'points',
      target: `= ${POINTS}`,
      met: checksHeld,
    },
  ]);
  if (!checksHeld) process.exitCode = 1;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const out = [
    `metrics — ${POINTS} points, ${AGENTS} agents, batches of ${BATCH}, ${SENDERS} senders, node ${process.version}`,
    ...formatTable(
      ['ingest', 'points/s', 'seconds', 'p50 batch', 'p99 batch', 'errors'],
      [
        [
          'POST /agents/:id/metrics',
          summary.ingest.pointsPerSecond.toFixed(0),
          seconds.toFixed(1),
          `${ingest.p50.toFixed(1)} ms`,
          `${ingest.p99.toFixed(1)} ms`,
          String(errors),
        ],
      ],
    ),
    `API process CPU per batch: ${apiCpuMsPerBatch === undefined ? '-' : `${apiCpuMsPerBatch.toFixed(1)} ms`} (PostgreSQL not counted); table + indexes: ${size}`,
    '',
    ...formatTable(
      [`summary (${RUNS} runs each)`, 'p50', 'p99', 'buckets', 'bytes'],
      timings.map((t) => [
        t.label,
        `${t.p50.toFixed(1)} ms`,
        `${t.p99.toFixed(1)} ms`,
        String(t.buckets),
        String(t.bytes),
      ]),
    ),
    `checks: ${summary.database.points} points in the database (${summary.checks.allStored ? 'all' : 'NOT all'}), the grouped summary counts ${groupedCount} (${summary.checks.groupedCountsEveryPoint ? 'every point' : 'NOT every point'})`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
});
