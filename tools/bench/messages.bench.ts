/**
 * Agent messages end to end: send → receive over the event stream → ack, with 100 agents
 * connected across 3 API processes, next to pg-boss pub/sub on the same database.
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/bench/messages.bench.ts [--agents 100] [--processes 3] [--senders 16] [--seconds 10] [--warmup 20]
 *
 * Starts the built API (dist/apps/api/main.js, NODE_ENV=production) --processes times on one
 * fresh database (DATABASE_URL's server when set, else an embedded PostgreSQL under
 * tmp/bench-postgres), seeds a user, a project and --agents agents with API keys, and opens
 * one `GET /api/v1/events?types=message.received` stream per agent, agent i on process
 * i mod N. Then --senders loops send `POST /messages` (from a random agent to a random other
 * one, through a random process) for --warmup seconds, unmeasured (each connection prepares its
 * statements, PostgreSQL settles on their plans, the three fresh API processes' JIT compiles
 * the hot paths: after 3 s of warm-up a quarter of the API's CPU was still V8's optimizing
 * compiler and a message cost 13–19 ms of API CPU, after 25 s 10 ms, so the default is 20 s),
 * then for --seconds; each recipient acks what its stream pushes
 * (`POST /messages/:id/ack`, through its own process). Prints messages/s received, p50/p99
 * from the start of the send to the push arriving, and lost/duplicate counts (both must be 0).
 *
 * When `pg-boss` resolves, the same run measures pg-boss pub/sub in-process on the same
 * database: one queue per agent subscribed to that agent's topic, `publish` from as many
 * loops, one `work` handler per queue; latency from publish to handler. pg-boss workers poll
 * (pollingIntervalSeconds, 0.5 s at least; up to 50 jobs per fetch), which bounds its latency
 * from below. The rate counts what arrived during the sending time and the drain after it.
 * Under `npm run bench` it hands the runner messages/s received against pg-boss's (aim:
 * ratio ≥ 1), lost and duplicate deliveries (aim: 0) and the p50 latencies of both.
 * A script for people, not a test: never run in CI.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  benchDatabase,
  call,
  compared,
  createAgentWithKey,
  formatTable,
  latencySummary,
  log,
  mustBeZero,
  openEventStream,
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
    agents: { type: 'string', default: '100' },
    processes: { type: 'string', default: '3' },
    senders: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '20' },
    'log-level': { type: 'string', default: 'warn' },
    json: { type: 'boolean', default: false },
  },
});
const AGENTS = Number(opts.agents);
const PROCESSES = Number(opts.processes);
const SENDERS = Number(opts.senders);
const SECONDS = Number(opts.seconds);
const WARMUP = Number(opts.warmup);
/**
 * After the senders stop, the receivers may drain what is still queued; a message counts as
 * missing once nothing more has arrived for this long.
 */
const DRAIN_IDLE_MS = 3_000;

/** Waits until every sent message arrived, or nothing arrived for {@link DRAIN_IDLE_MS}. */
async function drain(result: Result): Promise<void> {
  let last = result.received;
  let lastChange = Date.now();
  while (result.received < result.sent && Date.now() - lastChange < DRAIN_IDLE_MS) {
    await new Promise((r) => setTimeout(r, 50));
    if (result.received !== last) {
      last = result.received;
      lastChange = Date.now();
    }
  }
}

interface Result {
  label: string;
  sent: number;
  received: number;
  /** How many had arrived when the measured time began (after the warm-up and its drain). */
  receivedBefore: number;
  duplicates: number;
  seconds: number;
  latencies: number[];
  errors: number;
  /** CPU per received message in ms: the API processes, PostgreSQL, this (client) process. */
  cpu?: { api?: number; postgres?: number; client: number };
}

/** What the bench keeps of a message in flight: when its send started. */
type InFlight = Map<string, number>;

