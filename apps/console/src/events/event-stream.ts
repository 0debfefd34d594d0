import { EventSource } from 'eventsource';
import type { components } from '@agenthub/client';

/** One event of `GET /api/v1/events`: `{id, type, project_id, occurred_at, data}`. */
export type StreamEvent = components['schemas']['StreamEventDto'];

/** Every event type the console listens to (the stream's `types`, and the SSE `event:` names). */
export const CONSOLE_EVENT_TYPES = [
  'agent.created',
  'agent.updated',
  'agent.deleted',
  'task.created',
  'task.updated',
  'task.deleted',
  'message.received',
  'message.updated',
  'room.message',
  'workflow_execution.started',
  'workflow_execution.completed',
  'workflow_execution.failed',
  'workflow_execution.cancelled',
  'workflow_execution.retried',
] as const;

export type StreamState =
  /** Connected and receiving. */
  | 'open'
  /** Connecting, or waiting to connect again after the connection dropped. */
  | 'connecting'
  /** Closed for good: by `close()`, or the API refused the token (401). */
  | 'closed';

export interface EventStreamOptions {
  /** The API's origin. */
  baseUrl: string;
  token: string;
  projectId: string;
  types?: readonly string[];
  onEvent(event: StreamEvent): void;
  /**
   * What the console holds may be stale: events were lost (a `gap`: they are no longer
   * retained) or the stream had to start again at the head. Re-read through REST.
   */
  onResync(): void;
  onState?(state: StreamState, detail?: string): void;
  /** The API refused the token (it expired, or the user was deactivated). */
  onUnauthorized?(): void;
  /** A test's fetch; the window's otherwise. */
  fetch?: typeof globalThis.fetch;
  /** Waits before opening again after the API refused the stream with 5xx, or an error. */
  backoffMs?: (attempt: number) => number;
}

export interface EventStreamHandle {
  close(): void;
  /** The id of the last event received: where a new connection resumes. */
  lastEventId(): string | null;
}

const defaultBackoff = (attempt: number) => Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));

/**
 * The project's live events, resumed exactly across reconnects.
 *
 * The `eventsource` library parses the stream and, when a connection drops, reconnects by
 * itself after the server's `retry:` with `Last-Event-ID`: the API replays everything after
 * that id, none twice. What the library does not do is added here: the bearer token on every
 * connection (a browser EventSource cannot send headers); opening again when the API answered
 * an error instead of a stream (the library gives up on any non-200), resuming with
 * `last_event_id`; telling a refused token (401) apart, which no retry will cure; and a
 * `gap` (events no longer retained) turned into a resync.
 */
export function openEventStream(options: EventStreamOptions): EventStreamHandle {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const backoff = options.backoffMs ?? defaultBackoff;
  const types = options.types ?? CONSOLE_EVENT_TYPES;
  let lastId: string | null = null;
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  let closed = false;
  let refusedStatus: number | undefined;

  const setState = (state: StreamState, detail?: string) => options.onState?.(state, detail);

  const connect = () => {
    if (closed) return;
    const url = new URL('/api/v1/events', options.baseUrl);
    url.searchParams.set('project_id', options.projectId);
    url.searchParams.set('types', types.join(','));
    // A new EventSource starts without a Last-Event-ID: the query parameter carries it.
    if (lastId !== null) url.searchParams.set('last_event_id', lastId);
    refusedStatus = undefined;
    setState('connecting');
    const es = new EventSource(url, {
      fetch: async (input, init) => {
        const response = await fetchImpl(input, {
          ...init,
          headers: { ...init.headers, authorization: `Bearer ${options.token}` },
        });
        if (!response.ok) refusedStatus = response.status;
        return response;
      },
    });
    source = es;
    es.addEventListener('open', () => {
      failures = 0;
      setState('open');
    });
    const deliver = (message: MessageEvent<string>) => {
      if (message.lastEventId) lastId = message.lastEventId;
      let event: StreamEvent;
      try {
        event = JSON.parse(message.data) as StreamEvent;
      } catch {
        return; // not ours to show: the API writes one JSON object per event
      }
      options.onEvent(event);
    };
    for (const type of types) es.addEventListener(type, deliver);
    es.addEventListener('gap', (message: MessageEvent<string>) => {
      if (message.lastEventId) lastId = message.lastEventId;
      options.onResync();
    });
    es.addEventListener('error', () => {
      if (closed || es.readyState !== EventSource.CLOSED) {
        // The library reconnects by itself (Last-Event-ID): a dropped connection.
        if (!closed) setState('connecting', 'reconnecting');
        return;
      }
      // The library gave up: the API answered something other than a stream.
      es.close();
      if (refusedStatus === 401) {
        closed = true;
        setState('closed', 'The API refused the session (401).');
        options.onUnauthorized?.();
        return;
      }
      const wait = backoff(failures++);
      setState(
        'connecting',
        `The event stream failed; trying again in ${Math.round(wait / 1000)} s.`,
      );
      timer = setTimeout(() => {
        timer = null;
        // Without a cursor the stream starts at the head: what happened meanwhile is missed.
        if (lastId === null) options.onResync();
        connect();
      }, wait);
    });
  };

  connect();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      source?.close();
      setState('closed');
    },
    lastEventId: () => lastId,
  };
}
