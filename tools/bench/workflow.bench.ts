/**
 * A workflow run end to end: start a fan-out/fan-in execution and run it to completion with
 * N agents over HTTP, next to plain tasks with the same dependency graph, in one run.
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/bench/workflow.bench.ts [--steps 1000] [--agents 16] [--backoff-ms 5] [--warmup 50] [--timeout 300]
 *
 * Starts the built API (dist/apps/api/main.js, NODE_ENV=production, WORKFLOW_MAX_STEPS raised
 * to --steps) on a fresh database (DATABASE_URL's server when set, else an embedded PostgreSQL
 * under tmp/bench-postgres), seeds a user, a project and --agents agents with API keys (through
 * the API). The graph: one root, --steps − 2 steps that each depend on the root, one sink that
 * depends on all of them.
 *
 * - Workflow: `POST /workflows` with that definition (active), then one
 *   `POST /workflows/:id/executions` (timed: the start).
 * - Plain tasks: the same graph made with `POST /tasks` (timed: the creation, --steps
 *   requests): the root, then the middle ones with `dependencies: [root]` (--agents requests at
 *   a time), then the sink with `dependencies: [every middle one]`.
 *
 * Each is then run by the --agents agents, each looping `POST /tasks/claim` (a 204 — nothing
 * claimable yet — backs off --backoff-ms) → `PATCH /tasks/:id {status: completed, result}`,
 * until every step is completed. Prints, for both: the time to create/start, the run time,
 * steps/s, p50/p99 of claims and completions, and the workflow's overhead per step
 * ((workflow run − plain run) / steps). Checks: every step claimed exactly once, none before a
 * parent's completion was sent, the execution ends `completed`, and the sink's `inputs` hold
 * the results of its --steps − 2 parents plus `context`; a failed check sets exit code 1.
 * Before measuring, one unmeasured round of each with --warmup steps (0: none) warms the API up.
 * Under `npm run bench` it hands the runner the run time per step against plain tasks', the
 * overhead per step, the start against the creation, and whether every check passed.
 * A script for people, not a test: never run in CI.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { Client } from 'pg';
import {
  benchDatabase,
  call,
  compared,
  createAgentWithKey,
  formatTable,
  latencySummary,
  log,
  processCpuMs,
  reportFigures,
  request,
  Response,
  runBench,
  signUp,
  startApi,
} from './harness';

const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '1000' },
    agents: { type: 'string', default: '16' },
    'backoff-ms': { type: 'string', default: '5' },
    warmup: { type: 'string', default: '50' },
    timeout: { type: 'string', default: '300' },
    'log-level': { type: 'string', default: 'warn' },
    json: { type: 'boolean', default: false },
  },
});
const STEPS = Number(opts.steps);
const AGENTS = Number(opts.agents);
const BACKOFF_MS = Number(opts['backoff-ms']);
const WARMUP = Number(opts.warmup);
const TIMEOUT_S = Number(opts.timeout);
/** The plain sink lists every middle task in `dependencies` (the tasks lib's TASK_LIMITS). */
const MAX_TASK_DEPENDENCIES = 1_000;

if (!(STEPS >= 3 && STEPS <= MAX_TASK_DEPENDENCIES + 2)) {
  log(
    `--steps must be between 3 and ${MAX_TASK_DEPENDENCIES + 2} (the plain sink depends on --steps − 2 tasks)`,
  );
  process.exit(2);
}
if (WARMUP !== 0 && !(WARMUP >= 3 && WARMUP <= STEPS)) {
  log('--warmup must be 0 or between 3 and --steps');
  process.exit(2);
}

/** The graph by step key: root → middle (N − 2, side by side) → sink. */
function fanOutFanIn(steps: number): { root: string; middle: string[]; sink: string } {
  const width = String(steps - 2).length;
  return {
    root: 'root',
    middle: Array.from(
      { length: steps - 2 },
      (_, i) => `step_${String(i + 1).padStart(width, '0')}`,
    ),
    sink: 'sink',
  };
}