async function driveAgentHub(
  apis: { port: number; pid: number | undefined }[],
  agents: { agentId: string; apiKey: string }[],
): Promise<Result> {
  const result: Result = {
    label: `AgentHub (HTTP + SSE, ${agents.length} agents on ${apis.length} processes)`,
    sent: 0,
    received: 0,
    receivedBefore: 0,
    duplicates: 0,
    seconds: 0,
    latencies: [],
    errors: 0,
  };
  const ports = apis.map((a) => a.port);
  const inFlight: InFlight = new Map();
  const seen = new Set<string>();
  const http1 = new http.Agent({ keepAlive: true, maxSockets: SENDERS * 2 + 16 });
  const streams: http.ClientRequest[] = [];
  const acks: Promise<unknown>[] = [];

  await Promise.all(
    agents.map(async (agent, i) => {
      const port = ports[i % ports.length];
      streams.push(
        await openEventStream(
          port,
          '/api/v1/events?types=message.received',
          `Bearer ${agent.apiKey}`,
          (type, event) => {
            if (type !== 'message.received') return;
            const message = event['data'] as Record<string, unknown>;
            const id = message['id'] as string;
            const started = inFlight.get(id);
            if (seen.has(id)) {
              result.duplicates++;
              return;
            }
            seen.add(id);
            result.received++;
            if (started !== undefined) result.latencies.push(performance.now() - started);
            const payload = message['payload'] as { t?: number } | undefined;
            if (started === undefined && payload?.t !== undefined)
              result.latencies.push(Date.now() - payload.t);
            acks.push(
              request(http1, port, 'POST', `/api/v1/messages/${id}/ack`, {
                body: {},
                headers: { authorization: `Bearer ${agent.apiKey}` },
                discard: true,
              }).catch(() => result.errors++),
            );
          },
        ),
      );
    }),
  );
  const sendOne = async () => {
    const from = Math.floor(Math.random() * agents.length);
    let to = Math.floor(Math.random() * (agents.length - 1));
    if (to >= from) to++;
    const port = ports[Math.floor(Math.random() * ports.length)];
    const started = performance.now();
    const res = await request(http1, port, 'POST', '/api/v1/messages', {
      body: {
        recipient_id: agents[to].agentId,
        message_type: 'bench',
        payload: { t: Date.now() },
      },
      headers: { authorization: `Bearer ${agents[from].apiKey}` },
    }).catch(() => undefined);
    const messages = res?.status === 201 ? (res.json?.['messages'] as { id: string }[]) : undefined;
    if (!messages) {
      result.errors++;
      return;
    }
    result.sent++;
    // The push may beat the send's response: then the payload's wall clock time is used.
    if (!seen.has(messages[0].id)) inFlight.set(messages[0].id, started);
  };
  log(`${streams.length} streams open; warming up for ${WARMUP} s`);
  await warmUp(result, () => runFor(WARMUP, SENDERS, sendOne));
  log(`sending for ${SECONDS} s with ${SENDERS} senders`);
  const apiCpu = () => sumOrUndefined(apis.map((a) => processCpuMs(a.pid)));
  const apiBefore = apiCpu();
  const pgBefore = postgresCpuMs();
  const clientBefore = process.cpuUsage();

  result.seconds = await runFor(SECONDS, SENDERS, sendOne);
  await drain(result);
  await Promise.all(acks);
  const client = process.cpuUsage(clientBefore);
  const measured = result.received - result.receivedBefore;
  const perMessage = (before?: number, after?: number) =>
    before === undefined || after === undefined || measured === 0
      ? undefined
      : (after - before) / measured;
  result.cpu = {
    api: perMessage(apiBefore, apiCpu()),
    postgres: perMessage(pgBefore, postgresCpuMs()),
    client: (client.user + client.system) / 1000 / Math.max(measured, 1),
  };
  for (const stream of streams) stream.destroy();
  http1.destroy();
  return result;
}

/**
 * Runs the warm-up, waits for what it sent to arrive, and starts the measured time there:
 * the rate and the latencies count from then on; lost and duplicate deliveries count over
 * the whole run.
 */
async function warmUp(result: Result, send: () => Promise<unknown>): Promise<void> {
  if (WARMUP <= 0) return;
  await send();
  await drain(result);
  result.receivedBefore = result.received;
  result.latencies = [];
}

function sumOrUndefined(values: (number | undefined)[]): number | undefined {
  return values.some((v) => v === undefined)
    ? undefined
    : values.reduce<number>((sum, v) => sum + (v as number), 0);
}

// pg-boss may be an ES module; load it with a real dynamic import even from CommonJS.
const importEsm = new Function('specifier', 'return import(specifier)') as (
  s: string,
) => Promise<Record<string, unknown>>;

interface PgBossLike {
  start(): Promise<unknown>;
  stop(options?: Record<string, unknown>): Promise<void>;
  createQueue(name: string): Promise<void>;
  subscribe(event: string, name: string): Promise<void>;
  publish(event: string, data: object): Promise<void>;
  work(
    name: string,
    options: object,
    handler: (jobs: { id: string; data: { t: number; n: number } }[]) => Promise<void>,
  ): Promise<string>;
  on(event: string, handler: (error: unknown) => void): void;
}

