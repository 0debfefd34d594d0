/**
 * How long does listing a fleet of 1 000 agents take over HTTP, two pages of 500?
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/bench/agents-list.bench.ts [--agents 1000] [--limit 500] [--samples 300] [--warmup 30]
 *
 * Starts the built API (dist/apps/api/main.js, NODE_ENV=production, LOG_LEVEL as given,
 * default info) on a fresh database (DATABASE_URL's server when set, else an embedded
 * PostgreSQL under tmp/bench-postgres), signs up a user, makes a project and seeds --agents
 * agents in it through `POST /agents/batch` (500 per request, with capabilities, a model and a
 * system prompt, so each item is the size of a real one). One sample is what a client listing
 * the fleet does: `GET /api/v1/agents?project_id=…&limit=500` as the user, then the next page
 * as the first answer says (the list contract of docs/api.md: `offset` + the items it
 * returned), until `total` is read; the time runs from the first request to the last body
 * parsed. Samples run one at a time after --warmup unmeasured ones, on one keep-alive socket.
 * The same listing runs against a bare Fastify + pg server (bare-server.js: the same page
 * and total of the project's agents, `SELECT *` and nothing else, no auth, no access check),
 * sample by sample in turn with the API's, so both see the same machine: the floor of
 * this machine for these bytes. Prints p50, p99 and mean of a sample and of each page, the
 * bytes of a page, each server process's CPU per sample and the ratio to the bare server.
 * Checks each sample got every agent once. Aim: p50 ≤ 15 ms (the legacy registry's cold
 * in-process figure); under `npm run bench` it hands the runner p50 (with the aim), p99 and
 * p50 against the bare server's.
 *
 * A bench of its own rather than a part of agents-get.bench.ts: that one saturates the server
 * with 32 connections for requests/s, this one wants an otherwise idle server for the latency
 * of one client, and a fleet of 1 000 agents that would change what the primary-key select
 * there reads. A script for people, not a test: never run in CI.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '@agenthub/database';
import {
  benchDatabase,
  call,
  compared,
  fmt,
  formatTable,
  latencySummary,
  log,
  msText,
  processCpuMs,
  reportFigures,
  request,
  runBench,
  signUp,
  startApi,
  startProcess,
  waitForHttp,
} from './harness';

const { values: opts } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    limit: { type: 'string', default: '500' },
    samples: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '30' },
    'log-level': { type: 'string', default: 'info' },
    json: { type: 'boolean', default: false },
  },
});
const AGENTS = Number(opts.agents);
const LIMIT = Number(opts.limit);
const SAMPLES = Number(opts.samples);
const WARMUP = Number(opts.warmup);
/** The batch endpoint's maximum items per request. */
const BATCH = 500;
/** The aim, ms at p50. */
const TARGET_MS = 15;

const CAPABILITIES = ['code', 'review', 'search', 'summarize', 'translate', 'plan'];

/** One agent of the fleet, as a deploy file would describe it. */
const agentFields = (i: number) => ({
  name: `fleet-${String(i).padStart(4, '0')}`,
  agent_type: i % 3 === 0 ? 'reviewer' : 'worker',
  capabilities: CAPABILITIES.filter((_, k) => (i + k) % 2 === 0),
  model_provider: 'anthropic',
  model_name: 'claude-sonnet',
  system_prompt: `You are fleet agent ${i}. Work on the tasks you claim and report results.`,
  config: { temperature: 0.2, max_tokens: 4096 },
});

interface Sample {
  totalMs: number;
  pageMs: number[];
  bytes: number[];
  ids: number;
  pages: number;
}

/** One listing of the whole project: page after page, as each answer says, until `total`. */
async function listAll(
  agent: http.Agent,
  port: number,
  project: string,
  headers: Record<string, string>,
  prefix = '/api/v1',
): Promise<Sample> {
  const ids = new Set<string>();
  const pageMs: number[] = [];
  const bodies: unknown[] = [];
  const t0 = performance.now();
  let offset = 0;
  for (;;) {
    const p0 = performance.now();
    const res = await request(
      agent,
      port,
      'GET',
      `${prefix}/agents?project_id=${project}&limit=${LIMIT}&offset=${offset}`,
      { headers },
    );
    pageMs.push(performance.now() - p0);
    if (res.status !== 200 || !res.json)
      throw new Error(`GET /agents: ${res.status} ${JSON.stringify(res.json)}`);
    const page = res.json as { items: { id: string }[]; total: number; offset: number };
    bodies.push(page);
    for (const item of page.items) ids.add(item.id);
    offset = page.offset + page.items.length;
    if (page.items.length === 0 || offset >= page.total) break;
  }
  const totalMs = performance.now() - t0;
  // Outside the time: the size of each page as JSON text.
  const bytes = bodies.map((b) => JSON.stringify(b).length);
  return { totalMs, pageMs, bytes, ids: ids.size, pages: pageMs.length };
}

