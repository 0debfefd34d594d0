import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Principal } from '@agenthub/auth';
import { EventStreams, parseTypeFilter } from '@agenthub/events';
import type { EventSubscription } from '@agenthub/events';
import { McpSessionRepository } from './mcp-session.repository';
import { RESOURCE_EVENT_TYPES, resourcesChangedBy } from './mcp-resources';

/**
 * How often the open streams re-read their sessions (all in one statement): whether each still
 * exists (a DELETE on another process ends its streams here) and what it subscribed to (a
 * subscription taken on another process is honoured here from then on).
 */
export const SESSION_CHECK_INTERVAL_MS = 1_000;

export interface OpenServerStream {
  sessionId: string;
  principal: Principal;
  /** The request's MCP server, connected to the GET request's transport. */
  server: Server;
  /** Ends the GET response (the client may reconnect; a dead session then gets 404). */
  end(reason: string): void;
}

interface Entry {
  sessionId: string;
  /** The session's subscriptions, as last read (and as changed on this process since). */
  uris: Set<string>;
  /** Grows with every change made on this process: a read that started before is stale. */
  changes: number;
  end(reason: string): void;
}

/**
 * The server-to-client streams (`GET /mcp`) open in this process: each pushes
 * `notifications/resources/updated` for the resources its session subscribed to, fed by the
 * event stream with the caller's visibility. The subscriptions are rows, so whichever process
 * took one, every stream of the session honours it: at once on this process, within
 * {@link SESSION_CHECK_INTERVAL_MS} on the others. A stream ends when its credentials stop being
 * valid (the event stream's checks), when its session is deleted, or at shutdown.
 */
@Injectable()
export class McpStreams implements OnModuleDestroy {
  private readonly logger = new Logger(McpStreams.name);
  private readonly open = new Set<Entry>();
  private timer?: NodeJS.Timeout;
  private checking = false;

  constructor(
    private readonly events: EventStreams,
    private readonly sessions: McpSessionRepository,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Starts feeding `stream`; the returned function stops it (the client went away). */
  async start(stream: OpenServerStream): Promise<() => void> {
    let ended = false;
    // Set once subscribed; the stream can end before (its credentials already invalid).
    const held: { subscription?: EventSubscription } = {};
    const entry: Entry = {
      sessionId: stream.sessionId,
      uris: new Set(),
      changes: 0,
      end: (reason) => {
        if (ended) return;
        ended = true;
        this.open.delete(entry);
        held.subscription?.close();
        stream.end(reason);
        this.stopTimerIfIdle();
      },
    };
    // Registered first, so that a subscription taken while this stream opens is not missed.
    this.open.add(entry);
    try {
      const changes = entry.changes;
      const subscribed = (await this.sessions.subscriptionsOf([stream.sessionId])).get(
        stream.sessionId,
      );
      if (entry.changes === changes) entry.uris = new Set(subscribed ?? []);
      held.subscription = await this.events.subscribe({
        principal: stream.principal,
        types: parseTypeFilter(RESOURCE_EVENT_TYPES),
        onEvent: async (event) => {
          // Changes the log no longer holds may have touched any of them: read them again.
          if (event.type === 'gap') {
            for (const uri of entry.uris) await stream.server.sendResourceUpdated({ uri });
            return;
          }
          if (!('project_id' in event)) return;
          for (const uri of resourcesChangedBy(event))
            if (entry.uris.has(uri)) await stream.server.sendResourceUpdated({ uri });
        },
        onClose: (reason) => entry.end(reason),
      });
    } catch (error) {
      entry.end('could not start');
      throw error;
    }
    if (ended) held.subscription.close();
    else {
      this.timer ??= setInterval(() => void this.checkSessions(), SESSION_CHECK_INTERVAL_MS);
      this.timer.unref();
    }
    return () => entry.end('client went away');
  }

  /** The session subscribed to `uri` (on this process): its streams here honour it at once. */
  subscribed(sessionId: string, uri: string): void {
    for (const entry of this.entriesOf(sessionId)) {
      entry.uris.add(uri);
      entry.changes++;
    }
  }

  unsubscribed(sessionId: string, uri: string): void {
    for (const entry of this.entriesOf(sessionId)) {
      entry.uris.delete(uri);
      entry.changes++;
    }
  }

  /** Ends this process's streams of a session that was just deleted. */
  endSession(sessionId: string): void {
    for (const entry of this.entriesOf(sessionId)) entry.end('session deleted');
  }

  onModuleDestroy(): void {
    for (const entry of [...this.open]) entry.end('server shutting down');
    this.stopTimerIfIdle();
  }

  private entriesOf(sessionId: string): Entry[] {
    return [...this.open].filter((entry) => entry.sessionId === sessionId);
  }

  private async checkSessions(): Promise<void> {
    if (this.checking || this.open.size === 0) return;
    this.checking = true;
    try {
      const entries = [...this.open];
      const changes = entries.map((entry) => entry.changes);
      const live = await this.sessions.subscriptionsOf([
        ...new Set(entries.map((entry) => entry.sessionId)),
      ]);
      entries.forEach((entry, i) => {
        const uris = live.get(entry.sessionId);
        if (!uris) entry.end('session deleted');
        // A change made here while the statement ran is newer than what it read.
        else if (entry.changes === changes[i]) entry.uris = new Set(uris);
      });
    } catch (error) {
      this.logger.warn(
        `checking the MCP sessions failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.checking = false;
    }
  }

  private stopTimerIfIdle(): void {
    if (this.open.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
