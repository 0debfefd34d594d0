import type { ServerResponse } from 'node:http';
import type { Principal } from '@agenthub/auth';
import { compareCursors, EventCursor, formatCursor, parseCursor } from './event-cursor';
import type { EventPushHooks, StreamEvent } from './event-push-hooks';
import type { EventAddress, EventReader, EventScope } from './event-reader';
import { TypeFilter, typeMatches } from './event-types';

/** Events per read; a stream further behind reads again at once. */
const BATCH = 200;
/**
 * A process reads whom the events since its last look are for this often, whatever it heard
 * (a lost notification), and wakes the streams that may want one (EventStreams.poll).
 */
export const SAFETY_POLL_MS = 2_000;
/**
 * While events wait behind an open transaction of our database, read again this soon: that
 * transaction's commit brings no notification when it wrote no event.
 */
export const HELD_BACK_POLL_MS = 50;
/** A comment line this often keeps proxies from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;

/** What a stream tells when events after the client's cursor are no longer retained. */
export interface EventGap {
  id: string;
  type: 'gap';
  last_event_id: string;
  purged_through: string;
  message: string;
}

/**
 * Where a stream's output goes: a server-sent event response ({@link sseSink}), or a
 * subscriber inside the process ({@link callbackSink}). The stream decides what to send and
 * when; the sink only how.
 */
export interface EventSink {
  /** The stream starts after `cursor`. */
  opened(cursor: string): void;
  /** One event; resolves when the sink takes the next (backpressure). */
  event(event: StreamEvent): Promise<void>;
  gap(gap: EventGap): Promise<void>;
  /**
   * The stream is idle (every {@link HEARTBEAT_MS}); `cursor` when it has read past other
   * scopes' events since the last position it gave.
   */
  idle(cursor?: string): void;
  /** The stream ends (`reason` for whoever reads it). */
  end(reason?: string): void;
  /** `listener` runs when the other side goes away. */
  onGone(listener: () => void): void;
}

/** Server-sent events on `res` (its headers already written). */
export function sseSink(res: ServerResponse): EventSink {
  const write = (frame: string) => {
    if (!res.writableEnded && !res.destroyed) res.write(frame);
  };
  return {
    opened: (cursor) =>
      // An `id:` without data sets the client's Last-Event-ID without dispatching an event,
      // so a client that reconnects before any event came still resumes from here.
      write(`retry: 1000\nid: ${cursor}\n\n`),
    event: (out) =>
      send(res, `id: ${out.id}\nevent: ${out.type}\ndata: ${JSON.stringify(out)}\n\n`),
    gap: (gap) => send(res, `id: ${gap.id}\nevent: gap\ndata: ${JSON.stringify(gap)}\n\n`),
    // A data-less `id:` lets a reconnect resume from there (no rescan, no false gap).
    idle: (cursor) => write(cursor ? `: keep-alive\nid: ${cursor}\n\n` : ': keep-alive\n\n'),
    end: (reason) => {
      if (reason) write(`: closed: ${reason}\n\n`);
      if (!res.writableEnded) res.end();
    },
    onGone: (listener) => res.on('close', listener),
  };
}

