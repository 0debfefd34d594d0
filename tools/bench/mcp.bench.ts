/**
 * What does MCP add to a call? Tool-call latency over MCP next to the same REST operation.
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/bench/mcp.bench.ts [--calls 2000] [--warmup 200]
 *
 * Starts the built API (dist/apps/api/main.js, NODE_ENV=production) on a fresh database
 * (DATABASE_URL's server when set, else an embedded PostgreSQL under tmp/bench-postgres),
 * seeds a user, a project, an agent with an API key and a task through the API, then, one call
 * at a time, alternates each operation over REST (`fetch`, keep-alive) and over MCP (the SDK's
 * own client on one session, Streamable HTTP): a read (`get_task` / `GET /tasks/:id`) and a
 * write (`heartbeat` / `POST /agents/:id/heartbeat`, audited). Prints p50 and p99 per face and
 * their difference. A script for people, not a test: never run in CI.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  benchDatabase,
  call,
  createAgentWithKey,
  fmt,
  formatTable,
  latencySummary,
  log,
  runBench,
  signUp,
  startApi,
} from './harness';

const { values: opts } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '200' },
    'log-level': { type: 'string', default: 'warn' },
  },
});
const CALLS = Number(opts.calls);
const WARMUP = Number(opts.warmup);

interface Operation {
  label: string;
  rest: () => Promise<void>;
  mcp: () => Promise<void>;
}

runBench(async (defer) => {
  const databaseUrl = await benchDatabase(defer, 'mcp');
  const { port } = await startApi(defer, databaseUrl, opts['log-level']);
  const base = `http://127.0.0.1:${port}`;
  const user = await signUp(port);
  const project = await call(port, 'POST', '/projects', { name: 'MCP bench' }, user);
  const projectId = project['id'] as string;
  const { agentId, apiKey } = await createAgentWithKey(port, user, {
    project_id: projectId,
    name: 'bench-agent',
  });
  const agent = { authorization: `Bearer ${apiKey}` };
  const task = await call(
    port,
    'POST',
    '/tasks',
    { project_id: projectId, title: 'read me' },
    user,
  );
  const taskId = task['id'] as string;

  const client = new Client({ name: 'mcp-bench', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers: agent } }),
  );
  defer(() => client.close());
  await client.listTools(); // the client checks each result against the tool's output schema

  const rest = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { ...agent, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
  };
  const tool = async (name: string, args: Record<string, unknown>) => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
  };
  const operations: Operation[] = [
    {
      label: 'read a task',
      rest: () => rest('GET', `/tasks/${taskId}`),
      mcp: () => tool('get_task', { id: taskId }),
    },
    {
      label: 'heartbeat',
      rest: () => rest('POST', `/agents/${agentId}/heartbeat`, { status: 'online' }),
      mcp: () => tool('heartbeat', { status: 'online' }),
    },
  ];

  const rows: string[][] = [];
  for (const operation of operations) {
    log(`${operation.label}: ${WARMUP} warm-up and ${CALLS} measured calls per face`);
    for (let i = 0; i < WARMUP; i++) {
      await operation.rest();
      await operation.mcp();
    }
    const latencies = { rest: [] as number[], mcp: [] as number[] };
    for (let i = 0; i < CALLS; i++) {
      // Alternating, so both faces see the same database and the same warm caches.
      for (const face of i % 2 === 0 ? (['rest', 'mcp'] as const) : (['mcp', 'rest'] as const)) {
        const started = performance.now();
        await operation[face]();
        latencies[face].push(performance.now() - started);
      }
    }
    const r = latencySummary(latencies.rest);
    const m = latencySummary(latencies.mcp);
    rows.push(
      [operation.label, 'REST', fmt(r.p50, 2), fmt(r.p99, 2), ''],
      [operation.label, 'MCP', fmt(m.p50, 2), fmt(m.p99, 2), `+${fmt(m.p50 - r.p50, 2)}`],
    );
  }
  for (const line of formatTable(['operation', 'face', 'p50 ms', 'p99 ms', 'p50 Δ ms'], rows))
    process.stdout.write(`${line}\n`);
});
