/**
 * Fault scenario 5: clients that misbehave.
 *
 *   npx nx build api && node -r ./tools/register-ts.js tools/faults/misbehaving-clients.fault.ts [--short]
 *
 * One built API process on a PostgreSQL of the scenario's own, a user, a project and two agents
 * with a key each. A well-behaved probe (`GET /api/v1/agents/:id` with the second agent's key, one
 * at a time) runs the whole time; after a quiet baseline the misbehaving clients come, one after
 * the other:
 *
 * 1. slow-loris: 1 000 connections (--short: 200) that send part of a request line and headers,
 *    then one byte every 2 s (the full run adds 100 that send whole headers and trickle a body):
 *    each must be answered 408 and closed by the server within its timeout (10 s for headers,
 *    30 s for the whole request) plus 3 s;
 * 2. a 100 MB body, streamed as fast as the server takes it, once announced by Content-Length and
 *    once chunked: 413 problem+json, the connection closed, not 100 MB read;
 * 3. 10 000 event streams (--short: 1 000) from one agent key, 200 requests at a time, each held
 *    open when it opens: exactly EVENT_STREAMS_PER_PRINCIPAL (16) open, every other one 429
 *    `EVENT.TOO_MANY_STREAMS` with Retry-After; once they are closed, 16 open again;
 * 4. 2 000 failed logins (--short: 300), each for another email, 64 at once: each 401 (its
 *    password was checked) or 429 `AUTH.TOO_MANY_ATTEMPTS` (too many checks in progress).
 *
 * Figures per phase: the misbehaving requests and how they were answered, the probe's p50/p99
 * and errors, the API's peak RSS (VmRSS sampled every 100 ms; VmHWM overall) and CPU. Anomalies
 * (must be 0): a probe request that fails or takes over 2 s, any 5xx, an answer other than the
 * expected refusal, a slow connection the server did not close in time, a stream beyond the
 * limit, peak RSS over 512 MB, the API dying. Everything stays on 127.0.0.1.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fmt, latencySummary, processCpuMs } from '../bench/harness';
import {
  ApiProcess,
  Cluster,
  createFleet,
  jwtSecret,
  log,
  must,
  runScenario,
  send,
  SHORT,
  sleep,
  Verdict,
  within,
} from './harness';

const SLOW_HEADERS = SHORT ? 200 : 1_000;
const SLOW_BODIES = SHORT ? 0 : 100;
const STREAM_ATTEMPTS = SHORT ? 1_000 : 10_000;
/**
 * Stream requests in flight at once (fewer when the open-files limit is low). Each refusal is
 * cheap (~0.5 ms of the API's CPU), but the probe queues behind every request in flight: at 500
 * its p99 came near 1.5 s, a request flood that belongs to a proxy's rate limit, not this test.
 */
const STREAM_CONCURRENCY = 200;
const LOGINS = SHORT ? 300 : 2_000;
const LOGIN_CONCURRENCY = 64;
const QUIET_MS = SHORT ? 3_000 : 10_000;

/** What main.ts sets: Node's headersTimeout and requestTimeout. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Node checks the timeouts every second; the rest is for a loaded machine. */
const CLOSE_SLACK_MS = 3_000;
const TRICKLE_EVERY_MS = 2_000;
const STREAM_LIMIT = 16;
const BIG_BODY_BYTES = 100 * 1024 * 1024;
const PROBE_MAX_MS = 2_000;
const PEAK_RSS_BOUND_MB = 512;

interface ProbeSample {
  phase: string;
  ms: number;
  status: number;
  error?: string;
}

interface PhaseFigures {
  name: string;
  startedAt: number;
  endedAt?: number;
  /** Requests (or connections) the misbehaving client made. */
  requests: number;
  /** Of them, answered with the refusal the defense gives (408, 413, 429). */
  refused: number;
  peakRssMb: number;
  cpuMs?: number;
}

