/**
 * The protocol faces next to REST, on one API process and one database: tool calls over MCP
 * against the same operations over plain HTTP, and an A2A send until the agent's task is
 * final against the same round trip over REST and the event stream.
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/bench/protocols.bench.ts [--samples 500] [--warmup 50] [--sends 100] [--send-warmup 10]
 *
 * Starts the built API (dist/apps/api/main.js, NODE_ENV=production) on a fresh database
 * (DATABASE_URL's server when set, else an embedded PostgreSQL under tmp/bench-postgres),
 * signs up a user and makes, through the API, two projects with one agent and API key each.
 * Every comparison runs its sides in turn, one call at a time, the order rotating each round,
 * so all sides see the same machine; CPU per call is summed over the measured rounds: the API
 * process's (from /proc) and this process's (the client's).
 *
 * MCP against REST, as the first project's agent with its own key: the official SDK `Client`
 * over `StreamableHTTPClientTransport`, one initialized session (`tools/list` once, as clients
 * do, so the client checks each result against the tool's output schema), against plain HTTP
 * with keep-alive. `--warmup` + `--samples` rounds each of: MCP `ping` alone (no REST operation
 * behind it), `whoami` · GET /auth/me, `get_task` · GET /tasks/:id, `search_tasks` ·
 * GET /tasks?project_id&status&limit=20, `heartbeat` · POST /agents/:id/heartbeat, and
 * `claim_task` + `update_task` completed · POST /tasks/claim + PATCH /tasks/:id, on tasks
 * seeded with SQL.
 *
 * A2A against REST, as the user, to the second project's agent: a worker loop drives the
 * agent over REST, claiming (on a 204 it waits for its own `GET /events?types=task.created`
 * stream to say a task was made, or 50 ms) and completing with a result (PATCH). Sends, one at
 * a time: an A2A streaming send with the official `@a2a-js/sdk` client (until the `completed`
 * status update arrives), an A2A blocking send (until the final task comes back), and the REST
 * round trip: `POST /tasks` assigned to the agent, then the user's
 * `GET /events?types=task.updated` stream (opened once, before) pushing the task completed. The
 * event stream is the fair baseline: the gateway streams from the same event log, and polling
 * would add its own interval. Same worker, same event machinery: the difference is the A2A
 * face. Each send is also timed to the worker's claim and PATCH answers, so the table shows
 * where the time goes. Then A2A `GetTask` against GET /tasks/:id.
 *
 * What the figures mean (one run, 2-core shared machine, p50): an MCP tool call is the REST
 * operation plus a fixed cost of about 5-6 ms and 3-4 ms of API CPU: the outer HTTP request is
 * authenticated, its session row read, a fresh SDK server and stateless transport built for it
 * (what lets any process serve any session), the operation is dispatched in-process, where it
 * is authenticated again, and the client checks the result against the output schema (1-2 ms
 * of client CPU). `ping` is about that fixed cost alone. So cheap reads cost 2-3× over MCP
 * (whoami 9.4 against 3.0 ms, get_task 12.3 against 6.6 ms), work that does more costs 1.4×
 * (claim → complete 37 against 27 ms). An A2A send to `completed` costs 1.3× the REST round
 * trip (80 against 60 ms), most of it before the task exists (first event at 30 against 19 ms
 * for POST /tasks: each JSON-RPC request first reads the agent in-process, then opens an event
 * subscription and creates the task in-process) and ~3 ms more on the push (10 against 7 ms
 * from the worker's PATCH answer to the client seeing completed). A2A `GetTask` costs 1.9× GET
 * /tasks/:id (11.2 against 5.9 ms): the agent's read, then the task's.
 *
 * Under `npm run bench` it hands the runner the p50 of each MCP tool call, A2A send and GetTask
 * against its REST counterpart's (the ratio there is REST ÷ protocol, so above 1 is better, as
 * everywhere in that table); no aim.
 *
 * A script for people, not a test: never run in CI. Progress goes to stderr, results to
 * stdout (`--json` for the summary as JSON).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client as PgClient } from 'pg';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { GetTaskRequest, SendMessageRequest, TaskState } from '@a2a-js/sdk';
import type { StreamResponse, Task as A2aTask } from '@a2a-js/sdk';
import {
  Client as A2aClient,
  ClientFactory,
  ClientFactoryOptions,
  createAuthenticatingFetchWithRetry,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import {
  benchDatabase,
  call,
  compared,
  createAgentWithKey,
  fmt,
  formatTable,
  log,
  openEventStream,
  percentile,
  processCpuMs,
  reportFigures,
  request,
  runBench,
  signUp,
  startApi,
} from './harness';

const { values: opts } = parseArgs({
  options: {
    samples: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '50' },
    sends: { type: 'string', default: '100' },
    'send-warmup': { type: 'string', default: '10' },
    'log-level': { type: 'string', default: 'warn' },
    json: { type: 'boolean', default: false },
  },
});
const SAMPLES = Number(opts.samples);
const WARMUP = Number(opts.warmup);
const SENDS = Number(opts.sends);
const SEND_WARMUP = Number(opts['send-warmup']);
/** A send whose task is not final after this long fails the run: something is stuck. */
const SEND_TIMEOUT_MS = 15_000;
/** The worker's wait after an empty claim when its stream says nothing. */
const WORKER_IDLE_MS = 50;

