import {
  AuthHeaders,
  createAgent,
  createAgentKey,
  createProject,
  createTestDatabase,
  eventually,
  expectProblem,
  login,
  PASSWORD,
  query,
  registerAndLogin,
  TestApp,
  TestDatabase,
} from '@agenthub/testing';
import { EventStreams } from '@agenthub/events';
import { createApiTestApp } from './create-api-test-app';
import { SseClient } from './event-stream.support';

/**
 * The per-process bounds that keep one misbehaving client from taking what the others need:
 * open event streams per principal (EVENT_STREAMS_PER_PRINCIPAL) and concurrent logins (the
 * password checks are argon2, CPU). The HTTP server's own timeouts and body limit are in
 * misbehaving-clients.e2e-spec.ts (they live in main.ts, so a real process).
 */
jest.setTimeout(60_000);

const LIMIT = 3;

describe('GET /events: at most EVENT_STREAMS_PER_PRINCIPAL streams per principal', () => {
  let db: TestDatabase;
  let t: TestApp;
  let base: string;
  let owner: AuthHeaders;
  let keyA: AuthHeaders;
  let keyB: AuthHeaders;
  const opened: SseClient[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createApiTestApp(db.url, { EVENT_STREAMS_PER_PRINCIPAL: String(LIMIT) });
    await t.app.listen(0, '127.0.0.1');
    base = `${await t.app.getUrl()}/api/v1/events`;
    owner = (await registerAndLogin(t, 'owner@streams-limit.test')).auth;
    const project = await createProject(t, owner, 'Limits');
    const agent = await createAgent(t, owner, project.id, { name: 'greedy' });
    const [a, b] = [
      await createAgentKey(t, owner, agent.id),
      await createAgentKey(t, owner, agent.id),
    ];
    keyA = { authorization: `Bearer ${a.api_key}` };
    keyB = { authorization: `Bearer ${b.api_key}` };
  });

  afterEach(async () => {
    for (const s of opened.splice(0)) s.close();
    const streams = t.app.get(EventStreams);
    await eventually(() => streams.size === 0, 'every stream of the test to close');
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  async function open(headers: AuthHeaders): Promise<SseClient> {
    const s = await SseClient.open(base, headers);
    opened.push(s);
    return s;
  }

  /** A refused open, read whole (headers too), and held to the document. */
  async function refused(headers: AuthHeaders) {
    const res = await fetch(base, { headers: { accept: 'text/event-stream', ...headers } });
    const body = await res.text();
    const contentType = res.headers.get('content-type') ?? undefined;
    t.checkResponse({ method: 'GET', url: base, status: res.status, contentType, body });
    return {
      status: res.status,
      contentType,
      retryAfter: res.headers.get('retry-after'),
      json: JSON.parse(body) as Record<string, unknown>,
    };
  }

  it('opens LIMIT streams for a key, then answers 429 EVENT.TOO_MANY_STREAMS with Retry-After, before any stream starts', async () => {
    const streams = await Promise.all(Array.from({ length: LIMIT }, () => open(keyA)));
    expect(streams.map((s) => s.status)).toEqual(Array(LIMIT).fill(200));

    const answer = await refused(keyA);
    expect(answer).toMatchObject({
      status: 429,
      contentType: expect.stringContaining('application/problem+json'),
      json: { status: 429, code: 'EVENT.TOO_MANY_STREAMS', instance: '/api/v1/events' },
    });
    expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(t.app.get(EventStreams).size).toBe(LIMIT);
  });

  it('counts per principal: another key of the same agent, and the user, have slots of their own', async () => {
    await Promise.all(Array.from({ length: LIMIT }, () => open(keyA)));
    const others = await Promise.all([open(keyB), open(owner)]);
    expect(others.map((s) => s.status)).toEqual([200, 200]);
    expect((await refused(keyA)).status).toBe(429);
  });

  it('counts a user over all of its tokens', async () => {
    const second = (await login(t, 'owner@streams-limit.test', PASSWORD)).auth;
    await Promise.all([open(owner), open(owner), open(second)]);
    expect((await refused(second)).json['code']).toBe('EVENT.TOO_MANY_STREAMS');
    expect((await refused(owner)).status).toBe(429);
  });

  it('lets exactly LIMIT of many concurrent requests open', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 4 * LIMIT }, () => SseClient.open(base, keyA)),
    );
    opened.push(...attempts);
    const statuses = attempts.map((s) => s.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3 * LIMIT);
  });

  it('frees a slot when a stream closes (the client goes away)', async () => {
    const streams = await Promise.all(Array.from({ length: LIMIT }, () => open(keyA)));
    expect((await refused(keyA)).status).toBe(429);
    streams[0].close();
    const streamsOfProcess = t.app.get(EventStreams);
    await eventually(
      () => streamsOfProcess.size === LIMIT - 1,
      'the closed stream to free its slot',
    );
    expect((await open(keyA)).status).toBe(200);
  });
});

describe('POST /auth/login: a flood from many emails is bounded per process', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createApiTestApp(db.url);
    await registerAndLogin(t, 'real@login-flood.test');
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const attempt = (email: string, password: string) =>
    t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });

  it('refuses what exceeds the checks in flight and their queue with 429 AUTH.TOO_MANY_ATTEMPTS, counting none of it', async () => {
    const flood = 64;
    const answers = await Promise.all(
      Array.from({ length: flood }, (_, i) => attempt(`flood-${i}@login-flood.test`, 'wrong')),
    );
    const busy = answers.filter((r) => r.statusCode === 429);
    const failed = answers.filter((r) => r.statusCode === 401);
    // Every answer is one of the two, none a 5xx.
    expect(busy.length + failed.length).toBe(flood);
    // At most cores − 1 (and 3) checks at once, 8 waiting for each: most of 64 are refused.
    expect(failed.length).toBeLessThanOrEqual(27);
    expect(busy.length).toBeGreaterThanOrEqual(flood - 27);
    for (const r of busy) {
      expectProblem(r, 429, 'AUTH.TOO_MANY_ATTEMPTS');
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    // A refused login wrote nothing: only the checked ones are failure records.
    const [{ n }] = await query<{ n: string }>(
      db.url,
      `SELECT count(*) AS n FROM login_attempts WHERE email LIKE 'flood-%'`,
    );
    expect(Number(n)).toBe(failed.length);
  });

  it('serves logins again once the flood has passed', async () => {
    const res = await attempt('real@login-flood.test', PASSWORD);
    expect(res.statusCode).toBe(200);
  });
});