async function drivePgBoss(url: string): Promise<Result | undefined> {
  let resolved: string;
  try {
    resolved = require.resolve('pg-boss');
  } catch {
    return undefined;
  }
  const version = (require(require.resolve('pg-boss/package.json')) as { version: string }).version;
  const mod = await importEsm(resolved);
  const PgBoss = (mod['PgBoss'] ??
    (mod['default'] as Record<string, unknown>)?.['PgBoss'] ??
    mod['default'] ??
    mod) as new (options: object) => PgBossLike;
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss_messages', max: 20 });
  boss.on('error', (error) => log(`pg-boss: ${String(error)}`));
  await boss.start();
  const result: Result = {
    label: `pg-boss ${version} pub/sub (in-process, ${AGENTS} subscribers)`,
    sent: 0,
    received: 0,
    receivedBefore: 0,
    duplicates: 0,
    seconds: 0,
    latencies: [],
    errors: 0,
  };
  const seen = new Set<number>();
  for (let i = 0; i < AGENTS; i++) {
    await boss.createQueue(`agent-${i}`);
    await boss.subscribe(`to-agent-${i}`, `agent-${i}`);
    await boss.work(`agent-${i}`, { pollingIntervalSeconds: 0.5, batchSize: 50 }, async (jobs) => {
      for (const job of jobs) {
        if (seen.has(job.data.n)) result.duplicates++;
        else {
          seen.add(job.data.n);
          result.received++;
          result.latencies.push(Date.now() - job.data.t);
        }
      }
    });
  }
  let n = 0;
  const publishOne = async () => {
    const to = Math.floor(Math.random() * AGENTS);
    try {
      await boss.publish(`to-agent-${to}`, { t: Date.now(), n: n++ });
      result.sent++;
    } catch {
      result.errors++;
    }
  };
  log(`pg-boss ${version}: ${AGENTS} queues and workers; warming up for ${WARMUP} s`);
  await warmUp(result, () => runFor(WARMUP, SENDERS, publishOne));
  log(`publishing for ${SECONDS} s`);
  result.seconds = await runFor(SECONDS, SENDERS, publishOne);
  await drain(result);
  await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
  return result;
}

const ms = (value?: number) => (value === undefined ? '-' : `${value.toFixed(2)} ms`);

runBench(async (defer) => {
  const url = await benchDatabase(defer, 'messages');
  const apis = [];
  for (let i = 0; i < PROCESSES; i++) apis.push(await startApi(defer, url, opts['log-level']));
  const ports = apis.map((a) => a.port);

  const user = await signUp(ports[0]);
  const project = (await call(ports[0], 'POST', '/projects', { name: 'Messages bench' }, user))[
    'id'
  ] as string;
  const agents: { agentId: string; apiKey: string }[] = [];
  for (let i = 0; i < AGENTS; i++)
    agents.push(await createAgentWithKey(ports[0], user, { project_id: project, name: `a-${i}` }));

  const ours = await driveAgentHub(apis, agents);
  const theirs = await drivePgBoss(url);

  const rows = [ours, ...(theirs ? [theirs] : [])].map((r) => ({
    label: r.label,
    perSecond: (r.received - r.receivedBefore) / r.seconds,
    sent: r.sent,
    received: r.received,
    lost: r.sent - r.received,
    duplicates: r.duplicates,
    errors: r.errors,
    ...latencySummary(r.latencies),
  }));
  const summary = {
    agents: AGENTS,
    processes: PROCESSES,
    senders: SENDERS,
    seconds: SECONDS,
    warmup: WARMUP,
    node: process.version,
    results: rows,
    ratioToPgBoss: theirs ? rows[0].perSecond / rows[1].perSecond : null,
    latencyRatioToPgBoss: theirs ? rows[0].p50 / rows[1].p50 : null,
    cpuMsPerMessage: ours.cpu,
  };
  const [ourRow, theirRow] = rows;
  const peer = theirs ? 'pg-boss pub/sub in-process' : 'pg-boss (not installed)';
  reportFigures('messages', [
    compared(
      `send → receive, ${AGENTS} agents on ${PROCESSES} processes`,
      'msgs/s',
      ourRow.perSecond,
      peer,
      theirRow?.perSecond,
      { minRatio: 1, note: ours.errors > 0 ? `${ours.errors} errors` : undefined },
    ),
    mustBeZero('messages lost', ourRow.lost),
    mustBeZero('messages delivered twice', ourRow.duplicates),
    compared('send → push p50', 'ms', ourRow.p50, peer, theirRow?.p50, { lowerIsBetter: true }),
  ]);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const out = [
    `send → push → ack — ${AGENTS} agents on ${PROCESSES} API processes, ${SENDERS} senders, ${SECONDS} s after ${WARMUP} s of warm-up, node ${process.version}`,
    ...formatTable(
      ['', 'msgs/s', 'sent', 'received', 'lost', 'dup', 'errors', 'p50', 'p99'],
      rows.map((r) => [
        r.label,
        r.perSecond.toFixed(0),
        String(r.sent),
        String(r.received),
        String(r.lost),
        String(r.duplicates),
        String(r.errors),
        `${r.p50.toFixed(1)} ms`,
        `${r.p99.toFixed(1)} ms`,
      ]),
    ),
    theirs
      ? `AgentHub ÷ pg-boss: ${summary.ratioToPgBoss?.toFixed(2)}× the rate, ${summary.latencyRatioToPgBoss?.toFixed(2)}× the p50 latency (ours goes through HTTP, auth, the audit log and the event log; pg-boss calls the database in-process and polls)`
      : 'pg-boss comparison SKIPPED: the pg-boss package is not installed',
    `CPU per received message: API processes ${ms(ours.cpu?.api)}, PostgreSQL's processes on this machine ${ms(ours.cpu?.postgres)}, this client ${ms(ours.cpu?.client)}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
});