runScenario('clients that misbehave', async (defer, verdict) => {
  const nofile = openFilesLimit();
  verdict.figure('open files (ulimit -n, soft/hard)', `${nofile.soft}/${nofile.hard}`);
  // The client holds the slow connections, or the stream requests in flight, and the API the same.
  const streamConcurrency = Math.max(
    STREAM_LIMIT + 10,
    Math.min(STREAM_CONCURRENCY, nofile.soft - SLOW_HEADERS - SLOW_BODIES - 256),
  );
  if (nofile.soft < SLOW_HEADERS + SLOW_BODIES + STREAM_CONCURRENCY + 256)
    log(`ulimit -n ${nofile.soft} is low: ${streamConcurrency} stream requests at once`);

  const cluster = await Cluster.start(defer, 'misbehaving-clients');
  const api = await ApiProcess.start(defer, 'api', {
    DATABASE_URL: cluster.url,
    JWT_SECRET: jwtSecret(),
    EVENT_STREAMS_PER_PRINCIPAL: String(STREAM_LIMIT),
  });
  const port = api.port;
  const fleet = await createFleet(port, 2);
  const [greedy, probeAgent] = fleet.agents;
  const realUser = { email: `real-${Date.now()}@faults.test`, password: 'real-password-123' };
  await must(port, 'POST', '/auth/register', { body: { ...realUser, name: 'Real' } });

  // The API's memory, every 100 ms.
  const phases: PhaseFigures[] = [];
  let current: PhaseFigures | undefined;
  const sampler = setInterval(() => {
    const memory = api.memoryMb();
    if (memory && current) current.peakRssMb = Math.max(current.peakRssMb, memory.rss);
  }, 100);
  defer(() => clearInterval(sampler));

  // The well-behaved client, the whole time.
  const probes: ProbeSample[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const answer = await send(port, 'GET', `/agents/${probeAgent.id}`, {
        token: probeAgent.key,
        timeoutMs: 10_000,
      });
      probes.push({
        phase: current?.name ?? '-',
        ms: answer.ms,
        status: answer.status,
        error: answer.error,
      });
      await sleep(10);
    }
  })();

  const unexpected: { phase: string; what: string }[] = [];
  const fiveHundreds: { phase: string; what: string }[] = [];
  /** An answer other than the expected: a 5xx counts twice (also as a 5xx). */
  const strange = (what: string, status: number) => {
    const entry = { phase: current?.name ?? '-', what: `${what}: ${status}` };
    unexpected.push(entry);
    if (status >= 500) fiveHundreds.push(entry);
  };

  async function phase(name: string, run: (p: PhaseFigures) => Promise<void>): Promise<void> {
    const figures: PhaseFigures = {
      name,
      startedAt: performance.now(),
      requests: 0,
      refused: 0,
      peakRssMb: api.memoryMb()?.rss ?? 0,
    };
    phases.push(figures);
    current = figures;
    const cpuBefore = processCpuMs(api.pid);
    log(`phase: ${name}`);
    await run(figures);
    const cpuAfter = processCpuMs(api.pid);
    figures.cpuMs =
      cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
    figures.endedAt = performance.now();
    current = undefined;
    verdict.check(api.running, `the API is running after "${name}"`);
  }

  await phase('quiet', async () => void (await sleep(QUIET_MS)));
  await phase('slow-loris', (p) => slowLoris(port, p, verdict));
  await phase('100 MB body', (p) => bigBodies(port, p, verdict, strange));
  await phase('event streams', (p) =>
    streamFlood(port, greedy.key, streamConcurrency, p, verdict, strange),
  );
  await phase('login flood', (p) => loginFlood(port, realUser, p, verdict, strange));
  await phase('after', async () => void (await sleep(Math.min(QUIET_MS, 3_000))));
  probing = false;
  await probe;

  // The figures, phase by phase.
  const quiet = latencySummary(probes.filter((s) => s.phase === 'quiet').map((s) => s.ms));
  for (const p of phases) {
    const samples = probes.filter((s) => s.phase === p.name);
    const { p50, p99 } = latencySummary(samples.map((s) => s.ms));
    const errors = samples.filter((s) => s.status !== 200).length;
    const seconds = ((p.endedAt ?? p.startedAt) - p.startedAt) / 1000;
    verdict.figure(
      `${p.name}: misbehaving requests / expected refusals`,
      p.name === 'quiet' || p.name === 'after' ? '-' : `${p.requests} / ${p.refused}`,
    );
    verdict.figure(
      `${p.name}: probe n / p50 / p99 ms / errors`,
      `${samples.length} / ${fmt(p50, 1)} / ${fmt(p99, 1)} / ${errors}` +
        (p.name === 'quiet' ? '' : ` (quiet p99 ${fmt(quiet.p99, 1)})`),
    );
    verdict.figure(
      `${p.name}: API peak RSS MB / CPU s / phase s`,
      `${fmt(p.peakRssMb)} / ${fmt(p.cpuMs === undefined ? undefined : p.cpuMs / 1000, 1)} / ${fmt(seconds, 1)}`,
    );
  }
  const memory = api.memoryMb();
  verdict.figure('API peak RSS overall (VmHWM, MB)', fmt(memory?.peak));
  const injected = phases.reduce((n, p) => n + p.requests, 0);
  verdict.figure('requests (probe + misbehaving)', probes.length + injected);
  verdict.figure(
    'faults injected (misbehaving connections and requests)',
    `${injected}, ${phases.reduce((n, p) => n + p.refused, 0)} refused as expected`,
  );

  verdict.mustBeZero(
    `probe requests that failed or took over ${PROBE_MAX_MS} ms`,
    probes
      .filter((s) => s.status !== 200 || s.ms > PROBE_MAX_MS)
      .map((s) => `${s.phase}: ${s.status} ${Math.round(s.ms)} ms ${s.error ?? ''}`),
  );
  verdict.mustBeZero('5xx answers', fiveHundreds);
  verdict.mustBeZero('answers other than the expected refusal', unexpected);
  verdict.check(
    memory !== undefined && memory.peak <= PEAK_RSS_BOUND_MB,
    `API peak RSS within ${PEAK_RSS_BOUND_MB} MB`,
    `${fmt(memory?.peak)} MB`,
  );
  verdict.check(api.running, 'the API is running at the end', api.recentStderr.slice(-1000));
});

