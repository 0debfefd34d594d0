import { Client } from 'pg';
import {
  createAgent,
  createAgentKey,
  createProject,
  createTestDatabase,
  eventually,
  registerAndLogin,
  TestApp,
  TestDatabase,
  TEST_ENV,
} from '@agenthub/testing';
import { NOTIFICATION_PAYLOAD_SQL } from '@agenthub/events';
import { createApiTestApp } from './create-api-test-app';
import { api, ApiProcess, SseClient, SseEvent, startApiProcess } from './event-stream.support';

/**
 * The live stream across API replicas: three real API processes (A, B, C) on one database.
 * Events are rows written with the change; LISTEN only wakes the streams; the read bound
 * holds back everything behind an open writer of the database, so a reconnect, anywhere,
 * replays exactly what it missed.
 */
jest.setTimeout(120_000);

let db: TestDatabase;
let t: TestApp;
let A: ApiProcess;
let B: ApiProcess;
let C: ApiProcess;
let owner: Record<string, string>;
let projectId: string;
let agent: { id: string; key: Record<string, string>; keyId: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function pg(url = db.url): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

function stream(proc: ApiProcess, headers: Record<string, string>, query = ''): Promise<SseClient> {
  return SseClient.open(`${proc.url}/api/v1/events${query}`, headers);
}

async function createTaskVia(proc: ApiProcess, title: string): Promise<Record<string, unknown>> {
  const res = await api(proc.url, 'POST', '/tasks', owner, { project_id: projectId, title });
  expect(res.status).toBe(201);
  return res.json;
}

const titles = (events: SseEvent[]) =>
  events.map((e) => (e.json['data'] as { title: string }).title);

/** An event appended as EventLog appends it, on a client of the test's own. */
const appendSql = `WITH appended AS (
    INSERT INTO events (type, project_id, audience, data) VALUES ('task.updated', $1, 'project', $2::jsonb)
    RETURNING tx_id, position)
  SELECT tx_id::text || '-' || position::text AS id, pg_notify('agenthub_events', tx_id::text || '-' || position::text)
    FROM appended`;

beforeAll(async () => {
  db = await createTestDatabase();
  t = await createApiTestApp(db.url);
  const user = await registerAndLogin(t, 'owner@events.test');
  owner = user.auth;
  projectId = (await createProject(t, owner, 'Streams')).id;
  const a = await createAgent(t, owner, projectId, { name: 'listener' });
  const key = await createAgentKey(t, owner, a.id);
  agent = { id: a.id, key: { authorization: `Bearer ${key.api_key}` }, keyId: key.id };
  [A, B, C] = await Promise.all([
    startApiProcess(db.url),
    startApiProcess(db.url),
    startApiProcess(db.url),
  ]);
});

afterAll(async () => {
  await Promise.all([A?.stop(), B?.stop(), C?.stop()]);
  await t?.close();
  await db?.drop();
});

describe('GET /events across three API processes', () => {
  it('streams on A what is changed through C, each event as {id, type, project_id, occurred_at, data}', async () => {
    const s = await stream(A, agent.key);
    expect(s.status).toBe(200);
    expect(s.contentType).toMatch(/^text\/event-stream/);
    const task = await createTaskVia(C, 'made on C');

    const [event] = await s.waitForType('task.created');
    expect(event.json).toEqual({
      id: event.id,
      type: 'task.created',
      project_id: projectId,
      occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: task,
    });
    s.close();
  });

  it('is woken by the commit on another process, not by its 2 s safety poll', async () => {
    const s = await stream(A, agent.key, '?types=task.created');
    for (let i = 1; i <= 5; i++) {
      const at = Date.now();
      await createTaskVia(C, `prompt ${i}`);
      await s.waitForType('task.created', i);
      expect(Date.now() - at).toBeLessThan(500);
    }
    s.close();
  });

  it("gets an event whose commit sent no notification from its process's safety poll, within seconds", async () => {
    const s = await stream(B, agent.key, '?types=task.updated');
    await sleep(2_500); // a safety poll has run since the stream opened
    const writer = await pg();
    try {
      await writer.query(
        `INSERT INTO events (type, project_id, audience, data) VALUES ('task.updated', $1, 'project', $2::jsonb)`,
        [projectId, JSON.stringify({ title: 'unannounced' })],
      );
      const [event] = await s.waitForType('task.updated', 1, 6_000);
      expect((event.json['data'] as { title: string }).title).toBe('unannounced');
    } finally {
      await writer.end();
      s.close();
    }
  });

  it("says in each commit's notification whom its events are for, so no process reads to route them", async () => {
    const listener = await pg();
    listener.on('error', () => undefined);
    const payloads: string[] = [];
    listener.on('notification', (n) => {
      if (n.channel === 'agenthub_events') payloads.push(n.payload ?? '');
    });
    try {
      await listener.query('LISTEN agenthub_events');
      const s = await stream(A, agent.key, '?types=task.created');
      const task = await createTaskVia(C, 'addressed');
      const [event] = await s.waitForType('task.created', 1);
      expect((event.json['data'] as { id: string }).id).toBe(task['id']);
      await eventually(() => payloads.length > 0, 'the notification of the commit');
      expect(payloads.map((p) => JSON.parse(p)).flat()).toContainEqual([
        event.id,
        'task.created',
        projectId,
        'project',
        null,
      ]);
      s.close();
    } finally {
      await listener.end();
    }
  });

  it('an append too large to address in one notification still wakes every stream that wants it', async () => {
    const s = await stream(A, agent.key, '?types=task.updated');
    const writer = await pg();
    const at = Date.now();
    // 40 events in one statement, as a batch endpoint appends them: the notification carries
    // only the last cursor.
    const { rows } = await writer.query(
      `WITH appended AS (
         INSERT INTO events (type, project_id, audience, data)
         SELECT 'task.updated', $1, 'project', jsonb_build_object('title', 'bulk ' || n)
           FROM generate_series(1, 40) AS n ORDER BY n
         RETURNING tx_id, position, type, project_id, audience, agent_id)
       SELECT pg_notify('agenthub_events', ${NOTIFICATION_PAYLOAD_SQL}) FROM appended`,
      [projectId],
    );
    expect(rows).toHaveLength(1);
    await s.waitForType('task.updated', 40);
    expect(Date.now() - at).toBeLessThan(1_500);
    await writer.end();
    s.close();
  });

  it('after a cut, a reconnect to B with Last-Event-ID gets exactly the events it missed, in commit order', async () => {
    const first = await stream(A, agent.key, '?types=task.created');
    for (const n of [1, 2, 3]) await createTaskVia(C, `before ${n}`);
    await first.waitForType('task.created', 3);
    first.close();
    await first.ended;
    const last = first.lastEventId as string;
    expect(titles(first.events)).toEqual(['before 1', 'before 2', 'before 3']);

    // Missed while disconnected: written concurrently through all three processes.
    const missed = Array.from({ length: 12 }, (_, i) => `missed ${i}`);
    await Promise.all(missed.map((title, i) => createTaskVia([A, B, C][i % 3], title)));

    const again = await stream(B, { ...agent.key, 'last-event-id': last }, '?types=task.created');
    await again.waitForType('task.created', missed.length);
    await sleep(300); // nothing more comes
    expect(titles(again.events).sort()).toEqual([...missed].sort());
    const ids = again.events.map((e) => e.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    // In log order, every one after the cursor.
    const key = (id: string) => id.split('-').map(BigInt);
    const ordered = [last, ...ids].map(key);
    for (let i = 1; i < ordered.length; i++) {
      const [tx, pos] = ordered[i];
      const [ptx, ppos] = ordered[i - 1];
      expect(tx > ptx || (tx === ptx && pos > ppos)).toBe(true);
    }
    again.close();
  });

  it('holds back an event committed before an older open writer, then delivers both, once each, in xid order', async () => {
    const s = await stream(A, agent.key, '?types=task.updated');
    const start = s.lastEventId as string;
    const early = await pg();
    const late = await pg();
    try {
      await early.query('BEGIN');
      await early.query(appendSql, [projectId, JSON.stringify({ title: 'early' })]);
      await late.query('BEGIN');
      await late.query(appendSql, [projectId, JSON.stringify({ title: 'late' })]);
      // The later transaction commits first: its row has the larger tx_id.
      await late.query('COMMIT');
      await sleep(600);
      expect(s.ofType('task.updated')).toEqual([]);

      await early.query('COMMIT');
      const events = await s.waitForType('task.updated', 2);
      await sleep(200);
      expect(titles(s.ofType('task.updated'))).toEqual(['early', 'late']);

      // A replay from before them, on another process, gives the same two, once each.
      const replay = await stream(
        C,
        { ...agent.key, 'last-event-id': start },
        '?types=task.updated',
      );
      await replay.waitForType('task.updated', 2);
      await sleep(200);
      expect(replay.ofType('task.updated').map((e) => e.id)).toEqual(events.map((e) => e.id));
      replay.close();
    } finally {
      await early.end();
      await late.end();
      s.close();
    }
  });

  it('many writers committing in random order: live and resumed streams each get every event once, in the same order', async () => {
    const live = await stream(A, agent.key, '?types=task.updated');
    const cut = await stream(B, agent.key, '?types=task.updated');
    const writers = await Promise.all(Array.from({ length: 8 }, () => pg()));
    const total = 48;
    try {
      let n = 0;
      await Promise.all(
        writers.map(async (client) => {
          while (n < total) {
            const title = `w${n++}`;
            await client.query('BEGIN');
            await client.query(appendSql, [projectId, JSON.stringify({ title })]);
            await sleep(Math.random() * 30); // commits land out of xid order
            await client.query('COMMIT');
          }
        }),
      );
      // One stream is cut after a few events and resumes on another process.
      await cut.waitForType('task.updated', 10);
      cut.close();
      await cut.ended;
      const resumed = await stream(
        C,
        { ...agent.key, 'last-event-id': cut.lastEventId as string },
        '?types=task.updated',
      );
      await live.waitForType('task.updated', total);
      const before = cut.ofType('task.updated').map((e) => e.id);
      await resumed.waitForType('task.updated', total - before.length);
      await sleep(300);
      const liveIds = live.ofType('task.updated').map((e) => e.id);
      expect(liveIds).toHaveLength(total);
      expect(new Set(titles(live.ofType('task.updated'))).size).toBe(total);
      expect([...before, ...resumed.ofType('task.updated').map((e) => e.id)]).toEqual(liveIds);
      resumed.close();
    } finally {
      await Promise.all(writers.map((w) => w.end()));
      live.close();
    }
  });

  it('an open transaction of this database that writes no event holds events back only until it ends', async () => {
    const s = await stream(B, agent.key, '?types=task.updated');
    const holder = await pg();
    const writer = await pg();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()'); // has an xid: an open writer
      await writer.query(appendSql, [projectId, JSON.stringify({ title: 'behind' })]);
      await sleep(500);
      expect(s.ofType('task.updated')).toEqual([]);
      const ended = Date.now();
      await holder.query('COMMIT'); // no notification: the held-back re-poll finds it
      await s.waitForType('task.updated', 1);
      expect(Date.now() - ended).toBeLessThan(1_000);
    } finally {
      await holder.end();
      await writer.end();
      s.close();
    }
  });

  it('is not held back by open transactions of another database on the server', async () => {
    const s = await stream(C, agent.key, '?types=task.created');
    const elsewhere = await pg(process.env[TEST_ENV.adminUrl]);
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      const before = Date.now();
      await createTaskVia(A, 'not held');
      await s.waitForType('task.created', 1, 1_500);
      expect(Date.now() - before).toBeLessThan(1_500);
    } finally {
      await elsewhere.query('ROLLBACK');
      await elsewhere.end();
      s.close();
    }
  });

  it('keeps streaming after the LISTEN connections are killed: they reconnect and streams catch up', async () => {
    const s = await stream(A, agent.key, '?types=task.created');
    const admin = await pg();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'agenthub-listen' AND datname = current_database()`,
      );
      expect(killed.rowCount).toBeGreaterThanOrEqual(3);
      await createTaskVia(C, 'while reconnecting');
      // Every process listens again.
      for (let i = 0; ; i++) {
        const { rows } = await admin.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE application_name = 'agenthub-listen' AND datname = current_database()`,
        );
        if (rows[0].n >= 4) break; // A, B, C and the in-process setup app
        if (i > 100) throw new Error('LISTEN connections did not come back');
        await sleep(100);
      }
      await createTaskVia(B, 'after reconnect');
      await s.waitForType('task.created', 2);
      expect(titles(s.ofType('task.created'))).toEqual(['while reconnecting', 'after reconnect']);
    } finally {
      await admin.end();
      s.close();
    }
  });

  it('closes the streams of a revoked key within a second, on every process', async () => {
    const key = await createAgentKey(t, owner, agent.id);
    const headers = { authorization: `Bearer ${key.api_key}` };
    const onA = await stream(A, headers);
    const onB = await stream(B, headers);
    const untouched = await stream(A, agent.key);
    const revoked = await api(C.url, 'DELETE', `/agents/${agent.id}/api-keys/${key.id}`, owner);
    expect([200, 204]).toContain(revoked.status);
    const at = Date.now();
    await Promise.all([onA.ended, onB.ended]);
    expect(Date.now() - at).toBeLessThan(1_000);
    // Another key of the same agent keeps its stream.
    await sleep(700);
    await createTaskVia(C, 'still here');
    await untouched.waitForType('task.created', 1);
    untouched.close();
    // And the revoked key cannot open a new one.
    const refused = await stream(B, headers);
    expect(refused.status).toBe(401);
  });

  it('closes the stream of an agent deactivated through another process within a second', async () => {
    const other = await createAgent(t, owner, projectId, { name: 'short-lived' });
    const key = await createAgentKey(t, owner, other.id);
    const s = await stream(B, { authorization: `Bearer ${key.api_key}` });
    const res = await api(C.url, 'PATCH', `/agents/${other.id}`, owner, { is_active: false });
    expect(res.status).toBe(200);
    const at = Date.now();
    await s.ended;
    expect(Date.now() - at).toBeLessThan(1_000);
  });
});