interface Stats {
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

function stats(latencies: number[]): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / (sorted.length || NaN);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean };
}

/** CPU time per call (or per send), ms: the API process's, and this process's (the client's). */
interface Cpu {
  api: number | undefined;
  client: number;
}

interface Row {
  operation: string;
  protocol: Stats | undefined;
  rest: Stats | undefined;
  /** Where one call of each side is one row (not the parts of a pair). */
  cpu?: { protocol: Cpu | undefined; rest: Cpu | undefined };
}

const timed = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
};

const withTimeout = <T>(promise: Promise<T>, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`${what}: not final after ${SEND_TIMEOUT_MS} ms`)),
        SEND_TIMEOUT_MS,
      ).unref(),
    ),
  ]);

/** What one side of a comparison measured over its rounds. */
interface Side {
  latencies: Record<string, number[]>;
  cpu: Cpu;
}

/**
 * Runs `warmup` + `samples` rounds of every side in turn (the order rotating each round, so
 * none always goes first) and keeps, by side, the latencies of the measured rounds and the
 * CPU time they cost per round: the API's (from /proc, in 10 ms ticks: summed over hundreds
 * of rounds it is fair) and this process's own.
 */
async function alternate<K extends string>(
  label: string,
  rounds: { warmup: number; samples: number },
  apiPid: number | undefined,
  sides: Record<K, () => Promise<Record<string, number>>>,
): Promise<Record<K, Side>> {
  const names = Object.keys(sides) as K[];
  const kept = {} as Record<
    K,
    { latencies: Record<string, number[]>; api: number; client: number }
  >;
  for (const name of names) kept[name] = { latencies: {}, api: 0, client: 0 };
  const total = rounds.warmup + rounds.samples;
  let apiCpuKnown = processCpuMs(apiPid) !== undefined;
  for (let i = 0; i < total; i++) {
    for (let k = 0; k < names.length; k++) {
      const side = names[(i + k) % names.length];
      const api0 = processCpuMs(apiPid);
      const client0 = process.cpuUsage();
      const latencies = await sides[side]();
      const client = process.cpuUsage(client0);
      const api1 = processCpuMs(apiPid);
      if (api0 === undefined || api1 === undefined) apiCpuKnown = false;
      if (i < rounds.warmup) continue;
      kept[side].api += (api1 ?? 0) - (api0 ?? 0);
      kept[side].client += (client.user + client.system) / 1000;
      for (const [name, ms] of Object.entries(latencies))
        (kept[side].latencies[name] ??= []).push(ms);
    }
    if ((i + 1) % 100 === 0 || i + 1 === total) log(`  ${label}: ${i + 1}/${total}`);
  }
  const result = {} as Record<K, Side>;
  for (const name of names)
    result[name] = {
      latencies: kept[name].latencies,
      cpu: {
        api: apiCpuKnown ? kept[name].api / rounds.samples : undefined,
        client: kept[name].client / rounds.samples,
      },
    };
  return result;
}

// ---------------------------------------------------------------- MCP against REST

