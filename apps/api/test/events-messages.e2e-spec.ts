import {
  createAgent,
  createAgentKey,
  createProject,
  createTestDatabase,
  registerAndLogin,
  TestApp,
  TestDatabase,
} from '@agenthub/testing';
import { createApiTestApp } from './create-api-test-app';
import { api, ApiProcess, SseClient, SseEvent, startApiProcess } from './event-stream.support';

/**
 * Agent messages on the live stream, across three real API processes: a message sent through
 * one process reaches its recipient's stream on another, handed over by the push (`sent`),
 * and a recipient that was cut off replays exactly the messages it missed on a third.
 */
jest.setTimeout(120_000);

let db: TestDatabase;
let t: TestApp;
let A: ApiProcess;
let B: ApiProcess;
let C: ApiProcess;
type Agent = { id: string; key: Record<string, string> };
let sender: Agent;
let recipient: Agent;
let bystander: Agent;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stream = (proc: ApiProcess, headers: Record<string, string>, query = '') =>
  SseClient.open(`${proc.url}/api/v1/events${query}`, headers);
const dataOf = (e: SseEvent) => e.json['data'] as Record<string, unknown>;

async function send(proc: ApiProcess, subject: string): Promise<string> {
  const res = await api(proc.url, 'POST', '/messages', sender.key, {
    recipient_id: recipient.id,
    message_type: 'note',
    subject,
  });
  expect({ status: res.status, body: res.json }).toMatchObject({ status: 201 });
  return (res.json['messages'] as { id: string }[])[0].id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  t = await createApiTestApp(db.url);
  const owner = (await registerAndLogin(t, 'owner@mail-events.test')).auth;
  const projectId = (await createProject(t, owner, 'Mail')).id;
  const agent = async (name: string): Promise<Agent> => {
    const a = await createAgent(t, owner, projectId, { name });
    return {
      id: a.id,
      key: { authorization: `Bearer ${(await createAgentKey(t, owner, a.id)).api_key}` },
    };
  };
  [sender, recipient, bystander] = await Promise.all([
    agent('sender'),
    agent('recipient'),
    agent('bystander'),
  ]);
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

describe('agent messages on GET /events across three API processes', () => {
  it("a message sent through C reaches its recipient's stream on A, handed over; its sender hears it is sent; nobody else sees it", async () => {
    const mine = await stream(A, recipient.key, '?types=message.*');
    const senders = await stream(B, sender.key, '?types=message.*');
    const other = await stream(C, bystander.key, '?types=message.*');
    const id = await send(C, 'hello');

    const [received] = await mine.waitForType('message.received');
    expect(received.json).toMatchObject({ type: 'message.received', id: received.id });
    // Pushing it to its recipient handed it over: the event carries the message as it now is.
    expect(dataOf(received)).toMatchObject({ id, subject: 'hello', status: 'sent' });
    const now = await api(A.url, 'GET', `/messages/${id}`, recipient.key);
    expect(now.json['status']).toBe('sent');

    const updates = await senders.waitFor((es) =>
      es.some((e) => e.event === 'message.updated' && dataOf(e)['status'] === 'sent'),
    );
    expect(updates.every((e) => e.event === 'message.updated' && dataOf(e)['id'] === id)).toBe(
      true,
    );
    await sleep(300);
    expect(other.events).toEqual([]);
    expect(mine.ofType('message.received')).toHaveLength(1);
    for (const s of [mine, senders, other]) s.close();
  });

  it('a recipient cut off reconnects to B with Last-Event-ID and gets exactly the messages it missed', async () => {
    const first = await stream(A, recipient.key, '?types=message.received');
    const before = await send(C, 'before the cut');
    await first.waitForType('message.received');
    first.close();
    await first.ended;

    const missed = await Promise.all(['one', 'two', 'three'].map((s, i) => send([A, B, C][i], s)));
    const again = await stream(
      B,
      { ...recipient.key, 'last-event-id': first.lastEventId as string },
      '?types=message.received',
    );
    await again.waitForType('message.received', 3);
    await sleep(300);
    const got = again.ofType('message.received').map(dataOf);
    expect(got.map((m) => m['id']).sort()).toEqual([...missed].sort());
    expect(got.map((m) => m['id'])).not.toContain(before);
    expect(got.every((m) => m['status'] === 'sent')).toBe(true);

    // The recipient acknowledges one through A: its sender hears it.
    const senders = await stream(C, sender.key, '?types=message.updated');
    const ack = await api(A.url, 'POST', `/messages/${missed[0]}/ack`, recipient.key, {});
    expect(ack.status).toBe(200);
    const [acked] = await senders.waitFor((es) =>
      es.some((e) => dataOf(e)['status'] === 'acknowledged'),
    );
    expect(dataOf(acked)).toMatchObject({ id: missed[0], status: 'acknowledged' });
    again.close();
    senders.close();
  });
});
