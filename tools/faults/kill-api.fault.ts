/**
 * Fault scenario 1: kill -9 of an API process under load.
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/faults/kill-api.fault.ts [--short]
 *
 * Two API processes on a PostgreSQL of the scenario's own. 32 clients, each sending its requests
 * to the two processes in turn: 8 create tasks (one in ten deliberately invalid), 8 agents claim
 * and complete them, 8 agents send messages to 8 others, who receive and acknowledge them.
 * Meanwhile one process is killed with SIGKILL and started again (once in --short, three times
 * otherwise). Then the load stops, the workers and receivers drain what is left, and the history
 * of every request is checked against the database:
 *
 * - every task and message answered 2xx is in the database as answered, with its audit row;
 * - nothing answered 4xx left a row behind; what got no answer (or 5xx) is there once or not at all;
 * - every task ends completed, those whose claim died with the killed process through lease
 *   expiry; no task was completed twice (by the answers, and by its `task.updated` events);
 * - every message sent ends acknowledged, those handed over to a receiver whose answer was lost
 *   by redelivery after their acknowledgement window; none acknowledged twice.
 */
import { randomUUID } from 'node:crypto';
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
  runScenario,
  send,
  SHORT,
  sleep,
} from './harness';

const CLIENTS_PER_ROLE = 8;
const LOAD_SECONDS = SHORT ? 8 : 30;
const KILLS = SHORT ? 1 : 3;
const LEASE_SECONDS = 10;
const ACK_TIMEOUT_SECONDS = 3;
const DRAIN_TIMEOUT_MS = 90_000;
const PRIORITIES = ['low', 'medium', 'high', 'urgent'];

