/**
 * Fault scenario 2: PostgreSQL restarted under load, once with a fast shutdown and once with an
 * immediate one (a crash: the server recovers from its WAL when it starts).
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/faults/restart-postgres.fault.ts [--short]
 *
 * Two API processes on a PostgreSQL of the scenario's own; 8 clients create tasks and read an
 * agent, through both processes; a manager's event stream (resuming with Last-Event-ID, as
 * EventSource does) watches the project. Each restart keeps the server down for a while, and:
 *
 * - while it is down, every request is answered 503 problem+json with Retry-After within 5 s (no
 *   request hangs, none is left without an answer), `/health/ready` is 503, `/health/live` 200;
 * - within 5 s of the server being back, both processes answer 2xx again, without a restart,
 *   and their LISTEN connections are back by themselves;
 * - every task answered 2xx is in the database (also after the crash), and the event stream saw
 *   the `task.created` event of every task in the database exactly once, none of others.
 */
import { performance } from 'node:perf_hooks';
import {
  ApiProcess,
  Cluster,
  createFleet,
  History,
  HistoryEntry,
  jwtSecret,
  log,
  loops,
  ResumingStream,
  runScenario,
  send,
  SHORT,
  sleep,
  within,
} from './harness';

const CLIENTS = 8;
const DOWN_MS = SHORT ? 3_000 : 8_000;
const BEFORE_MS = SHORT ? 2_000 : 5_000;
const ANSWER_WITHIN_MS = 5_000;
const BACK_WITHIN_MS = 5_000;