runBench(async (defer) => {
  const url = await benchDatabase(defer, 'agents_list');
  const barePort = await freePort();
  const bare = startProcess('bare server', [join(__dirname, 'bare-server.js')], {
    DATABASE_URL: url,
    PORT: String(barePort),
  });
  defer(() => void bare.kill('SIGTERM'));
  const api = await startApi(defer, url, opts['log-level']);
  await waitForHttp(barePort, '/agents/00000000-0000-4000-8000-000000000000');
  const user = await signUp(api.port);
  const project = (await call(api.port, 'POST', '/projects', { name: 'Fleet' }, user))[
    'id'
  ] as string;

  log(`seeding ${AGENTS} agents through POST /agents/batch`);
  for (let start = 0; start < AGENTS; start += BATCH) {
    const agents = Array.from({ length: Math.min(BATCH, AGENTS - start) }, (_, k) =>
      agentFields(start + k),
    );
    const res = await call(
      api.port,
      'POST',
      '/agents/batch',
      { project_id: project, agents },
      user,
    );
    if (res['success'] !== agents.length)
      throw new Error(`POST /agents/batch: ${JSON.stringify(res['errors']).slice(0, 500)}`);
  }

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const bareAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  defer(() => agent.destroy());
  defer(() => bareAgent.destroy());
  const listApi = () => listAll(agent, api.port, project, user);
  const listBare = () => listAll(bareAgent, barePort, project, {}, '');
  log(`${WARMUP} warm-up and ${SAMPLES} measured listings of each server, one at a time, in turn`);
  for (let i = 0; i < WARMUP; i++) {
    await listApi();
    await listBare();
  }
  const samples: Sample[] = [];
  const bareSamples: Sample[] = [];
  let apiCpu = 0;
  let bareCpu = 0;
  for (let i = 0; i < SAMPLES; i++) {
    // Each server's CPU over its own listings only: the other one idles meanwhile.
    const a0 = processCpuMs(api.pid);
    samples.push(await listApi());
    const a1 = processCpuMs(api.pid);
    const b0 = processCpuMs(bare.pid);
    bareSamples.push(await listBare());
    const b1 = processCpuMs(bare.pid);
    apiCpu += (a1 ?? NaN) - (a0 ?? NaN);
    bareCpu += (b1 ?? NaN) - (b0 ?? NaN);
  }

  const incomplete = [...samples, ...bareSamples].filter((s) => s.ids !== AGENTS).length;
  const pages = Math.max(...samples.map((s) => s.pages));
  const whole = latencySummary(samples.map((s) => s.totalMs));
  const bareWhole = latencySummary(bareSamples.map((s) => s.totalMs));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || NaN);
  const perPage = Array.from({ length: pages }, (_, p) => {
    const times = samples.map((s) => s.pageMs[p]).filter((t) => t !== undefined);
    return {
      label: `page ${p + 1}`,
      ...latencySummary(times),
      mean: mean(times),
      bytes: samples[0]?.bytes[p],
    };
  });
  const apiCpuMsPerSample = Number.isFinite(apiCpu) ? apiCpu / SAMPLES : undefined;
  const bareCpuMsPerSample = Number.isFinite(bareCpu) ? bareCpu / SAMPLES : undefined;
  const summary = {
    agents: AGENTS,
    limit: LIMIT,
    samples: SAMPLES,
    warmup: WARMUP,
    logLevel: opts['log-level'],
    node: process.version,
    listing: { ...whole, mean: mean(samples.map((s) => s.totalMs)), pages },
    pages: perPage,
    bare: {
      ...bareWhole,
      mean: mean(bareSamples.map((s) => s.totalMs)),
      bytes: bareSamples[0]?.bytes,
    },
    apiCpuMsPerSample,
    bareCpuMsPerSample,
    incompleteSamples: incomplete,
    targetMs: TARGET_MS,
    met: whole.p50 <= TARGET_MS,
  };
  if (incomplete > 0) process.exitCode = 1;

  const label = `list ${AGENTS} agents, ${pages} pages of ${LIMIT}`;
  reportFigures('agents-list', [
    {
      figure: `${label}, p50`,
      value: whole.p50,
      unit: 'ms',
      target: `≤ ${TARGET_MS} ms`,
      met: whole.p50 <= TARGET_MS,
      ...(incomplete > 0 && { note: `${incomplete} samples missed agents` }),
    },
    { figure: `${label}, p99`, value: whole.p99, unit: 'ms' },
    compared(`${label}, p50`, 'ms', whole.p50, 'bare Fastify + pg', bareWhole.p50, {
      lowerIsBetter: true,
    }),
    { figure: 'API CPU per listing', value: apiCpuMsPerSample ?? NaN, unit: 'ms' },
  ]);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const out = [
    `GET /agents?project_id&limit=${LIMIT} until all ${AGENTS} are read — ${SAMPLES} samples after ${WARMUP} warm-up, one at a time, as the user, LOG_LEVEL=${opts['log-level']}, node ${process.version}`,
    ...formatTable(
      ['', 'p50 ms', 'p99 ms', 'mean ms', 'bytes'],
      [
        [
          `the listing (${pages} requests)`,
          fmt(whole.p50, 2),
          fmt(whole.p99, 2),
          fmt(summary.listing.mean, 2),
          '',
        ],
        ...perPage.map((p) => [
          `  ${p.label}`,
          fmt(p.p50, 2),
          fmt(p.p99, 2),
          fmt(p.mean, 2),
          String(p.bytes ?? '-'),
        ]),
        [
          'bare Fastify + pg, the listing',
          fmt(bareWhole.p50, 2),
          fmt(bareWhole.p99, 2),
          fmt(summary.bare.mean, 2),
          String(bareSamples[0]?.bytes.join(' + ') ?? '-'),
        ],
      ],
    ),
    `server process CPU per listing: API ${msText(apiCpuMsPerSample)}, bare ${msText(bareCpuMsPerSample)} (PostgreSQL not counted)`,
    `p50 ratio, bare ÷ API: ${fmt(bareWhole.p50 / whole.p50, 2)}`,
    `aim: p50 ≤ ${TARGET_MS} ms — ${summary.met ? 'met' : 'NOT met'}${incomplete > 0 ? `; ${incomplete} samples did not read every agent once` : ''}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
});