interface McpSide {
  client: McpClient;
  close(): Promise<void>;
}

async function connectMcp(port: number, apiKey: string): Promise<McpSide> {
  const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
  });
  const client = new McpClient({ name: 'agenthub-bench', version: '1.0.0' });
  await client.connect(transport);
  // As MCP clients do before calling: it also makes the SDK check every result against the
  // tool's output schema, which is part of what a call costs a client.
  const { tools } = await client.listTools();
  log(`MCP session ${transport.sessionId ?? '?'}: ${tools.length} tools`);
  return {
    client,
    close: async () => {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}

/** A tool's structured result; a tool error fails the run (a bench of errors measures nothing). */
async function tool(
  mcp: McpClient,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const result = (await mcp.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) {
    const text = (result.content[0] as { text?: string } | undefined)?.text;
    throw new Error(`${name} failed: ${text}`);
  }
  return result.structuredContent as Record<string, unknown>;
}

async function compareMcpToRest(
  port: number,
  apiPid: number | undefined,
  worker: { agentId: string; apiKey: string },
  projectId: string,
  taskId: string,
): Promise<Row[]> {
  const mcp = await connectMcp(port, worker.apiKey);
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { authorization: `Bearer ${worker.apiKey}` };
  const rest = async (method: string, path: string, body?: unknown) => {
    const res = await request(keepAlive, port, method, `/api/v1${path}`, { body, headers });
    if (res.status >= 300)
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json ?? {};
  };
  const search = { project_id: projectId, status: 'pending', limit: 20 };
  const searchQuery = `project_id=${projectId}&status=pending&limit=20`;
  const rounds = { warmup: WARMUP, samples: SAMPLES };

  const single = (mcpCall: () => Promise<unknown>, restCall: () => Promise<unknown>) => ({
    mcp: async () => ({ call: (await timed(mcpCall))[0] }),
    rest: async () => ({ call: (await timed(restCall))[0] }),
  });
  const rows: Row[] = [];
  const add = (
    operation: string,
    kept: Record<'mcp' | 'rest', Side>,
    key: string,
    perCall = key === 'call',
  ) =>
    rows.push({
      operation,
      protocol: stats(kept.mcp.latencies[key]),
      rest: stats(kept.rest.latencies[key]),
      cpu: perCall ? { protocol: kept.mcp.cpu, rest: kept.rest.cpu } : undefined,
    });

  log('MCP ping (no REST operation behind it)');
  const pings = await alternate('ping', rounds, apiPid, {
    mcp: async () => ({ call: (await timed(() => mcp.client.ping()))[0] }),
  });
  rows.push({
    operation: 'ping (MCP only: no REST operation)',
    protocol: stats(pings.mcp.latencies['call']),
    rest: undefined,
    cpu: { protocol: pings.mcp.cpu, rest: undefined },
  });

  log('whoami');
  add(
    'whoami · GET /auth/me',
    await alternate(
      'whoami',
      rounds,
      apiPid,
      single(
        () => tool(mcp.client, 'whoami', {}),
        () => rest('GET', '/auth/me'),
      ),
    ),
    'call',
  );

  log('get_task');
  add(
    'get_task · GET /tasks/:id',
    await alternate(
      'get_task',
      rounds,
      apiPid,
      single(
        () => tool(mcp.client, 'get_task', { id: taskId }),
        () => rest('GET', `/tasks/${taskId}`),
      ),
    ),
    'call',
  );

  log('search_tasks');
  add(
    'search_tasks · GET /tasks?… (20 items)',
    await alternate(
      'search_tasks',
      rounds,
      apiPid,
      single(
        () => tool(mcp.client, 'search_tasks', search),
        () => rest('GET', `/tasks?${searchQuery}`),
      ),
    ),
    'call',
  );

  log('heartbeat');
  add(
    'heartbeat · POST /agents/:id/heartbeat',
    await alternate(
      'heartbeat',
      rounds,
      apiPid,
      single(
        () => tool(mcp.client, 'heartbeat', { status: 'online' }),
        () => rest('POST', `/agents/${worker.agentId}/heartbeat`, { status: 'online' }),
      ),
    ),
    'call',
  );

  log('claim → complete');
  const done = { ok: true };
  const claimed = new Set<string>();
  const claimedOnce = (id: unknown): string => {
    if (typeof id !== 'string') throw new Error('a claim came back empty: too few tasks seeded');
    if (claimed.has(id)) throw new Error(`task ${id} claimed twice`);
    claimed.add(id);
    return id;
  };
  const pairs = await alternate('claim → complete', rounds, apiPid, {
    mcp: async () => {
      const [claim, body] = await timed(() => tool(mcp.client, 'claim_task', {}));
      const id = claimedOnce((body['task'] as { id?: string } | null)?.id);
      const [complete] = await timed(() =>
        tool(mcp.client, 'update_task', { id, status: 'completed', result: done }),
      );
      return { claim, complete, pair: claim + complete };
    },
    rest: async () => {
      const [claim, body] = await timed(() => rest('POST', '/tasks/claim', {}));
      const id = claimedOnce(body['id']);
      const [complete] = await timed(() =>
        rest('PATCH', `/tasks/${id}`, { status: 'completed', result: done }),
      );
      return { claim, complete, pair: claim + complete };
    },
  });
  add('claim_task · POST /tasks/claim', pairs, 'claim');
  add('update_task completed · PATCH /tasks/:id', pairs, 'complete');
  add('claim → complete (the pair)', pairs, 'pair', true);

  await mcp.close();
  keepAlive.destroy();
  return rows;
}

// ---------------------------------------------------------------- A2A against REST

/** When the worker's claim of a task was answered, and its PATCH completed (performance.now()). */
interface WorkerTimes {
  claimed: number;
  completed: number;
}

/**
 * The agent at work over REST, until stopped: claim; on a task, complete it with a result;
 * on nothing, wait for its stream to say a task was made (or a short while).
 */
async function startWorker(
  port: number,
  worker: { agentId: string; apiKey: string },
): Promise<{ done(id: string): Promise<WorkerTimes>; stop(): Promise<number> }> {
  const authorization = `Bearer ${worker.apiKey}`;
  let wake: (() => void) | undefined;
  const stream = await openEventStream(
    port,
    '/api/v1/events?types=task.created',
    authorization,
    () => wake?.(),
  );
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let running = true;
  let completed = 0;
  let stopped: Promise<number> | undefined;
  const timeline = new Map<string, WorkerTimes>();
  const awaited = new Map<string, (times: WorkerTimes) => void>();
  const loop = (async () => {
    while (running) {
      const claim = await request(keepAlive, port, 'POST', '/api/v1/tasks/claim', {
        body: {},
        headers: { authorization },
      });
      if (claim.status === 204) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, WORKER_IDLE_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        continue;
      }
      if (claim.status !== 200 || !claim.json) throw new Error(`worker claim: ${claim.status}`);
      const id = claim.json['id'] as string;
      const claimed = performance.now();
      const done = await request(keepAlive, port, 'PATCH', `/api/v1/tasks/${id}`, {
        body: { status: 'completed', result: { text: 'Done.', n: completed } },
        headers: { authorization },
      });
      if (done.status !== 200) throw new Error(`worker complete: ${done.status}`);
      const times = { claimed, completed: performance.now() };
      timeline.set(id, times);
      awaited.get(id)?.(times);
      awaited.delete(id);
      completed++;
    }
  })().catch((error: unknown) => log(`worker stopped: ${String(error)}`));
  return {
    // The push of a task's completion may reach a client before the PATCH's own answer
    // reaches the worker: then this waits for the answer.
    done: (id) =>
      withTimeout(
        new Promise<WorkerTimes>((resolve) => {
          const times = timeline.get(id);
          if (times) resolve(times);
          else awaited.set(id, resolve);
        }),
        `the worker's completion of ${id}`,
      ),
    stop: () =>
      (stopped ??= (async () => {
        running = false;
        wake?.();
        await loop;
        stream.destroy();
        keepAlive.destroy();
        return completed;
      })()),
  };
}