/** The soft and hard limits on open files of this process (the API inherits them). */
function openFilesLimit(): { soft: number; hard: number } {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line ?? '')
      .split(/\s{2,}/)
      .slice(1, 3)
      .map(Number);
    return { soft: soft || 1024, hard: hard || soft || 1024 };
  } catch {
    return { soft: 1024, hard: 1024 };
  }
}

// ---------------------------------------------------------------------------------------------
// Raw connections

interface RawConnection {
  socket: Socket;
  openedAt: number;
  closedAt?: number;
  received: string;
  connectError?: string;
}

function rawConnection(port: number): Promise<RawConnection> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const conn: RawConnection = { socket, openedAt: performance.now(), received: '' };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      if (conn.received.length < 4096) conn.received += chunk;
    });
    socket.on('close', () => (conn.closedAt = performance.now()));
    socket.on('error', (error) => {
      // EPIPE / ECONNRESET once the server has closed; before connecting, a failure.
      if (socket.connecting) conn.connectError = error.message;
    });
    socket.once('connect', () => {
      conn.openedAt = performance.now();
      resolve(conn);
    });
    socket.once('close', () => resolve(conn));
  });
}

const statusOf = (received: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);

// ---------------------------------------------------------------------------------------------
// 1. Slow-loris

async function slowLoris(port: number, p: PhaseFigures, verdict: Verdict): Promise<void> {
  const slow: { conn: RawConnection; kind: 'headers' | 'body' }[] = [];
  const kinds = [
    ...Array<'headers'>(SLOW_HEADERS).fill('headers'),
    ...Array<'body'>(SLOW_BODIES).fill('body'),
  ];
  // Opened 100 at a time (a burst of a thousand SYNs would overflow any accept queue).
  for (let i = 0; i < kinds.length; i += 100) {
    const batch = kinds.slice(i, i + 100);
    const conns = await Promise.all(batch.map(() => rawConnection(port)));
    conns.forEach((conn, j) => {
      const kind = batch[j];
      slow.push({ conn, kind });
      if (conn.connectError) return;
      conn.socket.write(
        kind === 'headers'
          ? 'GET /api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-Loris: '
          : 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
              'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"email":"',
      );
    });
    await sleep(20);
  }
  p.requests = slow.length;
  // One byte every TRICKLE_EVERY_MS on each connection still open.
  const trickle = setInterval(() => {
    for (const { conn } of slow) if (conn.closedAt === undefined) conn.socket.write('a');
  }, TRICKLE_EVERY_MS);
  const bound = (SLOW_BODIES > 0 ? REQUEST_TIMEOUT_MS : HEADERS_TIMEOUT_MS) + CLOSE_SLACK_MS;
  await within(bound + 2_000, () => slow.every(({ conn }) => conn.closedAt !== undefined), 200);
  clearInterval(trickle);

  const lateOrOpen: string[] = [];
  const without408: string[] = [];
  const connectErrors: string[] = [];
  const closedAfter: Record<'headers' | 'body', number[]> = { headers: [], body: [] };
  for (const { conn, kind } of slow) {
    if (conn.connectError) {
      connectErrors.push(conn.connectError);
      continue;
    }
    const limit = (kind === 'headers' ? HEADERS_TIMEOUT_MS : REQUEST_TIMEOUT_MS) + CLOSE_SLACK_MS;
    if (conn.closedAt === undefined) {
      lateOrOpen.push(`${kind}: still open`);
      conn.socket.destroy();
      continue;
    }
    const after = conn.closedAt - conn.openedAt;
    closedAfter[kind].push(after);
    if (after > limit) lateOrOpen.push(`${kind}: closed after ${Math.round(after)} ms`);
    const status = statusOf(conn.received);
    if (status === 408 && conn.received.includes('"code":"REQUEST.TIMEOUT"')) p.refused++;
    else without408.push(`${kind}: ${status || 'no answer'}`);
  }
  for (const kind of ['headers', 'body'] as const) {
    if (closedAfter[kind].length === 0) continue;
    const { p50, p99 } = latencySummary(closedAfter[kind]);
    verdict.figure(
      `slow-loris: trickling ${kind} closed by the server after p50 / p99 s`,
      `${fmt(p50 / 1000, 1)} / ${fmt(p99 / 1000, 1)}`,
    );
  }
  verdict.mustBeZero('slow connections that could not connect', connectErrors);
  verdict.mustBeZero('slow connections not closed within their timeout + 3 s', lateOrOpen);
  verdict.mustBeZero('slow connections closed without a 408 problem+json', without408);
}

