import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { RequestContext } from '@mikro-orm/core';
import type { ServerResponse } from 'node:http';
import type { Principal } from '@agenthub/auth';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { DatabaseNotifications } from './database-notifications';
import { EventCursor } from './event-cursor';
import { EventPushHooks } from './event-push-hooks';
import { parseEventNotification } from './event-notification';
import { TooManyStreamsError } from './events.errors';
import { EventAddress, EventReader, EventScope } from './event-reader';
import {
  callbackSink,
  EventGap,
  EventSink,
  EventStream,
  SAFETY_POLL_MS,
  sseSink,
} from './event-stream';
import type { StreamEvent } from './event-push-hooks';
import type { TypeFilter } from './event-types';
import { StreamCredentialsRepository } from './stream-credentials.repository';

/** How often the open streams' credentials are checked again (revocation closes within this). */
export const REVALIDATE_INTERVAL_MS = 500;

/**
 * The most event addresses one safety poll reads; with more since the last poll, it wakes
 * every stream instead (as a bare-cursor notification does).
 */
export const POLL_ADDRESSES_MAX = 1_000;

export interface OpenStreamRequest {
  principal: Principal;
  scope: EventScope;
  types: TypeFilter | null;
  cursor: EventCursor;
}

/** Whose slots a stream takes: one agent key, or one user (with any of its tokens). */
export function streamOwner(principal: Principal): string {
  return principal.kind === 'agent' ? `key:${principal.keyId}` : `user:${principal.userId}`;
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
 * The open event streams of this process: wakes them on every notification, after the
 * LISTEN connection (re)connects and from the safety poll ({@link poll}), and closes those whose credentials stopped being valid
 * (agent key revoked or expired, agent deactivated or deleted, user deactivated or deleted
 * or no longer the superuser it was, JWT expired) with one batched query every
 * {@link REVALIDATE_INTERVAL_MS}. Every process checks its own streams against the shared
 * database, so a revocation closes them everywhere.
 *
 * It also holds each principal to EVENT_STREAMS_PER_PRINCIPAL open `GET /events` streams
 * ({@link admit}): every stream costs a socket, timers and a read of the log on each wake-up,
 * so one key must not be able to open thousands. The count is this process's own (N replicas:
 * up to N times the limit); in-process subscribers ({@link subscribe}) are not counted.
 */