runScenario('PostgreSQL restarted under load', async (defer, verdict) => {
  const cluster = await Cluster.start(defer, 'restart-postgres');
  const env = { DATABASE_URL: cluster.url, JWT_SECRET: jwtSecret(), DB_ACQUIRE_TIMEOUT: '2s' };
  const apis = [
    await ApiProcess.start(defer, 'api-a', env),
    await ApiProcess.start(defer, 'api-b', env),
  ];
  const fleet = await createFleet(apis[0].port, 1);
  const agent = fleet.agents[0];
  const stream = new ResumingStream(
    () => apis[1].port,
    fleet.userToken,
    `?project_id=${fleet.projectId}&types=task.created`,
  );
  await stream.open();
  defer(() => stream.close());

  const history = new History();
  let turn = 0;
  let markers = 0;
  let stopping = false;
  const step = async () => {
    const api = apis[turn++ % apis.length];
    const startedAt = performance.now();
    const create = turn % 2 === 0;
    const key = `task-${(markers++).toString(36)}`;
    const answer = create
      ? await send(api.port, 'POST', '/tasks', {
          token: fleet.userToken,
          body: { project_id: fleet.projectId, title: key },
          timeoutMs: 20_000,
        })
      : await send(api.port, 'GET', `/agents/${agent.id}`, { token: agent.key, timeoutMs: 20_000 });
    const entry: HistoryEntry = {
      op: create ? 'task.create' : 'agent.get',
      process: api.label,
      startedAt,
      answer,
      key,
    };
    history.record(entry);
    if (answer.status === 503) await sleep(Number(answer.retryAfter ?? 1) * 100);
  };
  const load = loops(CLIENTS, () => stopping, step);

  const outages: { mode: string; from: number; to: number }[] = [];
  for (const mode of ['fast', 'immediate'] as const) {
    await sleep(BEFORE_MS);
    log(`pg_ctl stop -m ${mode}`);
    cluster.stop(mode);
    const from = performance.now();
    const probes = await probeWhileDown(apis, DOWN_MS);
    verdict.mustBeZero(`${mode}: /health/ready not 503 while down`, probes.ready);
    verdict.mustBeZero(`${mode}: /health/live not 200 while down`, probes.live);
    const to = performance.now();
    cluster.startAgain();
    const back = performance.now();
    outages.push({ mode, from, to });
    log(`PostgreSQL back after ${((back - from) / 1000).toFixed(1)} s`);
    // Every process answers 2xx again by itself, and listens again.
    const answering = await Promise.all(
      apis.map((api) =>
        within(BACK_WITHIN_MS + 5_000, async () => {
          const answer = await send(api.port, 'GET', `/agents/${agent.id}`, { token: agent.key });
          return answer.status === 200;
        }),
      ),
    );
    const worst = Math.max(...answering.map((ms) => ms ?? Infinity));
    verdict.figure(`${mode}: every process answering again after (ms)`, Math.round(worst));
    verdict.check(
      worst <= BACK_WITHIN_MS,
      `${mode}: a process did not answer within 5 s`,
      String(worst),
    );
    // Counted from the server being back, not from the check above.
    const listeningAfter = await within(BACK_WITHIN_MS + 5_000, async () => {
      const [row] = await cluster.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'agenthub-listen'`,
      );
      return Number(row.n) >= apis.length;
    });
    const listening = listeningAfter === undefined ? undefined : performance.now() - back;
    verdict.figure(
      `${mode}: LISTEN connections back after (ms)`,
      Math.round(listening ?? Infinity),
    );
    verdict.check(
      listening !== undefined && listening <= BACK_WITHIN_MS,
      `${mode}: the LISTEN connections did not come back within 5 s`,
    );
  }
  await sleep(BEFORE_MS);
  stopping = true;
  await load;
  for (const api of apis)
    if (/ERROR|error/.test(api.recentStderr)) log(`${api.label} stderr:\n${api.recentStderr}`);

  // While down: what was asked after the stop and answered before the start.
  const duringOutage = history.entries.filter((e) =>
    outages.some((o) => e.startedAt >= o.from && e.startedAt + e.answer.ms <= o.to),
  );
  verdict.figure('PostgreSQL restarts (fast, immediate)', outages.length);
  verdict.figure('requests', history.entries.length);
  verdict.figure('answers', history.countByStatus());
  verdict.figure('requests asked and answered while PostgreSQL was down', duringOutage.length);
  verdict.check(duringOutage.length > 0, 'no request was asked while PostgreSQL was down');
  verdict.mustBeZero(
    'answers while down that were not 503 problem+json with Retry-After',
    duringOutage.filter(
      (e) =>
        e.answer.status !== 503 ||
        !e.answer.contentType?.startsWith('application/problem+json') ||
        e.answer.body?.['code'] !== 'SERVICE.UNAVAILABLE' ||
        !e.answer.retryAfter,
    ),
  );
  verdict.mustBeZero(
    'requests answered after more than 5 s, or not at all',
    history.entries.filter((e) => e.answer.status === 0 || e.answer.ms > ANSWER_WITHIN_MS),
  );
  const slowest = Math.max(...history.entries.map((e) => e.answer.ms));
  verdict.figure('slowest answer (ms)', Math.round(slowest));
  verdict.mustBeZero(
    'answers other than 2xx and 503',
    history.entries.filter((e) => !History.ok(e) && e.answer.status !== 503),
  );

  // Durability, and the stream's replay.
  const rows = await cluster.query<{ id: string; title: string }>(
    `SELECT id, title FROM tasks WHERE project_id = $1`,
    [fleet.projectId],
  );
  const byTitle = new Map(rows.map((r) => [r.title, r.id]));
  const created = history.of('task.create');
  verdict.figure(
    'tasks created (2xx / 503 or no answer)',
    `${created.filter(History.ok).length} / ${created.filter(History.indeterminate).length}`,
  );
  verdict.mustBeZero(
    'tasks answered 2xx missing after the restarts',
    created.filter(History.ok).filter((e) => byTitle.get(String(e.key)) !== e.answer.body?.['id']),
  );
  const ids = new Set(rows.map((r) => r.id));
  const seen = await (async () => {
    // The stream catches up with what committed last.
    await within(10_000, () => stream.events.length >= rows.length, 100);
    await sleep(500);
    return stream.events.map((e) => String((e.data['data'] as { id?: string } | undefined)?.id));
  })();
  const counts = new Map<string, number>();
  for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
  verdict.figure('event stream: connections (1 + reconnects)', stream.connects);
  verdict.figure('event stream: task.created events received', seen.length);
  verdict.mustBeZero(
    'tasks in the database whose event the stream missed',
    [...ids].filter((id) => !counts.has(id)),
  );
  verdict.mustBeZero(
    'events the stream received twice',
    [...counts.entries()].filter(([, n]) => n > 1),
  );
  verdict.mustBeZero(
    'events of tasks that are not in the database',
    [...counts.keys()].filter((id) => !ids.has(id)),
  );
});

/** Probes both processes' health endpoints for `ms` while the database is down. */
async function probeWhileDown(
  apis: ApiProcess[],
  ms: number,
): Promise<{ ready: unknown[]; live: unknown[] }> {
  const ready: unknown[] = [];
  const live: unknown[] = [];
  const until = performance.now() + ms;
  // The first probes may still find a pooled connection being torn down: give it a moment.
  await sleep(300);
  while (performance.now() < until) {
    for (const api of apis) {
      const r = await send(api.port, 'GET', '/health/ready', { timeoutMs: 6_000 });
      if (r.status !== 503) ready.push({ process: api.label, status: r.status, ms: r.ms });
      const l = await send(api.port, 'GET', '/health/live', { timeoutMs: 6_000 });
      if (l.status !== 200) live.push({ process: api.label, status: l.status });
    }
    await sleep(250);
  }
  return { ready, live };
}