/** The SDK's client for an agent, authenticated the SDK's way (its authenticating fetch). */
function a2aClientFor(port: number, agentId: string, authorization: string): Promise<A2aClient> {
  const fetchImpl = createAuthenticatingFetchWithRetry(fetch, {
    headers: async () => ({ authorization }),
    shouldRetryWithHeaders: async () => undefined,
  });
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
    }),
  );
  return factory.createFromUrl(
    `http://127.0.0.1:${port}/a2a/agents/${agentId}/.well-known/agent-card.json`,
    '',
  );
}

const a2aSend = (text: string, configuration: Record<string, unknown> = {}) =>
  SendMessageRequest.fromJSON({
    message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text }] },
    configuration,
  });

/** The task a stream response is about. */
function taskIdOf(response: StreamResponse): string | undefined {
  const p = response.payload;
  if (p?.$case === 'task') return p.value.id;
  if (p?.$case === 'statusUpdate' || p?.$case === 'artifactUpdate') return p.value.taskId;
  return undefined;
}

/** The state a stream response carries, if any. */
function stateOf(response: StreamResponse): TaskState | undefined {
  const p = response.payload;
  if (p?.$case === 'task') return p.value.status?.state;
  if (p?.$case === 'statusUpdate') return p.value.status?.state;
  return undefined;
}

