import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { RequestContext } from '@mikro-orm/core';
import type { ServerResponse } from 'node:http';
import type { Principal } from '@agenthub/auth';
import { DatabaseNotifications } from './database-notifications';
import { compareCursors, EventCursor, parseCursor } from './event-cursor';
import { EventPushHooks } from './event-push-hooks';
import { parseEventNotification } from './event-notification';
import { EventReader, EventScope } from './event-reader';
import {
  callbackSink,
  EventGap,
  EventSink,
  EventStream,
  HELD_BACK_POLL_MS,
  sseSink,
} from './event-stream';
import type { StreamEvent } from './event-push-hooks';
import type { TypeFilter } from './event-types';
import { StreamCredentialsRepository } from './stream-credentials.repository';

/** How often the open streams' credentials are checked again (revocation closes within this). */
export const REVALIDATE_INTERVAL_MS = 500;
/** Events the process's tail looks at per read. */
const TAIL_BATCH = 1_000;

export interface OpenStreamRequest {
  principal: Principal;
  scope: EventScope;
  types: TypeFilter | null;
  cursor: EventCursor;
}

/** A subscriber inside the process (see {@link EventStreams.subscribe}). */
export interface SubscribeRequest {
  /** Whose visibility the subscriber has: the same events `GET /events` would show it. */
  principal: Principal;
  /** Only this project's events (it can only narrow what the principal sees). */
  projectId?: string;
  types: TypeFilter | null;
  /** Start after this event; default: the head of the log (what commits from now on). */
  cursor?: EventCursor;
  /** Each event in commit order, one at a time (the next waits for the returned promise). */
  onEvent: (event: StreamEvent | EventGap) => void | Promise<void>;
  /** The subscription ended: credentials no longer valid, shutdown, a read failed, or close(). */
  onClose?: (reason: string) => void;
}

export interface EventSubscription {
  /** The last event handed over or read past, as an event id. */
  position(): string;
  close(): void;
}

/**
 * The open event streams of this process: wakes them on every notification and after the
 * LISTEN connection (re)connects, and closes those whose credentials stopped being valid
 * (agent key revoked or expired, agent deactivated or deleted, user deactivated or deleted
 * or no longer the superuser it was, JWT expired) with one batched query every
 * {@link REVALIDATE_INTERVAL_MS}. Every process checks its own streams against the shared
 * database, so a revocation closes them everywhere.
 */
