import { ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest, IncomingMessage, ClientRequest } from 'node:http';
import { join } from 'node:path';
import { freePort } from '@agenthub/database';
import { TEST_JWT_SECRET } from './create-api-test-app';

/** One server-sent event as a client parses it. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  json: Record<string, unknown>;
}

/**
 * A minimal EventSource over a real socket: parses the frames, remembers the last `id:`
 * (also from a frame without data, as browsers do), and lets a test wait for events.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  lastEventId?: string;
  status = 0;
  body = '';
  contentType?: string;
  /** Resolves when the server ends the stream (or the socket closes). */
  readonly ended: Promise<void>;
  private endedResolve!: () => void;
  private buffer = '';
  private waiters: (() => void)[] = [];
  private req?: ClientRequest;
  private comments: string[] = [];

  private constructor() {
    this.ended = new Promise((resolve) => (this.endedResolve = resolve));
  }

  /** Opens `url`; resolves once a 200's opening frame, or a refusal's whole body, is in. */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } });
      client.req = req;
      req.on('error', (error) => {
        client.endedResolve();
        if (client.status === 0) reject(error);
      });
      req.on('response', (res: IncomingMessage) => {
        client.status = res.statusCode ?? 0;
        client.contentType = res.headers['content-type'];
        res.setEncoding('utf8');
        res.on('close', () => {
          client.endedResolve();
          client.notify();
        });
        if (client.status !== 200) {
          res.on('data', (chunk: string) => (client.body += chunk));
          res.on('end', () => resolve(client));
          return;
        }
        res.on('data', (chunk: string) => client.feed(chunk));
        // The stream opens with the position it starts from: ready once that is in.
        client
          .waitFor(() => client.lastEventId !== undefined, 5_000, 'the opening id frame')
          .then(() => resolve(client), reject);
      });
      req.end();
    });
  }

  get commentLines(): string[] {
    return this.comments;
  }

  /** Events of these types (all but the data-less position frames). */
  ofType(...types: string[]): SseEvent[] {
    return this.events.filter((e) => types.includes(e.event));
  }

  /** Waits until `predicate` holds over the events received so far. */
  async waitFor(
    predicate: (events: SseEvent[]) => boolean,
    timeoutMs = 5_000,
    what = 'events',
  ): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; got: ${this.events.map((e) => `${e.event}@${e.id}`).join(', ')}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.events;
  }

  /** Waits for `count` events of `type` in all. */
  waitForType(type: string, count = 1, timeoutMs = 5_000): Promise<SseEvent[]> {
    return this.waitFor(
      (e) => e.filter((x) => x.event === type).length >= count,
      timeoutMs,
      `${count} × ${type}`,
    ).then(() => this.ofType(type));
  }

  close(): void {
    this.req?.destroy();
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (id !== undefined) this.lastEventId = id;
      if (data.length === 0) continue;
      const text = data.join('\n');
      this.events.push({
        id,
        event,
        data: text,
        json: JSON.parse(text) as Record<string, unknown>,
      });
    }
    this.notify();
  }
}

/** An API process of its own (`node apps/api/src/main.ts`) on the database. */
export interface ApiProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '../../..');

/** Starts a real API process (the TypeScript compiled on load) and waits until it answers. */
export async function startApiProcess(
  databaseUrl: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['-r', join(ROOT, 'tools/register-ts.js'), join(ROOT, 'apps/api/src/main.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'],
        NODE_ENV: 'test',
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        JWT_SECRET: TEST_JWT_SECRET,
        LOG_LEVEL: process.env['AGENTHUB_CHILD_LOG_LEVEL'] ?? 'silent',
        AGENTHUB_MIGRATE_ON_START: 'false',
        ...env,
      },
      stdio: ['ignore', process.env['AGENTHUB_CHILD_LOG_LEVEL'] ? 'inherit' : 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API process exited: ${stderr}`);
    try {
      const res = await fetch(`${url}/health/live`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`API process did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A JSON request to a real process. */
export async function api(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
