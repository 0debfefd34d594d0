import type { ServerResponse } from 'node:http';
import type { Principal } from '@agenthub/auth';
import { compareCursors, EventCursor, formatCursor, parseCursor } from './event-cursor';
import type { EventPushHooks, StreamEvent } from './event-push-hooks';
import type { EventAddress, EventReader, EventScope } from './event-reader';
import { TypeFilter, typeMatches } from './event-types';

/** Events per read; a stream further behind reads again at once. */
const BATCH = 200;
/** A stream reads anyway this often, whatever it heard (a lost notification, a clock). */
export const SAFETY_POLL_MS = 2_000;
/**
 * While events wait behind an open transaction of our database, read again this soon: that
 * transaction's commit brings no notification when it wrote no event.
 */
export const HELD_BACK_POLL_MS = 50;
/** A comment line this often keeps proxies from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;

export interface EventStreamOptions {
  principal: Principal;
  scope: EventScope;
  types: TypeFilter | null;
  /** The last event the client has (or the head of the log for a new client). */
  cursor: EventCursor;
  reader: EventReader;
  hooks: EventPushHooks;
  /** Runs a read in a unit of work of its own (a forked EntityManager). */
  inContext: <T>(work: () => Promise<T>) => Promise<T>;
  onError: (error: unknown) => void;
}

/**
 * One open `GET /events` connection: reads the log after its cursor whenever it is woken
 * (a notification, the LISTEN connection coming back, the safety poll) and writes what it
 * may see as server-sent events. One read at a time; wake-ups during a read are coalesced
 * into one more read after it, so no notification is lost and none costs a read of its own.
 */
export class EventStream {
  private cursor: EventCursor;
  /** The last position the client was told (an event's id, or a data-less id frame). */
  private sentCursor: EventCursor;
  private reading = false;
  private again = false;
  private closed = false;
  private pollTimer?: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly options: EventStreamOptions,
  ) {
    this.cursor = options.cursor;
    this.sentCursor = options.cursor;
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
    res.on('close', () => this.close());
  }

  get principal(): Principal {
    return this.options.principal;
  }

  /**
   * Whether the event may be one this stream sends (room membership and which projects a
   * user manages are left to the read): a cheap test, so one event does not wake every
   * stream of the process. A `false` only saves a read; the safety poll reads anyway.
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
    // An `id:` without data sets the client's Last-Event-ID without dispatching an event, so
    // a client that reconnects before any event came still resumes from here.
    this.write(`retry: 1000\nid: ${formatCursor(this.cursor)}\n\n`);
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

  /** Ends the stream (`reason` as a last comment line for people reading it). */
  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.pollTimer);
    if (reason && !this.res.writableEnded && !this.res.destroyed)
      this.res.write(`: closed: ${reason}\n\n`);
    if (!this.res.writableEnded) this.res.end();
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
          out.data = await this.options.inContext(() =>
            this.options.hooks.dataFor(out, this.options.principal),
          );
          if (this.closed) return;
          await this.send(`id: ${out.id}\nevent: ${out.type}\ndata: ${JSON.stringify(out)}\n\n`);
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
    if (this.closed) return;
    this.pollTimer = setTimeout(() => this.wake(), heldBack ? HELD_BACK_POLL_MS : SAFETY_POLL_MS);
    this.pollTimer.unref();
  }

  private async sendGap(through: EventCursor): Promise<void> {
    const requested = formatCursor(this.cursor);
    const id = formatCursor(through);
    const data = {
      id,
      type: 'gap',
      last_event_id: requested,
      purged_through: id,
      message:
        'Events after last_event_id are no longer retained: resync through the REST API, then continue from this id.',
    };
    await this.send(`id: ${id}\nevent: gap\ndata: ${JSON.stringify(data)}\n\n`);
    this.cursor = this.sentCursor = through;
  }

  /**
   * The keep-alive comment; when the stream has read past other scopes' events since the
   * last id it sent, also a data-less `id:` line, so a reconnect resumes from there (no
   * rescan, no false gap) without any event being dispatched.
   */
  private beat(): void {
    if (compareCursors(this.cursor, this.sentCursor) > 0) {
      this.sentCursor = this.cursor;
      this.write(`: keep-alive\nid: ${formatCursor(this.cursor)}\n\n`);
    } else this.write(': keep-alive\n\n');
  }

  /** Writes a frame, waiting for the socket to drain when its buffer is full. */
  private async send(frame: string): Promise<void> {
    if (this.closed) return;
    if (this.res.write(frame)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  private write(frame: string): void {
    if (!this.closed && !this.res.writableEnded) this.res.write(frame);
  }
}
