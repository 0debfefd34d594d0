import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Principal } from '@agenthub/auth';
import type { EventCursor } from './event-cursor';
import { EventPushHooks } from './event-push-hooks';
import type { EventAddress, EventBatch, EventReader, StoredEvent } from './event-reader';
import {
  EventStream,
  HEARTBEAT_MS,
  HELD_BACK_POLL_MS,
  SAFETY_POLL_MS,
  sseSink,
} from './event-stream';

/** A response that records what is written. */
class FakeResponse extends EventEmitter {
  frames: string[] = [];
  writableEnded = false;
  destroyed = false;
  write(frame: string): boolean {
    this.frames.push(frame);
    return true;
  }
  end(): void {
    this.writableEnded = true;
  }
}

const principal: Principal = { kind: 'agent', agentId: 'a', projectId: 'p', keyId: 'k' };
const event = (tx: number, position: number): StoredEvent => ({
  cursor: { txId: String(tx), position: String(position) },
  type: 'task.updated',
  projectId: 'p',
  occurredAt: '2026-12-01T00:00:00.000Z',
  data: { n: position },
});

/** A reader whose reads the test answers one by one. */
function scriptedReader() {
  const calls: EventCursor[] = [];
  const pending: ((batch: EventBatch) => void)[] = [];
  const reader = {
    read: (_scope: unknown, after: EventCursor) => {
      calls.push(after);
      return new Promise<EventBatch>((resolve) => pending.push(resolve));
    },
  } as unknown as EventReader;
  const answer = async (batch: Partial<EventBatch> = {}) => {
    const resolve = pending.shift();
    if (!resolve) throw new Error('no read in flight');
    resolve({ events: [], heldBack: false, ...batch });
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { reader, calls, pending, answer };
}

function open(reader: EventReader, hooks = new EventPushHooks()) {
  const res = new FakeResponse();
  const stream = new EventStream(sseSink(res as unknown as ServerResponse), {
    principal,
    scope: { kind: 'agent', agentId: 'a', projectId: 'p' },
    types: null,
    cursor: { txId: '10', position: '1' },
    reader,
    hooks,
    inContext: (work) => work(),
    onError: () => undefined,
  });
  return { res, stream };
}

const dataFrames = (res: FakeResponse) => res.frames.filter((f) => f.includes('\ndata: '));

describe('EventStream', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('opens with its position, then sends each event with id, event and data, moving its cursor', async () => {
    const { reader, calls, answer } = scriptedReader();
    const { res, stream } = open(reader);
    stream.start();
    expect(res.frames[0]).toBe('retry: 1000\nid: 10-1\n\n');
    await answer({ events: [event(11, 5), event(12, 6)] });
    expect(dataFrames(res)).toEqual([
      `id: 11-5\nevent: task.updated\ndata: ${JSON.stringify({ id: '11-5', type: 'task.updated', project_id: 'p', occurred_at: '2026-12-01T00:00:00.000Z', data: { n: 5 } })}\n\n`,
      `id: 12-6\nevent: task.updated\ndata: ${JSON.stringify({ id: '12-6', type: 'task.updated', project_id: 'p', occurred_at: '2026-12-01T00:00:00.000Z', data: { n: 6 } })}\n\n`,
    ]);
    stream.wake();
    expect(calls[1]).toEqual({ txId: '12', position: '6' });
    stream.close();
  });

  it('coalesces wake-ups during a read into exactly one more read', async () => {
    const { reader, calls, answer } = scriptedReader();
    const { stream } = open(reader);
    stream.start();
    stream.wake();
    stream.wake('99-1');
    stream.wake();
    expect(calls).toHaveLength(1);
    await answer();
    expect(calls).toHaveLength(2);
    await answer();
    expect(calls).toHaveLength(2);
    stream.close();
  });

  it('ignores a notification for an event it is already past', async () => {
    const { reader, calls, answer } = scriptedReader();
    const { stream } = open(reader);
    stream.start();
    await answer({ events: [event(20, 3)] });
    stream.wake('20-3');
    stream.wake('19-900');
    expect(calls).toHaveLength(1);
    stream.wake('20-4');
    expect(calls).toHaveLength(2);
    stream.close();
  });

  it('reads again soon while events are held back behind an open writer, and idle, not at all', async () => {
    const { reader, calls, answer } = scriptedReader();
    const { stream } = open(reader);
    stream.start();
    await answer({ heldBack: true });
    jest.advanceTimersByTime(HELD_BACK_POLL_MS);
    expect(calls).toHaveLength(2);
    await answer({ heldBack: false });
    // The process's safety poll (EventStreams.poll) wakes it when an event it may want comes.
    jest.advanceTimersByTime(SAFETY_POLL_MS * 10);
    expect(calls).toHaveLength(2);
    stream.close();
  });

  it('skips to where the safety poll stopped only when idle and at or past where it started', async () => {
    const { reader, answer } = scriptedReader();
    const { stream } = open(reader);
    const at = (text: string) => ({ txId: text.split('-')[0], position: text.split('-')[1] });
    stream.start(); // reading, from 10-1
    stream.skipTo(at('10-1'), at('20-1'));
    expect(stream.position).toBe('10-1');
    await answer();
    stream.skipTo(at('11-1'), at('20-1')); // the poll started past this stream's cursor
    expect(stream.position).toBe('10-1');
    stream.skipTo(at('9-1'), at('10-1')); // not forward
    expect(stream.position).toBe('10-1');
    stream.skipTo(at('9-1'), at('20-1'));
    expect(stream.position).toBe('20-1');
    stream.close();
  });

  it('sends a comment line every 15 s', () => {
    const { reader } = scriptedReader();
    const { res, stream } = open(reader);
    stream.start();
    jest.advanceTimersByTime(HEARTBEAT_MS * 2);
    expect(res.frames.filter((f) => f === ': keep-alive\n\n')).toHaveLength(2);
    stream.close();
  });

  it("skips what it has scanned of other scopes' events, and tells the client with the next keep-alive", async () => {
    const { reader, calls, answer } = scriptedReader();
    const { res, stream } = open(reader);
    stream.start();
    await answer({ events: [event(11, 2)], scannedThrough: { txId: '30', position: '7' } });
    stream.wake('25-1'); // already scanned past it
    expect(calls).toHaveLength(1);
    jest.advanceTimersByTime(HEARTBEAT_MS);
    expect(res.frames.at(-1)).toBe(': keep-alive\nid: 30-7\n\n');
    stream.wake();
    expect(calls[1]).toEqual({ txId: '30', position: '7' });
    await answer();
    jest.advanceTimersByTime(HEARTBEAT_MS);
    expect(res.frames.at(-1)).toBe(': keep-alive\n\n');
    stream.close();
  });

  it('tells which events it may want: its project, its own mail, its rooms, its types, after its cursor', () => {
    const { reader } = scriptedReader();
    const { stream } = open(reader);
    const address = (over: Partial<EventAddress>): EventAddress => ({
      cursor: { txId: '11', position: '1' },
      type: 'task.updated',
      projectId: 'p',
      audience: 'project',
      agentId: null,
      ...over,
    });
    expect(stream.mayWant(address({}))).toBe(true);
    expect(stream.mayWant(address({ audience: 'room' }))).toBe(true);
    expect(stream.mayWant(address({ audience: 'agent', agentId: 'a' }))).toBe(true);
    expect(stream.mayWant(address({ audience: 'agent', agentId: 'b' }))).toBe(false);
    expect(stream.mayWant(address({ audience: 'managers' }))).toBe(false);
    expect(stream.mayWant(address({ projectId: 'q' }))).toBe(false);
    expect(stream.mayWant(address({ cursor: { txId: '10', position: '1' } }))).toBe(false);
    stream.close();
  });

  it('sends one gap first when the purge passed its cursor, then continues after the purge mark', async () => {
    const { reader, calls, answer } = scriptedReader();
    const { res, stream } = open(reader);
    stream.start();
    await answer({ gapThrough: { txId: '15', position: '9' }, events: [event(16, 1)] });
    const [gap, next] = dataFrames(res);
    expect(gap).toMatch(/^id: 15-9\nevent: gap\ndata: /);
    expect(JSON.parse(gap.split('data: ')[1])).toMatchObject({
      type: 'gap',
      last_event_id: '10-1',
      purged_through: '15-9',
    });
    expect(next).toMatch(/^id: 16-1\n/);
    stream.wake();
    expect(calls[1]).toEqual({ txId: '16', position: '1' });
    stream.close();
  });

  it('sends what a push hook answers for its type', async () => {
    const { reader, answer } = scriptedReader();
    const hooks = new EventPushHooks();
    hooks.register('task.updated', async (e, p) => ({ handedOverTo: p.kind, was: e.data }));
    const { res, stream } = open(reader, hooks);
    stream.start();
    await answer({ events: [event(11, 1)] });
    expect(JSON.parse(dataFrames(res)[0].split('data: ')[1]).data).toEqual({
      handedOverTo: 'agent',
      was: { n: 1 },
    });
    stream.close();
  });

  it('ends the response when closed, and when the client goes away stops reading', async () => {
    const { reader, calls, answer } = scriptedReader();
    const { res, stream } = open(reader);
    stream.start();
    await answer();
    res.emit('close');
    expect(stream.isClosed).toBe(true);
    jest.advanceTimersByTime(SAFETY_POLL_MS * 3);
    expect(calls).toHaveLength(1);
    expect(res.writableEnded).toBe(true);
  });
});