/** Writes a frame, waiting for the socket to drain when its buffer is full. */
async function send(res: ServerResponse, frame: string): Promise<void> {
  if (res.writableEnded || res.destroyed) return;
  if (res.write(frame)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** A subscriber in this process: events and gaps to `onEvent`, the end to `onClose`. */
export function callbackSink(
  onEvent: (event: StreamEvent | EventGap) => void | Promise<void>,
  onClose: (reason: string) => void,
): EventSink & { gone(): void } {
  const gone: (() => void)[] = [];
  return {
    opened: () => undefined,
    event: async (event) => onEvent(event),
    gap: async (gap) => onEvent(gap),
    idle: () => undefined,
    end: (reason) => onClose(reason ?? 'closed'),
    onGone: (listener) => gone.push(listener),
    gone: () => {
      for (const listener of gone.splice(0)) listener();
    },
  };
}

export interface EventStreamOptions {
  principal: Principal;
  scope: EventScope;
  types: TypeFilter | null;
  /** The last event the client has (or the head of the log for a new client). */
  cursor: EventCursor;
  reader: EventReader;
  /** The push hooks to run on each event; `null`: none (an observer takes nothing over). */
  hooks: EventPushHooks | null;
  /** Runs a read in a unit of work of its own (a forked EntityManager). */
  inContext: <T>(work: () => Promise<T>) => Promise<T>;
  onError: (error: unknown) => void;
}

/**
 * One open `GET /events` connection, or one subscriber in the process: reads the log after
 * its cursor whenever it is woken (a notification, the LISTEN connection coming back, the
 * process's safety poll, its own re-poll while events are held back) and hands what it may
 * see to its sink. One read at a time; wake-ups during a read are coalesced into one more
 * read after it, so no notification is lost and none costs a read of its own. An idle stream
 * reads nothing: its cost does not grow with time, only with the events it may want.
 */
export class EventStream {
  private cursor: EventCursor;
  /** The last position the client was told (an event's id, or a data-less id frame). */
  private sentCursor: EventCursor;
  private reading = false;
  private again = false;
  private closed = false;
  /** The re-poll while events are held back behind an open writer. */
  private pollTimer?: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly sink: EventSink,
    private readonly options: EventStreamOptions,
  ) {
    this.cursor = options.cursor;
    this.sentCursor = options.cursor;
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
    sink.onGone(() => this.close());
  }

  /** Where the stream is: the last event it handed over, or read past. */
  get position(): string {
    return formatCursor(this.cursor);
  }

  get principal(): Principal {
    return this.options.principal;
  }

  /**
   * Whether the event may be one this stream sends (room membership and which projects a
   * user manages are left to the read): a cheap test, so one event does not wake every
   * stream of the process. Never `false` for an event the stream's read would send (the
   * read's visibility, less what it needs the database for): the safety poll relies on that
   * to let a stream skip events ({@link skipTo}).
   */
  mayWant(event: EventAddress): boolean {
    if (compareCursors(event.cursor, this.cursor) <= 0) return false;
    if (!typeMatches(this.options.types, event.type)) return false;
    const { scope } = this.options;
    if (scope.kind === 'user')
      return scope.projectId === undefined || scope.projectId === event.projectId;
    if (event.projectId !== scope.projectId) return false;
    if (event.audience === 'agent') return event.agentId === scope.agentId;
    return event.audience !== 'managers';
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** The stream is open: tell the client where it starts, then catch up. */
  start(): void {
    this.sink.opened(formatCursor(this.cursor));
    this.wake();
  }

  /** Something may have committed (`cursor`: the notified event, when known). */
  wake(cursor?: string): void {
    if (this.closed) return;
    if (cursor !== undefined) {
      const notified = parseCursor(cursor);
      if (notified && compareCursors(notified, this.cursor) <= 0) return; // already past it
    }
    if (this.reading) {
      this.again = true;
      return;
    }
    void this.run();
  }

  /**
   * The process's safety poll read every event in (`from`, `through`] and {@link mayWant}
   * said no to each: a stream that is not reading and has read up to `from` moves its cursor
   * to `through` without reading them, so its next read and a reconnect start there.
   */
  skipTo(from: EventCursor, through: EventCursor): void {
    if (this.closed || this.reading) return;
    if (compareCursors(this.cursor, from) < 0 || compareCursors(through, this.cursor) <= 0) return;
    this.cursor = through;
  }

  /** Ends the stream (`reason` as a last comment line for people reading it). */
  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.pollTimer);
    this.sink.end(reason);
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  private async run(): Promise<void> {
    this.reading = true;
    clearTimeout(this.pollTimer);
    let heldBack = false;
    try {
      for (;;) {
        this.again = false;
        const batch = await this.options.inContext(() =>
          this.options.reader.read(this.options.scope, this.cursor, this.options.types, BATCH),
        );
        if (this.closed) return;
        if (batch.gapThrough) await this.sendGap(batch.gapThrough);
        for (const event of batch.events) {
          const out: StreamEvent = {
            id: formatCursor(event.cursor),
            type: event.type,
            project_id: event.projectId,
            occurred_at: event.occurredAt,
            data: event.data,
          };
          // A hook may change state (a message pushed to its recipient is handed over): in a
          // unit of work of its own, before the write; a write that then fails leaves the
          // message to its visibility window, so nothing is lost.
          const hooks = this.options.hooks;
          if (hooks)
            out.data = await this.options.inContext(() =>
              hooks.dataFor(out, this.options.principal),
            );
          if (this.closed) return;
          await this.sink.event(out);
          this.cursor = this.sentCursor = event.cursor;
        }
        // Every event up to there that this stream may see has been sent: skip the others'.
        if (batch.scannedThrough && compareCursors(batch.scannedThrough, this.cursor) > 0)
          this.cursor = batch.scannedThrough;
        heldBack = batch.heldBack;
        if (batch.events.length === BATCH || this.again) continue;
        break;
      }
    } catch (error) {
      // The client reconnects with its Last-Event-ID and misses nothing.
      this.options.onError(error);
      this.close('stream error, reconnect');
      return;
    } finally {
      this.reading = false;
    }
    if (this.closed || !heldBack) return;
    this.pollTimer = setTimeout(() => this.wake(), HELD_BACK_POLL_MS);
    this.pollTimer.unref();
  }

  private async sendGap(through: EventCursor): Promise<void> {
    const requested = formatCursor(this.cursor);
    const id = formatCursor(through);
    const gap: EventGap = {
      id,
      type: 'gap',
      last_event_id: requested,
      purged_through: id,
      message:
        'Events after last_event_id are no longer retained: resync through the REST API, then continue from this id.',
    };
    await this.sink.gap(gap);
    this.cursor = this.sentCursor = through;
  }

  /**
   * The keep-alive; when the stream has read past other scopes' events since the last id it
   * gave, also that position, so a reconnect resumes from there.
   */
  private beat(): void {
    if (compareCursors(this.cursor, this.sentCursor) > 0) {
      this.sentCursor = this.cursor;
      this.sink.idle(formatCursor(this.cursor));
    } else this.sink.idle();
  }
}