async function compareA2aToRest(
  port: number,
  apiPid: number | undefined,
  user: Record<string, string>,
  worker: { agentId: string; apiKey: string },
  projectId: string,
): Promise<{ rows: Row[]; completedByWorker: number } | { skipped: string }> {
  let a2a: A2aClient;
  try {
    a2a = await a2aClientFor(port, worker.agentId, user['authorization']);
  } catch (error) {
    return { skipped: `the agent card did not resolve (${String(error).slice(0, 200)})` };
  }

  // The REST side's observer: the user's event stream, opened once; what completed, when.
  const completedAt = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const userStream = await openEventStream(
    port,
    `/api/v1/events?types=task.updated&project_id=${projectId}`,
    user['authorization'],
    (type, event) => {
      const task = event['data'] as { id?: string; status?: string } | undefined;
      if (type !== 'task.updated' || task?.status !== 'completed' || !task.id) return;
      completedAt.set(task.id, performance.now());
      waiting.get(task.id)?.();
    },
  );
  const completion = (id: string) =>
    completedAt.has(id)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiting.set(id, resolve));

  const agentWorker = await startWorker(port, worker);
  const userAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let n = 0;
  let lastTaskId: string | undefined;
  try {
    const kept = await alternate('sends', { warmup: SEND_WARMUP, samples: SENDS }, apiPid, {
      stream: async () => {
        const t0 = performance.now();
        let first: number | undefined;
        let id: string | undefined;
        let final: TaskState | undefined;
        await withTimeout(
          (async () => {
            for await (const response of a2a.sendMessageStream(a2aSend(`Bench request ${n++}`))) {
              first ??= performance.now() - t0;
              id ??= taskIdOf(response);
              if (stateOf(response) === TaskState.TASK_STATE_COMPLETED) {
                final = TaskState.TASK_STATE_COMPLETED;
                break;
              }
            }
          })(),
          'A2A streaming send',
        );
        const seen = performance.now();
        if (final !== TaskState.TASK_STATE_COMPLETED)
          throw new Error('A2A stream ended before the task completed');
        if (!id) throw new Error('A2A stream named no task');
        lastTaskId = id;
        const worked = await agentWorker.done(id);
        return {
          created: first ?? NaN,
          claimed: worked.claimed - t0,
          completed: worked.completed - t0,
          final: seen - t0,
          lag: seen - worked.completed,
        };
      },
      blocking: async () => {
        const t0 = performance.now();
        const task = (await withTimeout(
          a2a.sendMessage(a2aSend(`Bench request ${n++}`)),
          'A2A blocking send',
        )) as A2aTask;
        const seen = performance.now();
        if (task.status?.state !== TaskState.TASK_STATE_COMPLETED)
          throw new Error(`A2A blocking send answered ${TaskState[task.status?.state ?? 0]}`);
        const worked = await agentWorker.done(task.id);
        return {
          claimed: worked.claimed - t0,
          completed: worked.completed - t0,
          final: seen - t0,
          lag: seen - worked.completed,
        };
      },
      rest: async () => {
        const t0 = performance.now();
        const res = await request(userAgent, port, 'POST', '/api/v1/tasks', {
          body: {
            project_id: projectId,
            title: `Bench request ${n++}`,
            assigned_to: worker.agentId,
            assigned_to_type: 'agent',
          },
          headers: user,
        });
        const created = performance.now() - t0;
        if (res.status !== 201) throw new Error(`POST /tasks: ${res.status}`);
        const id = res.json?.['id'] as string;
        await withTimeout(completion(id), 'REST task');
        waiting.delete(id);
        const worked = await agentWorker.done(id);
        const seen = completedAt.get(id) as number;
        return {
          created,
          claimed: worked.claimed - t0,
          completed: worked.completed - t0,
          final: seen - t0,
          lag: seen - worked.completed,
        };
      },
    });
    const row = (
      operation: string,
      side: 'stream' | 'blocking',
      key: string,
      perSend = false,
    ): Row => ({
      operation,
      protocol: stats(kept[side].latencies[key]),
      rest: stats(kept.rest.latencies[key]),
      cpu: perSend ? { protocol: kept[side].cpu, rest: kept.rest.cpu } : undefined,
    });
    const completedByWorker = await agentWorker.stop();

    log(`A2A GetTask: ${WARMUP} warm-up + ${SAMPLES} samples`);
    const taskId = lastTaskId as string;
    const gets = await alternate('GetTask', { warmup: WARMUP, samples: SAMPLES }, apiPid, {
      a2a: async () => {
        const [ms, task] = await timed(() => a2a.getTask(GetTaskRequest.fromJSON({ id: taskId })));
        if (task.id !== taskId) throw new Error(`GetTask answered ${task.id}`);
        return { call: ms };
      },
      rest: async () => {
        const [ms, res] = await timed(() =>
          request(userAgent, port, 'GET', `/api/v1/tasks/${taskId}`, { headers: user }),
        );
        if (res.status !== 200) throw new Error(`GET /tasks/:id: ${res.status}`);
        return { call: ms };
      },
    });
    return {
      rows: [
        {
          operation: 'GetTask · GET /tasks/:id (as the user)',
          protocol: stats(gets.a2a.latencies['call']),
          rest: stats(gets.rest.latencies['call']),
          cpu: { protocol: gets.a2a.cpu, rest: gets.rest.cpu },
        },
        row('streaming send → task created (first event)', 'stream', 'created'),
        row("streaming send → the agent's claim answered", 'stream', 'claimed'),
        row("streaming send → the agent's PATCH answered", 'stream', 'completed'),
        row('streaming send → completed event', 'stream', 'final', true),
        row('  PATCH answered → completed event', 'stream', 'lag'),
        row('blocking send → final task answered', 'blocking', 'final', true),
        row('  PATCH answered → final task answered', 'blocking', 'lag'),
      ],
      completedByWorker,
    };
  } finally {
    await agentWorker.stop().catch(() => undefined);
    userStream.destroy();
    userAgent.destroy();
  }
}