/** What the agents saw of one task. */
interface Claimed {
  /** The step key (workflow) or the title (plain tasks). */
  step: string;
  /** When the claim's response arrived. */
  claimedAt: number;
  /** When the completion was sent. */
  completeSentAt?: number;
  inputs: Record<string, unknown> | null;
  result: Record<string, unknown>;
}

interface Run {
  seconds: number;
  claimed: Map<string, Claimed>;
  duplicates: number;
  completed: number;
  /** Claims answered 204 (nothing claimable yet). */
  empty: number;
  errors: number;
  claimLatencies: number[];
  completeLatencies: number[];
  /** The slowest single requests, for the report. */
  slowest: { what: string; ms: number }[];
  timedOut: boolean;
  /** API process CPU during the run, ms. */
  apiCpuMs: number | undefined;
}

/**
 * The agents, each one claim → complete at a time, until `total` tasks are completed (or the
 * timeout). The run's time ends at the last completion's response, not when the last agent
 * wakes from its back-off.
 */
async function runAgents(
  port: number,
  pid: number | undefined,
  keys: string[],
  total: number,
  label: string,
): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: keys.length + 4 });
  const run: Run = {
    seconds: 0,
    claimed: new Map(),
    duplicates: 0,
    completed: 0,
    empty: 0,
    errors: 0,
    claimLatencies: [],
    completeLatencies: [],
    slowest: [],
    timedOut: false,
    apiCpuMs: undefined,
  };
  const failed: Response = { status: 0, json: undefined };
  const noteError = (what: string, res: Response) => {
    if (run.errors++ < 5)
      log(`${label}: ${what} answered ${res.status} ${JSON.stringify(res.json)}`);
  };
  const noteSlow = (what: string, ms: number) => {
    run.slowest.push({ what, ms });
    run.slowest.sort((a, b) => b.ms - a.ms).splice(5);
  };
  const cpuBefore = processCpuMs(pid);
  const started = performance.now();
  const deadline = started + TIMEOUT_S * 1000;
  let finished = started;
  const progress = setInterval(() => log(`${label}: ${run.completed}/${total} completed`), 5_000);
  await Promise.all(
    keys.map(async (key) => {
      const headers = { authorization: `Bearer ${key}` };
      while (run.completed < total) {
        if (performance.now() > deadline) {
          run.timedOut = true;
          return;
        }
        const t0 = performance.now();
        const claim = await request(agent, port, 'POST', '/api/v1/tasks/claim', {
          body: {},
          headers,
        }).catch(() => failed);
        const t1 = performance.now();
        if (claim.status === 204) {
          run.empty++;
          await sleep(BACKOFF_MS);
          continue;
        }
        if (claim.status !== 200 || !claim.json) {
          noteError('POST /tasks/claim', claim);
          await sleep(BACKOFF_MS);
          continue;
        }
        const task = claim.json;
        const id = task['id'] as string;
        const step = (task['step_key'] as string | null) ?? (task['title'] as string);
        run.claimLatencies.push(t1 - t0);
        noteSlow(`claim of ${step}`, t1 - t0);
        if (run.claimed.has(id)) run.duplicates++;
        const result = { step, done_by: key.slice(-6) };
        const claimed: Claimed = {
          step,
          claimedAt: t1,
          inputs: (task['inputs'] as Record<string, unknown> | null) ?? null,
          result,
        };
        run.claimed.set(id, claimed);
        claimed.completeSentAt = performance.now();
        const done = await request(agent, port, 'PATCH', `/api/v1/tasks/${id}`, {
          body: { status: 'completed', result },
          headers,
        }).catch(() => failed);
        const t2 = performance.now();
        if (done.status !== 200) {
          noteError(`PATCH /tasks/${id}`, done);
          continue;
        }
        run.completeLatencies.push(t2 - claimed.completeSentAt);
        noteSlow(`completion of ${step}`, t2 - claimed.completeSentAt);
        run.completed++;
        finished = Math.max(finished, t2);
      }
    }),
  );
  clearInterval(progress);
  agent.destroy();
  const cpuAfter = processCpuMs(pid);
  run.seconds = (finished - started) / 1000;
  run.apiCpuMs =
    cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  return run;
}