// ---------------------------------------------------------------------------------------------
// 2. A 100 MB body

async function bigBodies(
  port: number,
  p: PhaseFigures,
  verdict: Verdict,
  strange: (what: string, status: number) => void,
): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  for (const chunked of [false, true]) {
    const label = chunked ? 'chunked' : 'Content-Length';
    const conn = await rawConnection(port);
    p.requests++;
    if (conn.connectError) {
      strange(`100 MB body (${label}): could not connect`, 0);
      continue;
    }
    const started = performance.now();
    const { socket } = conn;
    socket.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        (chunked
          ? 'Transfer-Encoding: chunked\r\n\r\n'
          : `Content-Length: ${BIG_BODY_BYTES}\r\n\r\n`),
    );
    const frame = chunked
      ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
      : chunk;
    let written = 0;
    // As fast as the server takes it, until it closes (or all 100 MB are out).
    while (conn.closedAt === undefined && written < BIG_BODY_BYTES) {
      written += chunk.length;
      if (!socket.write(frame))
        await new Promise<void>((resolve) => {
          socket.once('drain', resolve);
          socket.once('close', resolve);
        });
    }
    if (chunked && conn.closedAt === undefined) socket.end('0\r\n\r\n');
    await within(10_000, () => conn.closedAt !== undefined, 20);
    const closed = conn.closedAt !== undefined;
    if (!closed) socket.destroy();
    const status = statusOf(conn.received);
    verdict.figure(
      `100 MB body (${label}): answer / MB the client got to send / closed after ms`,
      `${status || 'none'} / ${fmt(written / 1024 / 1024, 1)} / ${closed ? fmt((conn.closedAt as number) - started) : 'not closed'}`,
    );
    const ok =
      status === 413 &&
      conn.received.includes('application/problem+json') &&
      conn.received.includes('"code":"REQUEST.TOO_LARGE"');
    if (ok) p.refused++;
    else strange(`100 MB body (${label})`, status);
    verdict.check(closed, `100 MB body (${label}): the server closed the connection`);
    verdict.check(
      written < BIG_BODY_BYTES / 4,
      `100 MB body (${label}): the server stopped reading`,
      `${fmt(written / 1024 / 1024)} MB went in`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Event streams from one key

interface StreamAttempt {
  status: number;
  req?: http.ClientRequest;
  code?: string;
  retryAfter?: string;
  error?: string;
}

function attemptStream(port: number, key: string): Promise<StreamAttempt> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (attempt: StreamAttempt) => {
      if (settled) return;
      settled = true;
      resolve(attempt);
    };
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/events',
        agent: false,
        headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
        timeout: 15_000,
      },
      (res) => {
        if (res.statusCode === 200) {
          // Held open (read and dropped) until the phase closes it.
          res.on('data', () => undefined);
          res.on('error', () => undefined);
          done({ status: 200, req });
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('error', (error) => done({ status: 0, error: error.message }));
        res.on('end', () => {
          let code: string | undefined;
          try {
            code = String((JSON.parse(text) as { code?: unknown }).code);
          } catch {
            code = undefined;
          }
          const retryAfter = res.headers['retry-after'];
          done({ status: res.statusCode ?? 0, code, retryAfter });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => done({ status: 0, error: error.message }));
  });
}

