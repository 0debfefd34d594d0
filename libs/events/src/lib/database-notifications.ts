import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { Client, Notification } from 'pg';
import type { AccessChanges } from '@agenthub/auth';
import { APP_CONFIG, AppConfig, directDatabaseUrl } from '@agenthub/config';

/** NOTIFY channel of the event log; the payload is the new event's cursor, never the row. */
export const EVENTS_CHANNEL = 'agenthub_events';
/** NOTIFY channel of agents' inboxes; the payload is the id of an agent with new pending mail. */
export const INBOX_CHANNEL = 'agenthub_inbox';
/** NOTIFY channel of access changes (database triggers on keys, agents, users); see AccessChanges. */
export const ACCESS_CHANNEL = 'agenthub_access';

const RECONNECT_MIN_MS = 100;
/**
 * At most a second between attempts: after an outage the connection is back within a second of
 * the server (a reconnect attempt to a server that is down costs a refused TCP connect).
 */
const RECONNECT_MAX_MS = 1_000;
/**
 * How often the LISTEN connection proves it is alive (a dead TCP peer sends no error): often
 * enough that the access cache, which trusts it only for a second after a proof, stays on.
 */
const PING_INTERVAL_MS = 250;
/** A ping unanswered this long drops the connection (and the backoff loop reconnects). */
const PING_TIMEOUT_MS = 5_000;
/** How long a proof lasts for {@link DatabaseNotifications.isLive}. */
const PROOF_MS = 1_000;

type Listener<T> = (value: T) => void;

/**
 * The process's one LISTEN connection: a `pg` client of its own on DATABASE_DIRECT_URL (LISTEN
 * needs a session; a transaction-mode pooler would hand each statement to another server
 * connection), never one of the pool's. It reconnects by itself with backoff; after every
 * (re)connect it tells {@link onConnected} listeners, so that streams read what committed
 * while nobody was listening. Notifications only wake readers: the tables are the truth.
 * It is also the process's {@link AccessChanges}: the auth guard's cache lives only while
 * this connection is proven alive.
 */
@Injectable()
export class DatabaseNotifications
  implements OnApplicationBootstrap, OnModuleDestroy, AccessChanges
{
  private readonly logger = new Logger(DatabaseNotifications.name);
  private client?: Client;
  private closed = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private readonly eventListeners = new Set<Listener<string>>();
  private readonly connectedListeners = new Set<Listener<void>>();
  private readonly inboxListeners = new Map<string, Set<Listener<string>>>();
  private readonly accessListeners = new Set<Listener<void>>();
  private listening = false;
  private pinging = false;
  /** When the last round trip that came back started (ms since the epoch); 0: none since connect. */
  private provenAt = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Whether LISTEN is in place right now. */
  get isListening(): boolean {
    return this.listening;
  }

  async onApplicationBootstrap(): Promise<void> {
    // The first attempt is awaited so streams opened right after start are woken; a failure
    // does not stop the app (the backoff loop keeps trying, and streams also poll).
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }

  /**
   * Whether every notification committed before a moment less than a second ago has been
   * dispatched: LISTEN is in place, and a round trip started since then came back (a session
   * is handed its pending notifications before the answer to its next statement).
   */
  isLive(): boolean {
    return this.listening && Date.now() - this.provenAt < PROOF_MS;
  }

  /** Called on every access change, on every (re)connect and on every loss of the connection. */
  onAccessChange(listener: Listener<void>): () => void {
    this.accessListeners.add(listener);
    return () => this.accessListeners.delete(listener);
  }

  /** Called with the cursor of every event committed anywhere; returns an unsubscribe. */
  onEvent(listener: Listener<string>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Called after each successful (re)connect of the LISTEN connection. */
  onConnected(listener: Listener<void>): () => void {
    this.connectedListeners.add(listener);
    return () => this.connectedListeners.delete(listener);
  }

  /** Called when the agent may have new pending messages; returns an unsubscribe. */
  onInbox(agentId: string, listener: Listener<string>): () => void {
    let set = this.inboxListeners.get(agentId);
    if (!set) this.inboxListeners.set(agentId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.inboxListeners.delete(agentId);
    };
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({
      connectionString: directDatabaseUrl(this.config),
      application_name: 'agenthub-listen',
      keepAlive: true,
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => this.dispatch(message));
    let listenedAt = 0;
    try {
      await client.connect();
      listenedAt = Date.now();
      await client.query(
        `LISTEN ${EVENTS_CHANNEL}; LISTEN ${INBOX_CHANNEL}; LISTEN ${ACCESS_CHANNEL}`,
      );
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.listening = true;
    this.provenAt = listenedAt;
    this.reconnectDelay = RECONNECT_MIN_MS;
    this.pingTimer = setInterval(() => this.ping(client), PING_INTERVAL_MS);
    this.pingTimer.unref();
    for (const listener of this.connectedListeners) listener();
    // What changed while nobody listened is unknown: whatever was cached from before goes.
    for (const listener of this.accessListeners) listener();
    // Inbox waiters may have missed a wake-up while the connection was down.
    for (const [agentId, set] of this.inboxListeners) for (const l of set) l(agentId);
  }

  private ping(client: Client): void {
    if (this.pinging) return; // the last one is still out: its timeout decides
    this.pinging = true;
    const startedAt = Date.now();
    const timeout = setTimeout(
      () => this.lost(client, new Error('ping timed out')),
      PING_TIMEOUT_MS,
    );
    client
      .query('SELECT 1')
      .then(() => {
        if (client === this.client) this.provenAt = startedAt;
      })
      .catch((error: unknown) => this.lost(client, error))
      .finally(() => {
        clearTimeout(timeout);
        this.pinging = false;
      });
  }

  /** The connection broke (or never came up): drop it and try again after a backoff. */
  private lost(client: Client, error?: unknown): void {
    if (client !== this.client && this.client !== undefined) return; // an old one, already replaced
    if (client === this.client) {
      this.client = undefined;
      this.listening = false;
      this.provenAt = 0;
      clearInterval(this.pingTimer);
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      for (const listener of this.accessListeners) listener();
    }
    if (this.closed || this.reconnectTimer) return;
    if (error)
      this.logger.warn(
        `LISTEN connection lost (${error instanceof Error ? error.message : String(error)}); reconnecting in ${this.reconnectDelay} ms`,
      );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
  }

  private dispatch(message: Notification): void {
    const payload = message.payload ?? '';
    if (message.channel === EVENTS_CHANNEL) {
      for (const listener of this.eventListeners) listener(payload);
    } else if (message.channel === INBOX_CHANNEL) {
      for (const listener of this.inboxListeners.get(payload) ?? []) listener(payload);
    } else if (message.channel === ACCESS_CHANNEL) {
      for (const listener of this.accessListeners) listener();
    }
  }
}