/** A step claimed before the completion of one of its parents was even sent. */
function orderViolations(
  run: Run,
  graph: ReturnType<typeof fanOutFanIn>,
  stepOf: (c: Claimed) => string,
): number {
  const byStep = new Map([...run.claimed.values()].map((c) => [stepOf(c), c]));
  const root = byStep.get(graph.root);
  let violations = 0;
  const before = (child: Claimed | undefined, parent: Claimed | undefined) =>
    child && parent && child.claimedAt < (parent.completeSentAt ?? Infinity);
  for (const key of graph.middle) if (before(byStep.get(key), root)) violations++;
  const sink = byStep.get(graph.sink);
  if (graph.middle.some((key) => before(sink, byStep.get(key)))) violations++;
  return violations;
}

interface Phase {
  label: string;
  /** Create (plain tasks) or start (workflow): ms, and how many requests it took. */
  createMs: number;
  createRequests: number;
  run: Run;
  checks: { name: string; ok: boolean; detail: string }[];
}

/** The workflow: define it, start one execution (timed), run it to completion. */
async function workflowPhase(
  port: number,
  pid: number | undefined,
  user: Record<string, string>,
  project: string,
  keys: string[],
  steps: number,
  name: string,
): Promise<Phase & { defineMs: number }> {
  const graph = fanOutFanIn(steps);
  const definition = {
    steps: [
      { key: graph.root, title: graph.root },
      ...graph.middle.map((key) => ({ key, title: key, depends_on: [graph.root] })),
      { key: graph.sink, title: graph.sink, depends_on: graph.middle },
    ],
  };
  const d0 = performance.now();
  const workflow = await call(
    port,
    'POST',
    '/workflows',
    { project_id: project, name, definition, status: 'active' },
    user,
  );
  const defineMs = performance.now() - d0;
  const context = { bench: name, steps };
  const s0 = performance.now();
  const execution = await call(
    port,
    'POST',
    `/workflows/${String(workflow['id'])}/executions`,
    { context_data: context },
    user,
  );
  const createMs = performance.now() - s0;
  const executionId = execution['id'] as string;
  const stepTasks = new Map(
    (execution['steps'] as { key: string; task_id: string }[]).map((s) => [s.task_id, s.key]),
  );
  log(`${name}: execution ${executionId} started in ${createMs.toFixed(0)} ms; running`);

  const run = await runAgents(port, pid, keys, steps, name);

  // The last completion ends the execution in its own transaction; a moment's grace anyway.
  let final = await call(port, 'GET', `/workflow-executions/${executionId}`, undefined, user);
  for (let i = 0; i < 50 && final['status'] === 'running' && !run.timedOut; i++) {
    await sleep(100);
    final = await call(port, 'GET', `/workflow-executions/${executionId}`, undefined, user);
  }
  const foreign = [...run.claimed.keys()].filter((id) => !stepTasks.has(id)).length;
  const wrongKey = [...run.claimed].filter(([id, c]) => stepTasks.get(id) !== c.step).length;
  const sink = [...run.claimed.values()].find((c) => c.step === graph.sink);
  const resultOf = new Map([...run.claimed.values()].map((c) => [c.step, c.result]));
  const sinkInputs = sink?.inputs ?? {};
  const expectedKeys = [...graph.middle, 'context'].sort();
  const badMiddleInputs = [...run.claimed.values()].filter(
    (c) =>
      graph.middle.includes(c.step) &&
      !isDeepStrictEqual(c.inputs, { [graph.root]: resultOf.get(graph.root), context }),
  ).length;
  const resultData = (final['result_data'] as Record<string, unknown> | null) ?? {};
  const finalSteps = (final['steps'] as { status: string }[] | undefined) ?? [];
  const violations = orderViolations(run, graph, (c) => c.step);
  const checks = [
    {
      name: 'every step claimed exactly once',
      ok: run.claimed.size === steps && run.duplicates === 0 && foreign === 0 && wrongKey === 0,
      detail: `${run.claimed.size}/${steps} claimed, ${run.duplicates} duplicates, ${foreign} not of the execution, ${wrongKey} with another step_key`,
    },
    {
      name: 'no step before its parents',
      ok: violations === 0,
      detail: `${violations} claimed before a parent's completion was sent`,
    },
    {
      name: 'execution completed',
      ok:
        final['status'] === 'completed' &&
        Object.keys(resultData).length === steps &&
        finalSteps.every((s) => s.status === 'completed'),
      detail: `status ${String(final['status'])}, result_data for ${Object.keys(resultData).length} steps, ${finalSteps.filter((s) => s.status === 'completed').length}/${finalSteps.length} steps completed`,
    },
    {
      name: "sink's inputs",
      ok:
        !!sink &&
        isDeepStrictEqual(Object.keys(sinkInputs).sort(), expectedKeys) &&
        isDeepStrictEqual(sinkInputs['context'], context) &&
        graph.middle.every((key) => isDeepStrictEqual(sinkInputs[key], resultOf.get(key))),
      detail: sink
        ? `${Object.keys(sinkInputs).filter((k) => k !== 'context').length} parent keys (of ${graph.middle.length}) + ${'context' in sinkInputs ? 'context' : 'no context'}, ${graph.middle.filter((key) => !isDeepStrictEqual(sinkInputs[key], resultOf.get(key))).length} results not as completed`
        : 'the sink was never claimed',
    },
    {
      name: "middle steps' inputs",
      ok: badMiddleInputs === 0,
      detail: `${badMiddleInputs} of ${graph.middle.length} without exactly {root, context}`,
    },
  ];
  return { label: 'workflow execution', createMs, createRequests: 1, run, checks, defineMs };
}