// ---------------------------------------------------------------- the run

const ms = (s: Stats | undefined, key: 'p50' | 'p99' | 'mean') => (s ? fmt(s[key], 2) : '-');
const ratio = (r: Row, key: 'p50' | 'p99' | 'mean') =>
  r.protocol && r.rest ? `${fmt(r.protocol[key] / r.rest[key], 2)}×` : '-';
const cpu = (r: Row, key: keyof Cpu) =>
  r.cpu ? `${fmt(r.cpu.protocol?.[key], 2)} / ${fmt(r.cpu.rest?.[key], 2)}` : '';

function table(title: string, protocol: string, rows: Row[]): string[] {
  return [
    title,
    ...formatTable(
      [
        'latency, ms',
        `${protocol} p50`,
        `${protocol} p99`,
        `${protocol} mean`,
        'REST p50',
        'REST p99',
        'REST mean',
        '÷ p50',
        '÷ p99',
        '÷ mean',
        `API CPU ${protocol}/REST`,
        `client CPU ${protocol}/REST`,
      ],
      rows.map((r) => [
        r.operation,
        ms(r.protocol, 'p50'),
        ms(r.protocol, 'p99'),
        ms(r.protocol, 'mean'),
        ms(r.rest, 'p50'),
        ms(r.rest, 'p99'),
        ms(r.rest, 'mean'),
        ratio(r, 'p50'),
        ratio(r, 'p99'),
        ratio(r, 'mean'),
        cpu(r, 'api'),
        cpu(r, 'client'),
      ]),
    ),
  ];
}

