import { readFileSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { createTestDatabase, TestDatabase } from '@agenthub/testing';
import { api, ApiProcess, SseClient, startApiProcess } from './event-stream.support';

/**
 * What main.ts sets on the HTTP server against clients that misbehave, on a real API process:
 * a request whose headers (10 s) or body (30 s in all) trickle in is answered 408 and closed,
 * while an event stream (a long response, not a long request) stays open; a body over 1 MiB
 * is answered 413 and its connection closed without the rest being read or kept.
 */
jest.setTimeout(120_000);

const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Node checks the timeouts every second (main.ts), and the test machine may be slow. */
const SLACK_MS = 3_000;

let db: TestDatabase;
let proc: ApiProcess;
let port: number;
let user: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  proc = await startApiProcess(db.url);
  port = Number(new URL(proc.url).port);
  const credentials = { email: 'victim@slow.test', password: 'correct horse battery' };
  expect(
    (await api(proc.url, 'POST', '/auth/register', {}, { ...credentials, name: 'V' })).status,
  ).toBe(201);
  const token = (await api(proc.url, 'POST', '/auth/login', {}, credentials)).json['access_token'];
  user = { authorization: `Bearer ${String(token)}` };
});

afterAll(async () => {
  await proc?.stop();
  await db?.drop();
});

/** A raw TCP connection to the API: what it received, and when the server closed it. */
interface Raw {
  socket: Socket;
  openedAt: number;
  received: () => string;
  closed: Promise<number>;
}

function raw(): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined); // EPIPE / ECONNRESET once the server closes
    const closed = new Promise<number>((done) => socket.on('close', () => done(Date.now())));
    socket.once('connect', () =>
      resolve({ socket, openedAt: Date.now(), received: () => text, closed }),
    );
    socket.once('error', reject);
  });
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function trickle(socket: Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer);
    socket.write(text[i++ % text.length]);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

function expect408(connection: Raw): void {
  const text = connection.received();
  expect(text.startsWith('HTTP/1.1 408')).toBe(true);
  expect(text).toContain('application/problem+json');
  expect(text).toContain('"code":"REQUEST.TIMEOUT"');
}

function peakRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

describe('slow clients (slow-loris)', () => {
  it('closes trickling headers after 10 s and a trickling body after 30 s, with 408, but keeps an event stream open', async () => {
    const stream = await SseClient.open(`${proc.url}/api/v1/events`, user);
    expect(stream.status).toBe(200);

    const silent = await raw();
    const slowHeaders = await raw();
    slowHeaders.socket.write('GET /api/v1/auth/me HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    trickle(slowHeaders.socket, 'X-Slow: abcdefghijklmnopqrstuvwxyz', 500);
    const slowBody = await raw();
    slowBody.socket.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"email":"',
    );
    trickle(slowBody.socket, 'a', 500);

    for (const connection of [silent, slowHeaders]) {
      const after = (await connection.closed) - connection.openedAt;
      expect(after).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 500);
      expect(after).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
      expect408(connection);
    }
    // Well-behaved clients are served meanwhile.
    expect((await fetch(`${proc.url}/health/live`)).status).toBe(200);

    const bodyAfter = (await slowBody.closed) - slowBody.openedAt;
    expect(bodyAfter).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 500);
    expect(bodyAfter).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    expect408(slowBody);

    // The stream, open longer than either timeout, is still there: its keep-alives came.
    let ended = false;
    void stream.ended.then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ended).toBe(false);
    expect(stream.commentLines.filter((c) => c === 'keep-alive').length).toBeGreaterThanOrEqual(2);
    stream.close();
  });
});

describe('a 100 MB body', () => {
  const HUNDRED_MB = 100 * 1024 * 1024;
  const CHUNK = Buffer.alloc(64 * 1024, 'a');

  /**
   * Sends headers, then as much of a 100 MB body as the server takes (chunked framing when
   * `chunked`), until it closes: what came back and how much the client could write.
   */
  async function send(chunked: boolean): Promise<{ response: string; written: number }> {
    const connection = await raw();
    const { socket } = connection;
    socket.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        (chunked ? 'Transfer-Encoding: chunked\r\n\r\n' : `Content-Length: ${HUNDRED_MB}\r\n\r\n`),
    );
    let written = 0;
    let closed = false;
    void connection.closed.then(() => (closed = true));
    const frame = chunked
      ? Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from('\r\n')])
      : CHUNK;
    while (!closed && written < HUNDRED_MB) {
      written += CHUNK.length;
      if (!socket.write(frame))
        await new Promise<void>((resolve) => {
          socket.once('drain', resolve);
          socket.once('close', resolve);
        });
    }
    await connection.closed;
    return { response: connection.received(), written };
  }

  it.each([
    ['announced by Content-Length: refused at once', false],
    ['chunked: refused once 1 MiB is in', true],
  ])('%s, 413 problem+json, the connection closed, nothing buffered', async (_what, chunked) => {
    const pid = proc.child.pid as number;
    const before = peakRssKb(pid);
    const { response, written } = await send(chunked);
    expect(response.startsWith('HTTP/1.1 413')).toBe(true);
    expect(response).toContain('application/problem+json');
    expect(response).toContain('"code":"REQUEST.TOO_LARGE"');
    expect(response.toLowerCase()).toContain('connection: close');
    // The server stopped reading: the client got nowhere near 100 MB in.
    expect(written).toBeLessThan(HUNDRED_MB / 4);
    // And kept nothing of it (peak RSS, in kB).
    expect(peakRssKb(pid) - before).toBeLessThan(32 * 1024);
    // The process serves on.
    expect((await fetch(`${proc.url}/health/live`)).status).toBe(200);
  });
});