/** Plain tasks: the same graph through `POST /tasks` (timed), then run to completion. */
async function plainPhase(
  port: number,
  pid: number | undefined,
  user: Record<string, string>,
  project: string,
  keys: string[],
  steps: number,
  name: string,
): Promise<Phase & { createLatencies: number[] }> {
  const graph = fanOutFanIn(steps);
  const agent = new http.Agent({ keepAlive: true, maxSockets: keys.length + 4 });
  const createLatencies: number[] = [];
  const create = async (title: string, dependencies?: string[]) => {
    const t0 = performance.now();
    const res = await request(agent, port, 'POST', '/api/v1/tasks', {
      body: {
        project_id: project,
        title: `${name} ${title}`,
        ...(dependencies && { dependencies }),
      },
      headers: user,
    });
    createLatencies.push(performance.now() - t0);
    if (res.status !== 201)
      throw new Error(`POST /tasks: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json?.['id'] as string;
  };
  const c0 = performance.now();
  const root = await create(graph.root);
  const middle: string[] = new Array<string>(graph.middle.length);
  let next = 0;
  await Promise.all(
    keys.map(async () => {
      for (let i = next++; i < graph.middle.length; i = next++)
        middle[i] = await create(graph.middle[i], [root]);
    }),
  );
  const sinkId = await create(graph.sink, middle);
  const createMs = performance.now() - c0;
  agent.destroy();
  const ids = new Set([root, ...middle, sinkId]);
  log(`${name}: ${steps} tasks created in ${createMs.toFixed(0)} ms; running`);

  const run = await runAgents(port, pid, keys, steps, name);

  const stepOf = (c: Claimed) => c.step.slice(name.length + 1);
  const foreign = [...run.claimed.keys()].filter((id) => !ids.has(id)).length;
  const violations = orderViolations(run, graph, stepOf);
  const checks = [
    {
      name: 'every task claimed exactly once',
      ok: run.claimed.size === steps && run.duplicates === 0 && foreign === 0,
      detail: `${run.claimed.size}/${steps} claimed, ${run.duplicates} duplicates, ${foreign} not of this graph`,
    },
    {
      name: 'no task before its dependencies',
      ok: violations === 0,
      detail: `${violations} claimed before a dependency's completion was sent`,
    },
  ];
  return { label: 'plain tasks', createMs, createRequests: steps, run, checks, createLatencies };
}