runBench(async (defer) => {
  const url = await benchDatabase(defer, 'protocols');
  const api = await startApi(defer, url, opts['log-level']);
  const user = await signUp(api.port);
  const project = async (name: string) =>
    (await call(api.port, 'POST', '/projects', { name }, user))['id'] as string;
  const mcpProject = await project('Protocols bench: MCP');
  const a2aProject = await project('Protocols bench: A2A');
  const mcpAgent = await createAgentWithKey(api.port, user, {
    project_id: mcpProject,
    name: 'mcp-worker',
  });
  const a2aAgent = await createAgentWithKey(api.port, user, {
    project_id: a2aProject,
    name: 'a2a-worker',
  });

  // Enough pending tasks for every claim of both sides (and the warm-up), made with SQL.
  const pg = new PgClient({ connectionString: url });
  await pg.connect();
  defer(() => pg.end());
  const tasks = 2 * (WARMUP + SAMPLES) + 10;
  const seeded = await pg.query<{ id: string }>(
    `INSERT INTO tasks (id, project_id, title, description, priority)
     SELECT gen_random_uuid(), $1, 'bench task ' || n, 'generated by protocols.bench.ts', 'medium'
     FROM generate_series(1, $2::int) AS n RETURNING id`,
    [mcpProject, tasks],
  );
  await pg.query('ANALYZE tasks');
  log(`${tasks} pending tasks; ${WARMUP} warm-up + ${SAMPLES} samples per operation`);

  const mcpRows = await compareMcpToRest(
    api.port,
    api.pid,
    mcpAgent,
    mcpProject,
    seeded.rows[0].id,
  );
  log(`A2A: ${SEND_WARMUP} warm-up + ${SENDS} sends of each kind`);
  const a2a = await compareA2aToRest(api.port, api.pid, user, a2aAgent, a2aProject);

  const summary = {
    samples: SAMPLES,
    warmup: WARMUP,
    sends: SENDS,
    node: process.version,
    mcp: mcpRows,
    a2a,
  };
  // The headline rows: one whole operation on each side (not the halves of the claim pair).
  const headline = (rows: Row[], protocol: string, names: string[]) =>
    rows
      .filter((r) => names.includes(r.operation))
      .map((r) =>
        compared(`${protocol} p50: ${r.operation}`, 'ms', r.protocol?.p50, 'REST', r.rest?.p50, {
          lowerIsBetter: true,
        }),
      );
  reportFigures('protocols', [
    ...headline(mcpRows, 'MCP', [
      'whoami · GET /auth/me',
      'get_task · GET /tasks/:id',
      'search_tasks · GET /tasks?… (20 items)',
      'heartbeat · POST /agents/:id/heartbeat',
      'claim → complete (the pair)',
    ]),
    ...('skipped' in a2a
      ? [{ figure: 'A2A', value: NaN, unit: 'ms', note: `skipped: ${a2a.skipped}` }]
      : headline(a2a.rows, 'A2A', [
          'GetTask · GET /tasks/:id (as the user)',
          'streaming send → completed event',
          'blocking send → final task answered',
        ])),
  ]);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const out = [
    ...table(
      `MCP tool call vs REST: one agent, sequential, ${SAMPLES} samples each (after ${WARMUP} warm-up), node ${process.version}`,
      'MCP',
      mcpRows,
    ),
    '',
    ...('skipped' in a2a
      ? [`A2A SKIPPED: ${a2a.skipped}`]
      : [
          ...table(
            `A2A send vs REST (POST /tasks, then the /events stream): one worker agent over REST, ${SENDS} sends each (after ${SEND_WARMUP} warm-up)`,
            'A2A',
            a2a.rows,
          ),
          `tasks the worker completed: ${a2a.completedByWorker} (${3 * (SEND_WARMUP + SENDS)} sent)`,
        ]),
    '',
    "CPU columns: ms per call (per send for A2A, the worker's calls included), the API process from /proc and this process (the client).",
  ];
  process.stdout.write(`${out.join('\n')}\n`);
});