runScenario('kill -9 of an API process under load', async (defer, verdict) => {
  const cluster = await Cluster.start(defer, 'kill-api');
  const env = { DATABASE_URL: cluster.url, JWT_SECRET: jwtSecret() };
  const apis = [
    await ApiProcess.start(defer, 'api-a', env),
    await ApiProcess.start(defer, 'api-b', env),
  ];
  const fleet = await createFleet(apis[0].port, CLIENTS_PER_ROLE * 3);
  const workers = fleet.agents.slice(0, CLIENTS_PER_ROLE);
  const senders = fleet.agents.slice(CLIENTS_PER_ROLE, 2 * CLIENTS_PER_ROLE);
  const receivers = fleet.agents.slice(2 * CLIENTS_PER_ROLE);

  const history = new History();
  let turn = 0;
  /** The next process in turn; a request to a killed one gets no answer (and says so). */
  const call = async (
    op: string,
    method: string,
    path: string,
    options: { body?: unknown; token: string; key?: string },
  ): Promise<HistoryEntry> => {
    const api = apis[turn++ % apis.length];
    const startedAt = performance.now();
    const answer = await send(api.port, method, path, options);
    const entry: HistoryEntry = {
      op,
      process: api.label,
      startedAt,
      answer,
      key: options.key,
      body: options.body,
    };
    history.record(entry);
    if (answer.status === 0) await sleep(50); // refused: do not spin while the process is down
    return entry;
  };

  let creating = true;
  let sending = true;
  let draining = false;
  let markers = 0;
  const marker = (kind: string) =>
    `${kind}-${(markers++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

  const create = async () => {
    const key = marker('task');
    const invalid = Math.random() < 0.1;
    // Invalid: half refused by validation, half by the service after it has read (a dependency
    // on a task that does not exist): neither may leave anything behind.
    const invalidBody =
      markers % 2 === 0 ? { priority: 'whenever' } : { dependencies: [randomUUID()] };
    await call('task.create', 'POST', '/tasks', {
      token: fleet.userToken,
      key,
      body: {
        project_id: fleet.projectId,
        title: key,
        priority: PRIORITIES[markers % PRIORITIES.length],
        max_attempts: 20,
        ...(invalid ? invalidBody : {}),
      },
    });
  };

  const work = async (i: number) => {
    const agent = workers[i];
    const claim = await call('task.claim', 'POST', '/tasks/claim', {
      token: agent.key,
      body: { lease_seconds: LEASE_SECONDS },
    });
    if (claim.answer.status !== 200) {
      if (claim.answer.status === 204) await sleep(draining ? 200 : 20);
      return;
    }
    const task = claim.answer.body as { id: string; version: number };
    await call('task.complete', 'PATCH', `/tasks/${task.id}`, {
      token: agent.key,
      key: task.id,
      body: { status: 'completed', result: { by: agent.id } },
    });
  };

  const sendOne = async (i: number) => {
    const key = marker('msg');
    await call('message.send', 'POST', '/messages', {
      token: senders[i].key,
      key,
      body: {
        recipient_id: receivers[i].id,
        message_type: 'fault.probe',
        payload: { marker: key },
        ack_timeout_seconds: ACK_TIMEOUT_SECONDS,
        max_retries: 50,
      },
    });
  };

  const receive = async (i: number) => {
    const agent = receivers[i];
    const got = await call('message.receive', 'POST', `/agents/${agent.id}/inbox/receive`, {
      token: agent.key,
      body: { limit: 10, wait_seconds: 1 },
    });
    const items = (got.answer.body?.['items'] as { id: string }[] | undefined) ?? [];
    for (const item of items)
      await call('message.ack', 'POST', `/messages/${item.id}/ack`, {
        token: agent.key,
        key: item.id,
      });
  };

  // The load, and the kills in the middle of it.
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let killsDone = 0;
  const faults = (async () => {
    for (let k = 0; k < KILLS; k++) {
      await sleep(((LOAD_SECONDS * (k + 1)) / (KILLS + 1) - elapsed()) * 1000);
      const victim = apis[k % apis.length];
      log(`kill -9 ${victim.label} (pid ${victim.pid}) at ${elapsed().toFixed(1)} s`);
      await victim.kill9();
      killsDone++;
      await victim.startAgain();
      log(`${victim.label} serving again at ${elapsed().toFixed(1)} s`);
    }
  })();
  const stopLoad = () => elapsed() > LOAD_SECONDS;
  // Workers and receivers run through the load and the drain after it.
  let drained = false;
  const consumers = Promise.all([
    loops(CLIENTS_PER_ROLE, () => drained, work),
    loops(CLIENTS_PER_ROLE, () => drained, receive),
  ]);
  await Promise.all([
    loops(CLIENTS_PER_ROLE, () => !creating, create),
    loops(CLIENTS_PER_ROLE, () => !sending, sendOne),
    (async () => {
      while (!stopLoad()) await sleep(100);
      creating = false;
      sending = false;
    })(),
    faults,
  ]);
  log(`load done at ${elapsed().toFixed(1)} s; draining`);
  // Drain: claim and complete, receive and acknowledge, until the database says nothing is left.
  draining = true;
  const drainStarted = performance.now();
  const openWork = async () => {
    const [row] = await cluster.query<{ tasks: string; messages: string }>(
      `SELECT (SELECT count(*) FROM tasks WHERE project_id = $1 AND status <> 'completed') AS tasks,
              (SELECT count(*) FROM agent_messages WHERE project_id = $1 AND status <> 'acknowledged') AS messages`,
      [fleet.projectId],
    );
    return Number(row.tasks) + Number(row.messages);
  };
  while (!drained) {
    await sleep(500);
    if ((await openWork()) === 0 || performance.now() - drainStarted > DRAIN_TIMEOUT_MS)
      drained = true;
  }
  await consumers;
  const drainSeconds = (performance.now() - drainStarted) / 1000;

  verdict.figure('API processes', apis.length);
  verdict.figure('kill -9 injected', killsDone);
  verdict.figure('requests', history.entries.length);
  verdict.figure('answers', history.countByStatus());
  verdict.figure('drain after the load (s)', drainSeconds.toFixed(1));
  await checkTasks(cluster, fleet.projectId, history, verdict);
  await checkMessages(cluster, fleet.projectId, history, verdict);
  // The database never goes away here: a 5xx (503 included) would be a bug or a misread outage.
  verdict.mustBeZero(
    'answers 5xx',
    history.entries.filter((e) => e.answer.status >= 500),
  );
});

async function checkTasks(
  cluster: Cluster,
  projectId: string,
  history: History,
  verdict: import('./harness').Verdict,
): Promise<void> {
  const rows = await cluster.query<{
    id: string;
    title: string;
    priority: string;
    status: string;
    attempts: number;
    audits: string;
    completions: string;
  }>(
    `SELECT t.id, t.title, t.priority, t.status, t.attempts,
            (SELECT count(*) FROM audit_log a WHERE a.resource_id = t.id::text AND a.action = 'task.create') AS audits,
            (SELECT count(*) FROM events e WHERE e.type = 'task.updated' AND e.data->>'id' = t.id::text
                AND e.data->>'status' = 'completed') AS completions
       FROM tasks t WHERE t.project_id = $1`,
    [projectId],
  );
  const byTitle = new Map<string, typeof rows>();
  for (const row of rows) byTitle.set(row.title, [...(byTitle.get(row.title) ?? []), row]);
  const creates = history.of('task.create');
  const acknowledged = creates.filter(History.ok);
  verdict.figure(
    'tasks created (2xx / 4xx / no answer or 5xx)',
    `${acknowledged.length} / ${creates.filter(History.refused).length} / ${creates.filter(History.indeterminate).length}`,
  );
  verdict.mustBeZero(
    'tasks answered 2xx but not in the database as answered',
    acknowledged.filter((e) => {
      const found = byTitle.get(String(e.key)) ?? [];
      const sent = e.body as { priority: string };
      return !(
        found.length === 1 &&
        found[0].id === e.answer.body?.['id'] &&
        found[0].priority === sent.priority
      );
    }),
  );
  verdict.mustBeZero(
    'tasks answered 2xx without their audit row',
    acknowledged.filter((e) =>
      (byTitle.get(String(e.key)) ?? []).some((r) => Number(r.audits) !== 1),
    ),
  );
  verdict.mustBeZero(
    'tasks answered 4xx that left a row',
    creates.filter(History.refused).filter((e) => byTitle.has(String(e.key))),
  );
  verdict.mustBeZero(
    'tasks written more than once',
    [...byTitle.values()].filter((found) => found.length > 1),
  );
  verdict.mustBeZero(
    'tasks not completed after the drain',
    rows.filter((r) => r.status !== 'completed'),
  );
  // Exactly one `task.updated` event to `completed` per task: none twice, none missing.
  verdict.mustBeZero(
    'tasks completed twice or without their event',
    rows.filter((r) => Number(r.completions) !== 1),
  );
  const completes = history.of('task.complete').filter(History.ok);
  const completedBy = new Map<string, number>();
  for (const e of completes)
    completedBy.set(String(e.key), (completedBy.get(String(e.key)) ?? 0) + 1);
  verdict.mustBeZero(
    'tasks completed twice (answers)',
    [...completedBy.entries()].filter(([, n]) => n > 1),
  );
  // A task is handed out again only once its lease has run out: a second claim answered before
  // the first claim's start + lease_seconds would be a double hand-out.
  const claimsOf = new Map<string, HistoryEntry[]>();
  for (const e of history.of('task.claim').filter((c) => c.answer.status === 200)) {
    const id = String(e.answer.body?.['id']);
    claimsOf.set(id, [...(claimsOf.get(id) ?? []), e]);
  }
  verdict.mustBeZero(
    'tasks handed out again within their lease',
    [...claimsOf.entries()].filter(([, claims]) =>
      claims.some(
        (c, i) =>
          i > 0 && c.startedAt + c.answer.ms < claims[i - 1].startedAt + LEASE_SECONDS * 1000,
      ),
    ),
  );
  verdict.figure(
    'tasks claimed again after their claim was cut (lease expiry)',
    rows.filter((r) => r.attempts > 1).length,
  );
}

async function checkMessages(
  cluster: Cluster,
  projectId: string,
  history: History,
  verdict: import('./harness').Verdict,
): Promise<void> {
  const rows = await cluster.query<{
    id: string;
    marker: string;
    status: string;
    retry_count: number;
    audits: string;
  }>(
    `SELECT m.id, m.payload->>'marker' AS marker, m.status, m.retry_count,
            (SELECT count(*) FROM audit_log a WHERE a.resource_id = m.id::text AND a.action = 'message.send') AS audits
       FROM agent_messages m WHERE m.project_id = $1`,
    [projectId],
  );
  const byMarker = new Map<string, typeof rows>();
  for (const row of rows) byMarker.set(row.marker, [...(byMarker.get(row.marker) ?? []), row]);
  const sends = history.of('message.send');
  const acknowledged = sends.filter(History.ok);
  verdict.figure(
    'messages sent (2xx / 4xx / no answer or 5xx)',
    `${acknowledged.length} / ${sends.filter(History.refused).length} / ${sends.filter(History.indeterminate).length}`,
  );
  verdict.mustBeZero(
    'messages answered 2xx but not in the database as answered',
    acknowledged.filter((e) => {
      const found = byMarker.get(String(e.key)) ?? [];
      const answered = (e.answer.body?.['messages'] as { id: string }[] | undefined)?.[0]?.id;
      return !(found.length === 1 && found[0].id === answered);
    }),
  );
  verdict.mustBeZero(
    'messages answered 2xx without their audit row',
    acknowledged.filter((e) =>
      (byMarker.get(String(e.key)) ?? []).some((r) => Number(r.audits) < 1),
    ),
  );
  verdict.mustBeZero(
    'messages written more than once',
    [...byMarker.values()].filter((found) => found.length > 1),
  );
  verdict.mustBeZero(
    'messages not acknowledged after the drain',
    rows.filter((r) => r.status !== 'acknowledged'),
  );
  const acks = new Map<string, number>();
  for (const e of history.of('message.ack').filter(History.ok))
    acks.set(String(e.key), (acks.get(String(e.key)) ?? 0) + 1);
  verdict.mustBeZero(
    'messages acknowledged twice',
    [...acks.entries()].filter(([, n]) => n > 1),
  );
  const received = new Map<string, number>();
  const handedOver = new Map<string, HistoryEntry[]>();
  for (const e of history.of('message.receive').filter(History.ok))
    for (const item of (e.answer.body?.['items'] as { id: string }[]) ?? []) {
      received.set(item.id, (received.get(item.id) ?? 0) + 1);
      handedOver.set(item.id, [...(handedOver.get(item.id) ?? []), e]);
    }
  // Handed over again only after the window of the previous hand-over passed.
  verdict.mustBeZero(
    'messages handed over again within their acknowledgement window',
    [...handedOver.entries()].filter(([, receipts]) =>
      receipts.some(
        (r, i) =>
          i > 0 &&
          r.startedAt + r.answer.ms < receipts[i - 1].startedAt + ACK_TIMEOUT_SECONDS * 1000,
      ),
    ),
  );
  verdict.figure(
    'messages redelivered after a lost hand-over',
    [...received.values()].filter((n) => n > 1).length,
  );
}