@Injectable()
export class EventStreams implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EventStreams.name);
  private readonly open = new Set<EventStream>();
  private readonly unsubscribe: (() => void)[] = [];
  private revalidateTimer?: NodeJS.Timeout;
  private revalidating = false;
  /**
   * How far the process's tail has looked (see {@link tail}). Set only while streams are open
   * (armed by {@link armTail} when the first one opens, dropped when the last one closes):
   * a process without streams has nobody to wake and reads nothing.
   */
  private tailCursor?: EventCursor;
  /** Bumped whenever the tail is dropped: a read begun before must not set the cursor after. */
  private tailEpoch = 0;
  private arming = false;
  /** Addressed notifications came since the tail was armed (see {@link notified}). */
  private tailBehind = false;
  private tailing = false;
  private tailAgain = false;
  private tailScheduled = false;
  private tailTimer?: NodeJS.Timeout;

  constructor(
    private readonly em: EntityManager,
    private readonly notifications: DatabaseNotifications,
    private readonly reader: EventReader,
    private readonly hooks: EventPushHooks,
    private readonly credentials: StreamCredentialsRepository,
  ) {}

  /** How many streams this process has open. */
  get size(): number {
    return this.open.size;
  }

  onModuleInit(): void {
    this.unsubscribe.push(
      this.notifications.onEvent((payload) => this.notified(payload)),
      // Whatever committed while nobody listened is read now.
      this.notifications.onConnected(() => {
        for (const stream of this.open) stream.wake();
        this.tail();
      }),
    );
    this.revalidateTimer = setInterval(() => void this.revalidate(), REVALIDATE_INTERVAL_MS);
    this.revalidateTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.revalidateTimer);
    this.dropTail();
    for (const off of this.unsubscribe.splice(0)) off();
    // Open streams would keep the HTTP server from closing.
    for (const stream of [...this.open]) stream.close('server shutting down');
  }

  /** Starts streaming to `res` (its headers already written). */
  start(res: ServerResponse, request: OpenStreamRequest): EventStream {
    return this.track(sseSink(res), request, this.hooks);
  }

  /**
   * Events to a callback in this process, with the visibility, order, resumption and
   * credential checks of `GET /events` (so across processes too), but no push hooks: a
   * subscriber observes, it never takes an agent's messages over. The protocol faces (MCP
   * resource subscriptions, A2A task streams) are built on this.
   */
  async subscribe(request: SubscribeRequest): Promise<EventSubscription> {
    const { principal } = request;
    const scope: EventScope =
      principal.kind === 'agent'
        ? { kind: 'agent', agentId: principal.agentId, projectId: principal.projectId }
        : {
            kind: 'user',
            userId: principal.userId,
            isSuperuser: principal.isSuperuser,
            projectId: request.projectId,
          };
    const cursor =
      request.cursor ?? (await RequestContext.create(this.em.fork(), () => this.reader.head()));
    let closed = false;
    const sink = callbackSink(request.onEvent, (reason) => {
      closed = true;
      request.onClose?.(reason);
    });
    const stream = this.track(sink, { principal, scope, types: request.types, cursor }, null);
    return {
      position: () => stream.position,
      close: () => {
        if (!closed) stream.close();
      },
    };
  }

  private track(
    sink: EventSink,
    request: OpenStreamRequest,
    hooks: EventPushHooks | null,
  ): EventStream {
    const stream = new EventStream(sink, {
      principal: request.principal,
      scope: request.scope,
      types: request.types,
      cursor: request.cursor,
      reader: this.reader,
      hooks,
      inContext: (work) => RequestContext.create(this.em.fork(), work),
      onError: (error) =>
        this.logger.warn(
          `event stream failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
    });
    this.open.add(stream);
    stream.onClose(() => {
      this.open.delete(stream);
      if (this.open.size === 0) this.dropTail();
    });
    stream.start();
    if (this.tailCursor === undefined) void this.armTail();
    return stream;
  }

  /**
   * Starts the tail at the head of the log, for the streams now open. Until it is armed,
   * every notification wakes every stream (exact, only slower). Once armed, every stream is
   * woken once more: an event at or before the head whose notification comes only after
   * this (another connection's commit, notified late) is skipped by the tail, and this read
   * of each stream, bounded at or past the head's bound, is the one that sees it.
   */
  private async armTail(): Promise<void> {
    if (this.arming) return;
    this.arming = true;
    const epoch = this.tailEpoch;
    try {
      const head = await RequestContext.create(this.em.fork(), () => this.reader.head());
      if (epoch !== this.tailEpoch || this.open.size === 0) return;
      this.tailCursor = head;
      this.tailBehind = false;
      for (const stream of this.open) stream.wake();
    } catch (error) {
      // Left unarmed: every notification wakes every stream; the next stream tries again.
      this.logger.warn(
        `event tail not started: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.arming = false;
    }
  }

  /** The last stream closed (or shutdown): nobody to wake, so no tail reads until the next. */
  private dropTail(): void {
    this.tailEpoch++;
    this.tailCursor = undefined;
    this.tailAgain = false;
    clearTimeout(this.tailTimer);
  }

  /**
   * A notification came. When it says whom its events are for (every append of up to
   * ADDRESSED_EVENTS_MAX events), the streams that may want one of them are woken at once,
   * without a read; the tail is not involved (a wake-up it would have sent comes from here).
   * Otherwise the tail reads who they are for.
   */
  private notified(payload: string): void {
    if (this.open.size === 0) return;
    const notification = parseEventNotification(payload);
    if (notification.kind === 'addressed') {
      for (const stream of this.open)
        if (notification.events.some((e) => stream.mayWant(e))) stream.wake();
      // The tail did not look at these events: its cursor is behind.
      this.tailBehind = true;
      return;
    }
    if (this.tailBehind && this.tailCursor !== undefined) {
      // Rather than read through every addressed event since the tail last looked: every
      // stream reads once (those reads see this notification's events), and the tail starts
      // again at the head.
      this.tailBehind = false;
      this.dropTail();
      for (const stream of this.open) stream.wake();
      void this.armTail();
      return;
    }
    this.tail(notification.cursor === null ? undefined : payload);
  }

  /**
   * A bare cursor was notified (or nothing is known): one read of who the new events are for (no data), for the whole
   * process, then a wake-up for only the streams that may want one of them, instead of a
   * read by every stream for every event. Coalesced: the notifications of one turn of the
   * event loop (a burst arrives in one socket read) start one read, and those that come
   * during a read one more read after it. Re-polls while events are held back behind an open
   * writer (its commit may bring no notification). No stream open: nothing to wake, no read.
   * The streams' own reads stay the truth: a wake-up missed here costs latency (the safety
   * poll), never an event.
   */
  private tail(notified?: string): void {
    if (this.open.size === 0) return;
    if (this.tailCursor === undefined) {
      for (const stream of this.open) stream.wake(notified);
      return;
    }
    const cursor = notified === undefined ? null : parseCursor(notified);
    if (cursor && compareCursors(cursor, this.tailCursor) <= 0) return;
    if (this.tailing) {
      this.tailAgain = true;
      return;
    }
    if (this.tailScheduled) return;
    this.tailScheduled = true;
    clearTimeout(this.tailTimer);
    setImmediate(() => {
      this.tailScheduled = false;
      void this.readTail();
    });
  }

  private async readTail(): Promise<void> {
    if (this.tailing || this.tailCursor === undefined) return;
    let from: EventCursor = this.tailCursor;
    this.tailing = true;
    const epoch = this.tailEpoch;
    let heldBack = false;
    let dropped = false;
    try {
      for (;;) {
        this.tailAgain = false;
        const after = from;
        const batch = await RequestContext.create(this.em.fork(), () =>
          this.reader.tail(after, TAIL_BATCH),
        );
        // Dropped meanwhile (the last stream closed): whoever opens next arms a new tail.
        if (epoch !== this.tailEpoch) {
          dropped = true;
          break;
        }
        heldBack = batch.heldBack;
        if (batch.events.length > 0) {
          for (const stream of this.open)
            if (batch.events.some((e) => stream.mayWant(e))) stream.wake();
          from = this.tailCursor = batch.events[batch.events.length - 1].cursor;
        }
        if (batch.events.length < TAIL_BATCH && !this.tailAgain) break;
      }
    } catch (error) {
      heldBack = false;
      this.logger.warn(
        `event tail failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      for (const stream of this.open) stream.wake();
    } finally {
      this.tailing = false;
    }
    if (dropped) {
      // A notification for a tail armed since came during this stale read: read for it now.
      if (this.tailAgain) this.tail();
      return;
    }
    if (heldBack) {
      this.tailTimer = setTimeout(() => this.tail(), HELD_BACK_POLL_MS);
      this.tailTimer.unref();
    }
  }

  /** One round: every open stream's credentials in one query; the invalid ones close. */
  async revalidate(): Promise<void> {
    if (this.revalidating || this.open.size === 0) return;
    this.revalidating = true;
    try {
      const entries = [...this.open];
      const keyIds = new Set<string>();
      const userIds = new Set<string>();
      for (const stream of entries) {
        const p = stream.principal;
        if (p.kind === 'agent') keyIds.add(p.keyId);
        else userIds.add(p.userId);
      }
      const valid = await RequestContext.create(this.em.fork(), () =>
        this.credentials.stillValid([...keyIds], [...userIds]),
      );
      const now = Date.now();
      for (const stream of entries) {
        const p = stream.principal;
        const ok =
          p.kind === 'agent'
            ? valid.keyIds.has(p.keyId)
            : valid.users.get(p.userId)?.isSuperuser === p.isSuperuser &&
              (p.tokenExpiresAt === undefined || now < p.tokenExpiresAt);
        if (!ok) stream.close('credentials no longer valid');
      }
    } catch (error) {
      // A database hiccup keeps streams open (their reads fail and close them if it lasts).
      this.logger.warn(
        `stream revalidation failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.revalidating = false;
    }
  }
}