runBench(async (defer) => {
  const url = await benchDatabase(defer, 'workflow');
  const api = await startApi(defer, url, opts['log-level'], {
    WORKFLOW_MAX_STEPS: String(STEPS),
  });

  const user = await signUp(api.port);
  const project = (await call(api.port, 'POST', '/projects', { name: 'Workflow bench' }, user))[
    'id'
  ] as string;
  const keys: string[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const { apiKey } = await createAgentWithKey(api.port, user, {
      project_id: project,
      name: `worker-${i}`,
    });
    keys.push(apiKey);
  }

  // One phase at a time on the same project: the agents only ever see the phase's tasks.
  const runWorkflow = (steps: number, name: string) =>
    workflowPhase(api.port, api.pid, user, project, keys, steps, name);
  const runPlain = (steps: number, name: string) =>
    plainPhase(api.port, api.pid, user, project, keys, steps, name);
  if (WARMUP > 0) {
    log(`warm-up: ${WARMUP} steps of each, not measured`);
    const warm = [
      await runWorkflow(WARMUP, 'warmup-workflow'),
      await runPlain(WARMUP, 'warmup-plain'),
    ];
    for (const c of warm.flatMap((p) => p.checks.filter((c) => !c.ok)))
      log(`warm-up check failed: ${c.name}: ${c.detail}`);
  }
  const wf = await runWorkflow(STEPS, 'workflow');
  const plain = await runPlain(STEPS, 'plain');

  const client = new Client({ connectionString: url });
  await client.connect();
  defer(() => client.end());
  const db = (
    await client.query<{ kind: string; completed: string; reclaimed: string }>(
      `SELECT CASE WHEN workflow_execution_id IS NULL THEN 'plain' ELSE 'workflow' END AS kind,
              count(*) FILTER (WHERE status = 'completed') AS completed,
              count(*) FILTER (WHERE attempts > 1) AS reclaimed
       FROM tasks WHERE id = ANY($1::uuid[]) GROUP BY 1`,
      [[...wf.run.claimed.keys(), ...plain.run.claimed.keys()]],
    )
  ).rows;

  const rows = [wf, plain].map((p) => ({
    label: p.label,
    createMs: p.createMs,
    createRequests: p.createRequests,
    runMs: p.run.seconds * 1000,
    stepsPerSecond: p.run.completed / p.run.seconds,
    completed: p.run.completed,
    claim: latencySummary(p.run.claimLatencies),
    complete: latencySummary(p.run.completeLatencies),
    emptyClaims: p.run.empty,
    errors: p.run.errors,
    apiCpuMsPerStep: p.run.apiCpuMs === undefined ? undefined : p.run.apiCpuMs / p.run.completed,
    slowest: p.run.slowest,
    timedOut: p.run.timedOut,
  }));
  const [w, t] = rows;
  const checks = [...wf.checks, ...plain.checks];
  const summary = {
    steps: STEPS,
    agents: AGENTS,
    backoffMs: BACKOFF_MS,
    warmup: WARMUP,
    logLevel: opts['log-level'],
    node: process.version,
    defineWorkflowMs: wf.defineMs,
    plainCreate: latencySummary(plain.createLatencies),
    results: rows,
    overheadPerStepMs: (w.runMs - t.runMs) / STEPS,
    runRatio: w.runMs / t.runMs,
    overheadPerStepWithCreateMs: (w.createMs + w.runMs - (t.createMs + t.runMs)) / STEPS,
    apiCpuOverheadPerStepMs:
      w.apiCpuMsPerStep !== undefined && t.apiCpuMsPerStep !== undefined
        ? w.apiCpuMsPerStep - t.apiCpuMsPerStep
        : undefined,
    checks,
    database: Object.fromEntries(
      db.map((r) => [r.kind, { completed: Number(r.completed), reclaimed: Number(r.reclaimed) }]),
    ),
  };
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
  const failedChecks = checks.filter((c) => !c.ok).map((c) => c.name);
  const plainLabel = `plain tasks, same graph`;
  reportFigures('workflow', [
    compared(
      `workflow run per step, ${STEPS} steps, ${AGENTS} agents`,
      'ms',
      w.runMs / STEPS,
      plainLabel,
      t.runMs / STEPS,
      { lowerIsBetter: true },
    ),
    {
      figure: 'workflow overhead per step (workflow − plain run)',
      value: summary.overheadPerStepMs,
      unit: 'ms',
    },
    compared('workflow start (1 request)', 'ms', w.createMs, `${STEPS} × POST /tasks`, t.createMs, {
      lowerIsBetter: true,
    }),
    {
      figure: 'checks failed',
      value: failedChecks.length,
      unit: 'count',
      target: '= 0',
      met: failedChecks.length === 0,
      ...(failedChecks.length > 0 && { note: failedChecks.join('; ') }),
    },
  ]);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const ms = (n: number | undefined, digits = 1) =>
    n === undefined || Number.isNaN(n) ? '-' : `${n.toFixed(digits)} ms`;
  const out = [
    `fan-out/fan-in, ${STEPS} steps (1 → ${STEPS - 2} → 1) — ${AGENTS} agents over HTTP, back-off ${BACKOFF_MS} ms, warm-up ${WARMUP}, LOG_LEVEL=${opts['log-level']}, node ${process.version}`,
    ...formatTable(
      [
        '',
        'create/start',
        'requests',
        'run',
        'steps/s',
        'p50 claim',
        'p99 claim',
        'p50 complete',
        'p99 complete',
        '204s',
        'errors',
        'API CPU/step',
      ],
      rows.map((r) => [
        r.label,
        ms(r.createMs, 0),
        String(r.createRequests),
        ms(r.runMs, 0),
        r.stepsPerSecond.toFixed(0),
        ms(r.claim.p50, 2),
        ms(r.claim.p99, 2),
        ms(r.complete.p50, 2),
        ms(r.complete.p99, 2),
        String(r.emptyClaims),
        String(r.errors),
        ms(r.apiCpuMsPerStep, 2),
      ]),
    ),
    `overhead per step, workflow − plain: ${ms(summary.overheadPerStepMs, 2)} of run time (workflow run ÷ plain run: ${summary.runRatio.toFixed(2)}×); ${ms(summary.overheadPerStepWithCreateMs, 2)} counting create/start; API CPU ${ms(summary.apiCpuOverheadPerStepMs, 2)} (PostgreSQL not counted)`,
    `workflow definition (POST /workflows, ${STEPS} steps): ${ms(wf.defineMs, 0)}; plain POST /tasks p50 ${ms(summary.plainCreate.p50, 2)}, p99 ${ms(summary.plainCreate.p99, 2)}`,
    ...rows.map(
      (r) =>
        `slowest requests, ${r.label}: ${r.slowest.map((s) => `${s.what} ${ms(s.ms, 0)}`).join(', ')}`,
    ),
    ...checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
    `database after the run: ${db.map((r) => `${r.kind} ${r.completed} completed, ${r.reclaimed} claimed more than once`).join('; ')}`,
    ...(rows.some((r) => r.timedOut)
      ? [`(a run hit --timeout ${TIMEOUT_S} s before finishing)`]
      : []),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
});
