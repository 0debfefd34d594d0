// @vitest-environment node
import { openEventStream, type StreamState } from './event-stream';

interface Call {
  url: URL;
  headers: Record<string, string>;
}

/**
 * A fake API: each connection gets the next scripted answer — an SSE body (written whole,
 * then the connection ends, as a dropped connection would) or a refusal status.
 */
function fakeApi(answers: (string | number)[]) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [
        k.toLowerCase(),
        v,
      ]),
    );
    calls.push({ url: new URL(String(input)), headers });
    const answer = answers.shift();
    if (answer === undefined) return new Promise<Response>(() => undefined); // stays open, silent
    if (typeof answer === 'number')
      return new Response(JSON.stringify({ status: answer, detail: 'refused' }), {
        status: answer,
        headers: { 'content-type': 'application/problem+json' },
      });
    return new Response(answer, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
  return { calls, fetch: fetch };
}

const frame = (id: string, type: string, data: object) =>
  `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ id, type, ...data })}\n\n`;

/** Waits until `check` passes (the library reconnects on its own timers). */
async function eventually(check: () => void, ms = 2000) {
  const start = Date.now();
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() - start > ms) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

function open(api: ReturnType<typeof fakeApi>) {
  const events: string[] = [];
  const states: StreamState[] = [];
  let resyncs = 0;
  let unauthorized = 0;
  const handle = openEventStream({
    baseUrl: 'http://api.test',
    token: 'jwt-1',
    projectId: 'p-1',
    types: ['task.updated', 'agent.updated'],
    fetch: api.fetch,
    backoffMs: () => 10,
    onEvent: (event) => events.push(`${event.type} ${event.id}`),
    onResync: () => resyncs++,
    onState: (state) => states.push(state),
    onUnauthorized: () => unauthorized++,
  });
  return {
    handle,
    events,
    states,
    resyncs: () => resyncs,
    unauthorized: () => unauthorized,
  };
}

describe('the project event stream', () => {
  it('asks for the project and its types with the bearer token', async () => {
    const api = fakeApi([]);
    const stream = open(api);
    await eventually(() => expect(api.calls).toHaveLength(1));
    const [first] = api.calls;
    expect(first.url.pathname).toBe('/api/v1/events');
    expect(first.url.searchParams.get('project_id')).toBe('p-1');
    expect(first.url.searchParams.get('types')).toBe('task.updated,agent.updated');
    expect(first.url.searchParams.has('last_event_id')).toBe(false);
    expect(first.headers['authorization']).toBe('Bearer jwt-1');
    stream.handle.close();
  });

  it('after a dropped connection, reconnects by itself with Last-Event-ID and gets the rest', async () => {
    const api = fakeApi([
      `retry: 5\nid: 7-0\n\n${frame('7-1', 'task.updated', { n: 1 })}${frame('7-2', 'agent.updated', { n: 2 })}`,
      frame('8-0', 'task.updated', { n: 3 }),
    ]);
    const stream = open(api);
    await eventually(() => expect(stream.events).toHaveLength(3));
    expect(stream.events).toEqual(['task.updated 7-1', 'agent.updated 7-2', 'task.updated 8-0']);
    // The second connection resumes after the last event the first one delivered, with the token.
    expect(api.calls[1].headers['last-event-id']).toBe('7-2');
    expect(api.calls[1].headers['authorization']).toBe('Bearer jwt-1');
    expect(stream.handle.lastEventId()).toBe('8-0');
    expect(stream.resyncs()).toBe(0);
    stream.handle.close();
  });

  it('when the API answers an error instead of a stream, opens again from the last event', async () => {
    const api = fakeApi([`retry: 5\n${frame('3-4', 'task.updated', {})}`, 503]);
    const stream = open(api);
    await eventually(() => expect(api.calls).toHaveLength(3));
    // The library gives up on a 503; the console opens a new stream that resumes by query.
    expect(api.calls[2].url.searchParams.get('last_event_id')).toBe('3-4');
    expect(api.calls[2].headers['authorization']).toBe('Bearer jwt-1');
    expect(stream.states).toContain('open');
    expect(stream.resyncs()).toBe(0);
    stream.handle.close();
  });

  it('asks for a resync when it must start again without a cursor', async () => {
    const api = fakeApi([502]);
    const stream = open(api);
    await eventually(() => expect(api.calls).toHaveLength(2));
    expect(api.calls[1].url.searchParams.has('last_event_id')).toBe(false);
    expect(stream.resyncs()).toBe(1);
    stream.handle.close();
  });

  it('turns a gap (events no longer retained) into a resync and goes on from there', async () => {
    const api = fakeApi([
      `event: gap\nid: 9-0\ndata: {"type":"gap"}\n\n${frame('9-1', 'task.updated', {})}`,
    ]);
    const stream = open(api);
    await eventually(() => expect(stream.events).toEqual(['task.updated 9-1']));
    expect(stream.resyncs()).toBe(1);
    stream.handle.close();
  });

  it('stops for good when the API refuses the token, and says so', async () => {
    const api = fakeApi([401]);
    const stream = open(api);
    await eventually(() => expect(stream.unauthorized()).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.calls).toHaveLength(1);
    expect(stream.states.at(-1)).toBe('closed');
  });

  it('reconnects no more once closed', async () => {
    const api = fakeApi([`retry: 5\n${frame('1-1', 'task.updated', {})}`]);
    const stream = open(api);
    await eventually(() => expect(stream.events).toHaveLength(1));
    stream.handle.close();
    const calls = api.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.calls.length).toBe(calls);
    expect(stream.states.at(-1)).toBe('closed');
  });
});
