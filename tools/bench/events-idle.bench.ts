/**
 * What do idle event streams cost? One API process with --streams agents connected to
 * `GET /events` and nothing happening, next to the same process with none.
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/bench/events-idle.bench.ts [--streams 300] [--seconds 20] [--settle 12]
 *
 * Starts the built API (dist/apps/api/main.js, NODE_ENV=production) once on a fresh database
 * (DATABASE_URL's server when set, else an embedded PostgreSQL under tmp/bench-postgres), seeds a
 * user, a project and --streams agents with API keys. Then, for --seconds each: the process with
 * no stream open (the baseline: its own timers, the lease and redelivery sweeps), and, --settle
 * seconds after opening them, the process with one stream per agent
 * (`/api/v1/events?types=message.received`), nothing sent. The settle outlasts PostgreSQL's
 * statistics: an idle backend reports its counters up to 10 s late, so a shorter one counts the
 * reads of the streams' opening in the idle phase. Each phase counts, from
 * pg_stat_database and pg_stat_user_tables, the database's committed transactions per second and
 * the scans (sequential and index) of the events table per second, and the API process's CPU per
 * second. Between LISTEN/NOTIFY wake-ups an idle stream should cost nothing: the process's safety
 * poll reads whom new events are for once every 2 s, whatever the number of streams. At the end
 * one message goes to the first agent and must reach its stream within 5 s (the streams were
 * alive all along). Under `npm run bench` it hands the runner both phases side by side. A script
 * for people, not a test: never run in CI.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import {
  benchDatabase,
  call,
  compared,
  createAgentWithKey,
  fmt,
  formatTable,
  log,
  openEventStream,
  processCpuMs,
  reportFigures,
  runBench,
  signUp,
  startApi,
} from './harness';

const { values: opts } = parseArgs({
  options: {
    streams: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '20' },
    settle: { type: 'string', default: '12' },
    'log-level': { type: 'string', default: 'info' },
  },
});
const STREAMS = Number(opts.streams);
const SECONDS = Number(opts.seconds);
const SETTLE = Number(opts.settle);

interface Phase {
  transactionsPerSecond: number;
  eventScansPerSecond: number;
  apiCpuMsPerSecond: number | undefined;
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/** The database's counters and the API's CPU over SECONDS of doing nothing. */
async function measure(stats: Client, apiPid: number | undefined): Promise<Phase> {
  const sample = async () => {
    // The statistics of a transaction are a snapshot: clear it to read the current counters.
    await stats.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await stats.query<{ xacts: string; scans: string }>(
      `SELECT d.xact_commit AS xacts,
              coalesce(t.seq_scan, 0) + coalesce(t.idx_scan, 0) AS scans
         FROM pg_stat_database d
         LEFT JOIN pg_stat_user_tables t ON t.relname = 'events'
        WHERE d.datname = current_database()`,
    );
    return {
      xacts: Number(rows[0].xacts),
      scans: Number(rows[0].scans),
      cpu: processCpuMs(apiPid),
    };
  };
  const before = await sample();
  await sleep(SECONDS);
  const after = await sample();
  return {
    // Less the two transactions of the samples themselves.
    transactionsPerSecond: (after.xacts - before.xacts - 2) / SECONDS,
    eventScansPerSecond: (after.scans - before.scans) / SECONDS,
    apiCpuMsPerSecond:
      before.cpu === undefined || after.cpu === undefined
        ? undefined
        : (after.cpu - before.cpu) / SECONDS,
  };
}

runBench(async (defer) => {
  const url = await benchDatabase(defer, 'events_idle');
  const api = await startApi(defer, url, opts['log-level']);
  const user = await signUp(api.port);
  const project = (await call(api.port, 'POST', '/projects', { name: 'Idle streams bench' }, user))[
    'id'
  ] as string;
  const agents: { agentId: string; apiKey: string }[] = [];
  for (let i = 0; i < STREAMS; i++)
    agents.push(await createAgentWithKey(api.port, user, { project_id: project, name: `a-${i}` }));
  const stats = new Client({ connectionString: url });
  await stats.connect();
  defer(() => stats.end());

  log(`no stream open: measuring for ${SECONDS} s`);
  await sleep(SETTLE);
  const none = await measure(stats, api.pid);

  let firstGot = 0;
  const streams: http.ClientRequest[] = await Promise.all(
    agents.map((agent, i) =>
      openEventStream(
        api.port,
        '/api/v1/events?types=message.received',
        `Bearer ${agent.apiKey}`,
        (type) => {
          if (i === 0 && type === 'message.received') firstGot++;
        },
      ),
    ),
  );
  defer(() => streams.forEach((s) => s.destroy()));
  log(`${streams.length} streams open; settling for ${SETTLE} s, then measuring for ${SECONDS} s`);
  await sleep(SETTLE);
  const idle = await measure(stats, api.pid);

  await call(
    api.port,
    'POST',
    '/messages',
    { recipient_id: agents[0].agentId, message_type: 'bench', payload: {} },
    { authorization: `Bearer ${agents[Math.min(1, agents.length - 1)].apiKey}` },
  );
  const deadline = Date.now() + 5_000;
  while (firstGot === 0 && Date.now() < deadline) await sleep(0.05);
  const alive = firstGot > 0;
  if (!alive) process.exitCode = 1;

  const label = `${STREAMS} idle event streams`;
  const note = alive ? undefined : 'the message sent at the end did not reach its stream';
  reportFigures('events-idle', [
    compared(
      `${label}: database transactions`,
      'tx/s',
      idle.transactionsPerSecond,
      'no stream',
      none.transactionsPerSecond,
      { lowerIsBetter: true, note },
    ),
    { figure: `${label}: scans of the events table`, value: idle.eventScansPerSecond, unit: '/s' },
    compared(
      `${label}: API CPU`,
      'ms/s',
      idle.apiCpuMsPerSecond,
      'no stream',
      none.apiCpuMsPerSecond,
      { lowerIsBetter: true },
    ),
  ]);
  const row = (name: string, p: Phase) => [
    name,
    fmt(p.transactionsPerSecond, 1),
    fmt(p.eventScansPerSecond, 1),
    fmt(p.apiCpuMsPerSecond, 1),
  ];
  const out = [
    `idle event streams — one API process, ${SECONDS} s per phase, node ${process.version}`,
    ...formatTable(
      ['', 'transactions/s', 'events scans/s', 'API CPU ms/s'],
      [row('no stream open', none), row(`${STREAMS} streams open, nothing sent`, idle)],
    ),
    `a message sent at the end ${alive ? 'reached' : 'did NOT reach'} its stream`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
});
