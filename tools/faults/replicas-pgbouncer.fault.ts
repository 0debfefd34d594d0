/**
 * Fault scenario 3: three API replicas behind PgBouncer in transaction mode.
 *
 *   npx nx build api migrator && node -r ./tools/register-ts.js tools/faults/replicas-pgbouncer.fault.ts [--short]
 *
 * A PostgreSQL of the scenario's own, Debian's PgBouncer in front of it (`pool_mode =
 * transaction`), and three API processes whose `DATABASE_URL` goes through PgBouncer while
 * `DATABASE_DIRECT_URL` reaches PostgreSQL (their LISTEN connections). Then:
 *
 * - 10 000 tasks (2 000 with --short) claimed and completed by 48 agents spread over the three
 *   replicas: each is handed to one claimer only and completed exactly once (by the answers, by
 *   the database, and by its `task.updated` events);
 * - an agent key revoked through one replica is refused by all three within one second;
 * - messages sent through one replica reach the recipient's event stream on another, each
 *   exactly once;
 * - the migrator, given DATABASE_URL through PgBouncer and DATABASE_DIRECT_URL (which it then uses
 *   for everything: its lock and DDL need a session), still waits for another migrator's lock (exit 3), and two migrators started together on a new
 *   database apply each migration once.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { MIGRATION_LOCK_KEY } from '@agenthub/migrations';
import {
  ApiProcess,
  Cluster,
  createFleet,
  jwtSecret,
  log,
  loops,
  must,
  queryOnce,
  ResumingStream,
  ROOT,
  runScenario,
  send,
  SHORT,
  sleep,
  startPgBouncer,
  Verdict,
  within,
} from './harness';

const REPLICAS = 3;
const AGENTS = 48;
const TASKS = SHORT ? 2_000 : 10_000;
const MESSAGES = SHORT ? 20 : 100;
const POOL_MAX = 10;

runScenario('three API replicas behind PgBouncer (transaction mode)', async (defer, verdict) => {
  const cluster = await Cluster.start(defer, 'replicas');
  const pooled = await startPgBouncer(defer, cluster, {
    poolSize: 20,
    maxClients: REPLICAS * POOL_MAX + 50,
  });
  const env = {
    DATABASE_URL: pooled,
    DATABASE_DIRECT_URL: cluster.url,
    DB_POOL_MAX: String(POOL_MAX),
    JWT_SECRET: jwtSecret(),
  };
  const apis: ApiProcess[] = [];
  for (let i = 0; i < REPLICAS; i++) apis.push(await ApiProcess.start(defer, `replica-${i}`, env));
  verdict.figure('API replicas (DATABASE_URL through PgBouncer)', apis.length);
  const fleet = await createFleet(apis[0].port, AGENTS + 2);

  await claimEveryTask(cluster, apis, fleet, verdict);
  await revokeAcrossReplicas(apis, fleet, verdict);
  await messageAcrossReplicas(apis, fleet, verdict);
  await migratorLockThroughPooler(cluster, pooled, verdict);
});

async function claimEveryTask(
  cluster: Cluster,
  apis: ApiProcess[],
  fleet: Awaited<ReturnType<typeof createFleet>>,
  verdict: Verdict,
): Promise<void> {
  await cluster.query(
    `INSERT INTO tasks (id, project_id, title, priority)
     SELECT gen_random_uuid(), $1, 'fault task ' || n, (ARRAY['low', 'medium', 'high', 'urgent'])[1 + n % 4]
       FROM generate_series(1, $2::int) AS n`,
    [fleet.projectId, TASKS],
  );
  const claims = new Map<string, string[]>();
  const completions = new Map<string, number>();
  const failures: unknown[] = [];
  const done = new Set<number>();
  const started = performance.now();
  await loops(
    AGENTS,
    () => done.size === AGENTS,
    async (worker) => {
      if (done.has(worker)) {
        await sleep(100);
        return;
      }
      const agent = fleet.agents[worker];
      const api = apis[worker % apis.length];
      const claim = await send(api.port, 'POST', '/tasks/claim', {
        token: agent.key,
        body: { lease_seconds: 300 },
      });
      if (claim.status === 204) {
        done.add(worker);
        return;
      }
      if (claim.status !== 200) {
        failures.push({ op: 'claim', replica: api.label, status: claim.status, body: claim.body });
        await sleep(50);
        return;
      }
      const id = String(claim.body?.['id']);
      claims.set(id, [...(claims.get(id) ?? []), agent.id]);
      const complete = await send(api.port, 'PATCH', `/tasks/${id}`, {
        token: agent.key,
        body: { status: 'completed' },
      });
      if (complete.status === 200) completions.set(id, (completions.get(id) ?? 0) + 1);
      else
        failures.push({
          op: 'complete',
          replica: api.label,
          status: complete.status,
          body: complete.body,
        });
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const [row] = await cluster.query<{
    completed: string;
    other: string;
    events: string;
    twice: string;
  }>(
    `SELECT count(*) FILTER (WHERE status = 'completed') AS completed,
            count(*) FILTER (WHERE status <> 'completed') AS other,
            (SELECT count(*) FROM events e WHERE e.type = 'task.updated' AND e.project_id = $1
                AND e.data->>'status' = 'completed') AS events,
            (SELECT count(*) FROM (SELECT e.data->>'id' FROM events e WHERE e.type = 'task.updated'
                AND e.project_id = $1 AND e.data->>'status' = 'completed'
                GROUP BY 1 HAVING count(*) > 1) d) AS twice
       FROM tasks WHERE project_id = $1`,
    [fleet.projectId],
  );
  verdict.figure(
    'tasks claimed and completed',
    `${completions.size} of ${TASKS} in ${seconds.toFixed(1)} s (${Math.round(completions.size / seconds)}/s)`,
  );
  verdict.mustBeZero('claims or completions refused', failures);
  verdict.mustBeZero(
    'tasks handed to two claimers',
    [...claims.entries()].filter(([, by]) => by.length > 1),
  );
  verdict.mustBeZero(
    'tasks completed twice (answers)',
    [...completions.entries()].filter(([, n]) => n > 1),
  );
  verdict.check(Number(row.completed) === TASKS, 'not every task completed', JSON.stringify(row));
  verdict.check(Number(row.other) === 0, 'tasks left unfinished', row.other);
  verdict.check(Number(row.events) === TASKS, 'completion events ≠ tasks', row.events);
  verdict.check(Number(row.twice) === 0, 'tasks with two completion events', row.twice);
}

async function revokeAcrossReplicas(
  apis: ApiProcess[],
  fleet: Awaited<ReturnType<typeof createFleet>>,
  verdict: Verdict,
): Promise<void> {
  const agent = fleet.agents[AGENTS];
  // Every replica has the key in its access cache before the revocation.
  for (const api of apis) await must(api.port, 'GET', '/auth/me', { token: agent.key });
  const refusedAt: (number | undefined)[] = apis.map(() => undefined);
  const acceptedAfter: unknown[] = [];
  // When the revocation was answered (set once, read by the probes).
  const revocation: { at?: number } = {};
  let probing = true;
  const probes = Promise.all(
    apis.map(async (api, i) => {
      while (probing) {
        const asked = performance.now();
        const answer = await send(api.port, 'GET', '/auth/me', { token: agent.key });
        if (answer.status === 401) refusedAt[i] ??= performance.now();
        // Accepted a second after the revocation, or again after a refusal: both anomalies.
        else if (
          revocation.at !== undefined &&
          (asked > revocation.at + 1000 || refusedAt[i] !== undefined)
        )
          acceptedAfter.push({
            replica: api.label,
            status: answer.status,
            msAfter: asked - revocation.at,
          });
        await sleep(10);
      }
    }),
  );
  await sleep(200);
  await must(apis[0].port, 'DELETE', `/agents/${agent.id}/api-keys/${agent.keyId}`, {
    token: fleet.userToken,
  });
  revocation.at = performance.now();
  // Probe on for 3 s: a replica must refuse within the second and keep refusing.
  await sleep(3_000);
  probing = false;
  await probes;
  const worst = Math.max(
    ...refusedAt.map((t) => (t === undefined ? Infinity : t - (revocation.at ?? 0))),
  );
  verdict.figure('key revoked on one replica: refused by all three after (ms)', Math.round(worst));
  verdict.check(
    worst <= 1000,
    'a replica accepted a revoked key for more than a second',
    String(worst),
  );
  verdict.mustBeZero('revoked key accepted more than a second after the revocation', acceptedAfter);
}

async function messageAcrossReplicas(
  apis: ApiProcess[],
  fleet: Awaited<ReturnType<typeof createFleet>>,
  verdict: Verdict,
): Promise<void> {
  const sender = fleet.agents[0];
  const recipient = fleet.agents[AGENTS + 1];
  const stream = new ResumingStream(() => apis[2].port, recipient.key, '?types=message.received');
  await stream.open();
  const sent: string[] = [];
  const sentAt = new Map<string, number>();
  for (let i = 0; i < MESSAGES; i++) {
    const body = await must(apis[0].port, 'POST', '/messages', {
      token: sender.key,
      body: { recipient_id: recipient.id, message_type: 'fault.probe', payload: { n: i } },
    });
    const id = (body['messages'] as { id: string }[])[0].id;
    sent.push(id);
    sentAt.set(id, performance.now());
  }
  const received = () => stream.events.map((e) => String((e.data['data'] as { id?: string }).id));
  await within(10_000, () => new Set(received()).size >= sent.length, 20);
  await sleep(2_000); // anything delivered twice would come now
  stream.close();
  const counts = new Map<string, number>();
  for (const id of received()) counts.set(id, (counts.get(id) ?? 0) + 1);
  verdict.figure(
    'messages sent on replica-0, streamed on replica-2',
    `${counts.size} of ${sent.length}`,
  );
  verdict.mustBeZero(
    'messages that never reached the stream',
    sent.filter((id) => !counts.has(id)),
  );
  verdict.mustBeZero(
    'messages streamed twice',
    [...counts.entries()].filter(([, n]) => n > 1),
  );
}

async function migratorLockThroughPooler(
  cluster: Cluster,
  pooled: string,
  verdict: Verdict,
): Promise<void> {
  const bundle = join(ROOT, 'dist/apps/migrator/main.js');
  if (!existsSync(bundle))
    throw new Error('dist/apps/migrator/main.js is missing: npx nx build migrator');
  const run = promisify(execFile);
  const migrator = async (args: string[], database: string) => {
    try {
      await run(process.execPath, [bundle, ...args], {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: pooled.replace(/\/agenthub$/, `/${database}`),
          DATABASE_DIRECT_URL: cluster.databaseUrl(database),
          AGENTHUB_DATA_DIR: join(cluster.dir, '..', `migrator-${database}`),
        },
      });
      return 0;
    } catch (error) {
      return Number((error as { code?: number }).code ?? -1);
    }
  };

  // Another migrator holds the lock (on its own session, as migrators do): this one waits, then
  // gives up with exit 3.
  const holder = new Client({ connectionString: cluster.url });
  await holder.connect();
  await holder.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK_KEY]);
  await cluster.query(`CREATE DATABASE locktest`);
  const whileHeld = await migrator(['up', '--lock-timeout', '2'], 'agenthub');
  await holder.end();
  verdict.figure('migrator while another holds the lock: exit code', whileHeld);
  verdict.check(
    whileHeld === 3,
    'the migrator did not wait for the lock held by another (exit 3)',
    String(whileHeld),
  );

  // Two migrators at once on a new database: each migration applied once.
  const [a, b] = await Promise.all([
    migrator(['up', '--lock-timeout', '120'], 'locktest'),
    migrator(['up', '--lock-timeout', '120'], 'locktest'),
  ]);
  const rows = await queryOnce<{ name: string; n: string }>(
    cluster.databaseUrl('locktest'),
    `SELECT name, count(*) AS n FROM mikro_orm_migrations GROUP BY name`,
  );
  verdict.figure('two migrators at once: exit codes', `${a}, ${b}`);
  verdict.check(
    a === 0 && b === 0,
    'a migrator started together with another failed',
    `${a}, ${b}`,
  );
  verdict.check(rows.length > 0, 'no migration applied on the new database');
  verdict.mustBeZero(
    'migrations applied twice',
    rows.filter((r) => Number(r.n) > 1),
  );
  log('migrator checks done');
}
