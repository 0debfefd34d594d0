import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Principal } from '@agenthub/auth';
import { EventStreams, parseTypeFilter } from '@agenthub/events';
import type { EventSubscription } from '@agenthub/events';
import { McpSessionRepository } from './mcp-session.repository';
import { RESOURCE_EVENT_TYPES, resourcesChangedBy } from './mcp-resources';

/** How often the open streams check that their sessions still exist (DELETE on another process). */
export const SESSION_CHECK_INTERVAL_MS = 1_000;

export interface OpenServerStream {
  sessionId: string;
  principal: Principal;
  /** The user's JWT expiry (ms): the stream ends then. */
  expiresAt?: number;
  /** The request's MCP server, connected to the GET request's transport. */
  server: Server;
  /** Ends the GET response (the client may reconnect; a dead session then gets 404). */
  end(reason: string): void;
}

interface Entry {
  sessionId: string;
  end(reason: string): void;
}

/**
 * The server-to-client streams (`GET /mcp`) open in this process: each pushes
 * `notifications/resources/updated` for the resources its session subscribed to, whichever
 * process took the subscription (the subscriptions are rows), fed by the event stream with
 * the caller's visibility. A stream ends when its credentials stop being valid (the event
 * stream's checks), when its session is deleted (checked for all streams at once, every
 * {@link SESSION_CHECK_INTERVAL_MS}), or at shutdown.
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
      end: (reason) => {
        if (ended) return;
        ended = true;
        this.open.delete(entry);
        held.subscription?.close();
        stream.end(reason);
        this.stopTimerIfIdle();
      },
    };
    const subscription = await this.events.subscribe({
      principal: stream.principal,
      types: parseTypeFilter(RESOURCE_EVENT_TYPES),
      expiresAt: stream.expiresAt,
      onEvent: async (event) => {
        if (event.type === 'gap' || !('project_id' in event)) return;
        const uris = resourcesChangedBy(event);
        for (const uri of await this.sessions.subscribedAmong(stream.sessionId, uris))
          await stream.server.sendResourceUpdated({ uri });
      },
      onClose: (reason) => entry.end(reason),
    });
    held.subscription = subscription;
    if (ended) subscription.close();
    else {
      this.open.add(entry);
      this.timer ??= setInterval(() => void this.checkSessions(), SESSION_CHECK_INTERVAL_MS);
      this.timer.unref();
    }
    return () => entry.end('client went away');
  }

  /** Ends this process's streams of a session that was just deleted. */
  endSession(sessionId: string): void {
    for (const entry of [...this.open])
      if (entry.sessionId === sessionId) entry.end('session deleted');
  }

  onModuleDestroy(): void {
    for (const entry of [...this.open]) entry.end('server shutting down');
    this.stopTimerIfIdle();
  }

  private async checkSessions(): Promise<void> {
    if (this.checking || this.open.size === 0) return;
    this.checking = true;
    try {
      const ids = [...new Set([...this.open].map((entry) => entry.sessionId))];
      const live = await this.sessions.existing(ids);
      for (const entry of [...this.open])
        if (!live.has(entry.sessionId)) entry.end('session deleted');
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