@Injectable()
export class EventStreams implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EventStreams.name);
  private readonly open = new Set<EventStream>();
  /** Open `GET /events` streams per {@link streamOwner}; an owner with none has no entry. */
  private readonly perOwner = new Map<string, number>();
  private readonly unsubscribe: (() => void)[] = [];
  private revalidateTimer?: NodeJS.Timeout;
  private revalidating = false;
  private pollTimer?: NodeJS.Timeout;
  private polling = false;
  /** Where the last safety poll stopped; none before the first (or while no stream is open). */
  private polledThrough?: EventCursor;
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly em: EntityManager,
    private readonly notifications: DatabaseNotifications,
    private readonly reader: EventReader,
    private readonly hooks: EventPushHooks,
    private readonly credentials: StreamCredentialsRepository,
  ) {}

  /**
   * Runs `work` in a unit of work of its own: the streams' reads belong to no request.
   * (`RequestContext.create` forks the EntityManager it is given.)
   */
  private readonly inOwnContext = <T>(work: () => Promise<T>): Promise<T> =>
    RequestContext.create(this.em, work);

  /** How many streams this process has open. */
  get size(): number {
    return this.open.size;
  }

  onModuleInit(): void {
    this.unsubscribe.push(
      this.notifications.onEvent((payload) => this.notified(payload)),
      // Whatever committed while nobody listened is read now.
      this.notifications.onConnected(() => this.wakeAll()),
    );
    this.revalidateTimer = setInterval(() => void this.revalidate(), REVALIDATE_INTERVAL_MS);
    this.revalidateTimer.unref();
    this.pollTimer = setInterval(() => void this.poll(), SAFETY_POLL_MS);
    this.pollTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.revalidateTimer);
    clearInterval(this.pollTimer);
    for (const off of this.unsubscribe.splice(0)) off();
    // Open streams would keep the HTTP server from closing.
    for (const stream of [...this.open]) stream.close('server shutting down');
  }

  /** How many `GET /events` streams the principal has open on this process. */
  openFor(principal: Principal): number {
    return this.perOwner.get(streamOwner(principal)) ?? 0;
  }

  /**
   * Throws 429 `EVENT.TOO_MANY_STREAMS` when the principal has its EVENT_STREAMS_PER_PRINCIPAL
   * streams open already. Call it right before {@link start}, with nothing awaited in between,
   * so that concurrent requests cannot all pass it.
   */
  admit(principal: Principal): void {
    const limit = this.config.eventStreamsPerPrincipal;
    if (this.openFor(principal) >= limit) throw new TooManyStreamsError(limit);
  }

  /**
   * Starts streaming to `res` (its headers already written). The stream holds one of its
   * principal's slots until it closes (the client goes away, revocation, shutdown, an error).
   */
  start(res: ServerResponse, request: OpenStreamRequest): EventStream {
    const owner = streamOwner(request.principal);
    this.perOwner.set(owner, (this.perOwner.get(owner) ?? 0) + 1);
    const stream = this.track(sseSink(res), request, this.hooks);
    stream.onClose(() => {
      const left = (this.perOwner.get(owner) ?? 1) - 1;
      if (left > 0) this.perOwner.set(owner, left);
      else this.perOwner.delete(owner);
    });
    // Gone while the request was being checked: its 'close' has passed, so no listener hears it.
    if (res.destroyed) stream.close();
    return stream;
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
    const cursor = request.cursor ?? (await this.inOwnContext(() => this.reader.head()));
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
      inContext: this.inOwnContext,
      onError: (error) =>
        this.logger.warn(
          `event stream failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
    });
    this.open.add(stream);
    stream.onClose(() => this.open.delete(stream));
    stream.start();
    return stream;
  }

  /**
   * A notification came. When it says whom its events are for (every append of up to
   * ADDRESSED_EVENTS_MAX events), only the streams that may want one of them are woken, and
   * nothing is read to decide it. A bare cursor (a larger append, a process of an older
   * version) or an unreadable payload wakes every stream not already past it. The streams' own
   * reads stay the truth: a wake-up missed here costs latency (the safety poll), never an event.
   */
  private notified(payload: string): void {
    const notification = parseEventNotification(payload);
    if (notification.kind === 'addressed') {
      this.wakeFor(notification.events);
      return;
    }
    const cursor = notification.cursor === null ? undefined : payload;
    for (const stream of this.open) stream.wake(cursor);
  }

  /**
   * The safety poll: every {@link SAFETY_POLL_MS}, one statement reads whom the events
   * committed since the last poll are for, and the streams that may want one of them are
   * woken, as a notification would have woken them. So an event whose notification was lost
   * (the LISTEN connection was down, the payload unreadable) still reaches its streams
   * within about two seconds, while an idle stream reads nothing at all: a process with a
   * thousand idle streams runs one statement every two seconds, not five hundred a second.
   *
   * The streams not woken have nothing to read up to where the poll stopped (`mayWant` never
   * says no to an event a stream's read would send), so each that had read up to where the
   * previous poll stopped skips there ({@link EventStream.skipTo}): its next read and its
   * reconnect id start there, and it stays at or past where the next poll starts. Every
   * stream is woken instead (and reads, and its read moves it to the head) by the first poll,
   * which does not know where the streams stood and reads only the head of the log (where the
   * next poll starts), by one that found more than
   * {@link POLL_ADDRESSES_MAX} events, and by one that finds the retention purge has deleted
   * events after where the last one stopped (events it could not see).
   */
  async poll(): Promise<void> {
    if (this.polling) return;
    if (this.open.size === 0) {
      this.polledThrough = undefined;
      return;
    }
    this.polling = true;
    try {
      const from = this.polledThrough;
      if (from === undefined) {
        // Where the streams stood is unknown: every one reads (up to the head, or past it).
        this.polledThrough = await this.inOwnContext(() => this.reader.head());
        this.wakeAll();
        return;
      }
      const found = await this.inOwnContext(() =>
        this.reader.addressesAfter(from, POLL_ADDRESSES_MAX),
      );
      if (found.overflow || found.purged) this.wakeAll();
      else this.wakeFor(found.addresses, (stream) => stream.skipTo(from, found.through));
      this.polledThrough = found.through;
    } catch (error) {
      // The next round tries again from the same place; a stream's own reads fail and close it.
      this.logger.warn(
        `event poll failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.polling = false;
    }
  }

  private wakeAll(): void {
    for (const stream of this.open) stream.wake();
  }

  /**
   * Wakes the open streams that may want one of these events ({@link EventStream.mayWant});
   * each of the others is handed to `passed`.
   */
  private wakeFor(events: readonly EventAddress[], passed?: (stream: EventStream) => void): void {
    for (const stream of this.open) {
      if (events.some((e) => stream.mayWant(e))) stream.wake();
      else passed?.(stream);
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
      const valid = await this.inOwnContext(() =>
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