async function streamFlood(
  port: number,
  key: string,
  concurrency: number,
  p: PhaseFigures,
  verdict: Verdict,
  strange: (what: string, status: number) => void,
): Promise<void> {
  const held: http.ClientRequest[] = [];
  let next = 0;
  const tooMany = (a: StreamAttempt) =>
    a.status === 429 && a.code === 'EVENT.TOO_MANY_STREAMS' && Number(a.retryAfter) >= 1;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, STREAM_ATTEMPTS) }, async () => {
      while (next < STREAM_ATTEMPTS) {
        next++;
        const attempt = await attemptStream(port, key);
        p.requests++;
        if (attempt.status === 200 && attempt.req) held.push(attempt.req);
        else if (tooMany(attempt)) p.refused++;
        else strange(`stream ${attempt.code ?? attempt.error ?? ''}`, attempt.status);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  verdict.figure(
    'event streams: attempts / in flight at once / attempts per s',
    `${p.requests} / ${Math.min(concurrency, STREAM_ATTEMPTS)} / ${fmt(p.requests / seconds)}`,
  );
  verdict.figure('event streams: opened (limit)', `${held.length} (${STREAM_LIMIT})`);
  verdict.check(
    held.length <= STREAM_LIMIT,
    'no stream beyond the limit opened',
    `${held.length} opened`,
  );
  verdict.check(
    held.length === STREAM_LIMIT,
    'exactly the limit opened',
    `${held.length} of ${STREAM_LIMIT}`,
  );

  // Closing them frees their slots: the limit opens again (and one more is refused).
  const closedAt = performance.now();
  for (const req of held.splice(0)) req.destroy();
  const again: http.ClientRequest[] = [];
  const freedAfter = await within(
    5_000,
    async () => {
      while (again.length < STREAM_LIMIT) {
        const attempt = await attemptStream(port, key);
        p.requests++;
        if (attempt.status === 200 && attempt.req) again.push(attempt.req);
        else if (tooMany(attempt)) {
          p.refused++;
          return false;
        } else {
          strange('stream after closing', attempt.status);
          return false;
        }
      }
      return true;
    },
    100,
  );
  const beyond = await attemptStream(port, key);
  p.requests++;
  if (tooMany(beyond)) p.refused++;
  else {
    if (beyond.req) beyond.req.destroy();
    strange('the stream beyond the limit, after closing', beyond.status);
  }
  for (const req of again) req.destroy();
  verdict.figure(
    'event streams: every slot free again after ms',
    freedAfter === undefined ? 'not within 5 s' : fmt(performance.now() - closedAt),
  );
  verdict.check(freedAfter !== undefined, 'closed streams free their slots');
}

// ---------------------------------------------------------------------------------------------
// 4. Failed logins from many emails

async function loginFlood(
  port: number,
  realUser: { email: string; password: string },
  p: PhaseFigures,
  verdict: Verdict,
  strange: (what: string, status: number) => void,
): Promise<void> {
  const tag = Date.now().toString(36);
  let next = 0;
  let checked = 0;
  const started = performance.now();
  let floodOver = false;
  const flood = Promise.all(
    Array.from({ length: LOGIN_CONCURRENCY }, async () => {
      while (next < LOGINS) {
        const n = next++;
        const answer = await send(port, 'POST', '/auth/login', {
          body: { email: `flood-${tag}-${n}@flood.test`, password: 'not-the-password' },
          timeoutMs: 15_000,
        });
        p.requests++;
        if (answer.status === 401 && answer.body?.['code'] === 'AUTH.INVALID_CREDENTIALS')
          checked++;
        else if (
          answer.status === 429 &&
          answer.body?.['code'] === 'AUTH.TOO_MANY_ATTEMPTS' &&
          Number(answer.retryAfter) >= 1
        )
          p.refused++;
        else strange(`login ${String(answer.body?.['code'] ?? answer.error ?? '')}`, answer.status);
      }
    }),
  ).finally(() => (floodOver = true));

  // A real user logging in meanwhile, as a client does: again after Retry-After on a 429.
  const realStarted = performance.now();
  let realTries = 0;
  let realOk = false;
  let realDuringFlood = false;
  while (!realOk && performance.now() - realStarted < 30_000) {
    realTries++;
    const answer = await send(port, 'POST', '/auth/login', { body: realUser, timeoutMs: 15_000 });
    if (answer.status === 200) {
      realOk = true;
      realDuringFlood = !floodOver;
    } else if (answer.status === 429) await sleep(1_000 * (Number(answer.retryAfter) || 1));
    else {
      strange('the real user login', answer.status);
      break;
    }
  }
  await flood;
  const seconds = (performance.now() - started) / 1000;
  verdict.figure(
    'login flood: 401 checked / 429 refused / requests per s',
    `${checked} / ${p.refused} / ${fmt(p.requests / seconds)}`,
  );
  verdict.figure(
    'login flood: the real user logged in after tries / s',
    `${realTries} / ${fmt((performance.now() - realStarted) / 1000, 1)}${realOk ? (realDuringFlood ? ' (during the flood)' : ' (after the flood)') : ' (never)'}`,
  );
  verdict.check(realOk, 'the real user logs in (during or right after the flood)');
}
