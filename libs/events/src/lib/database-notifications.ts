import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { Client, Notification } from 'pg';
import { APP_CONFIG, AppConfig, directDatabaseUrl } from '@agenthub/config';

/** NOTIFY channel of the event log; the payload is the new event's cursor, never the row. */
export const EVENTS_CHANNEL = 'agenthub_events';
/** NOTIFY channel of agents' inboxes; the payload is the id of an agent with new pending mail. */
export const INBOX_CHANNEL = 'agenthub_inbox';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;
/** How often the LISTEN connection proves it is alive (a dead TCP peer sends no error). */
const PING_INTERVAL_MS = 10_000;
const PING_TIMEOUT_MS = 5_000;

type Listener<T> = (value: T) => void;

/**
 * The process's one LISTEN connection: a `pg` client of its own on DATABASE_DIRECT_URL (LISTEN
 * needs a session; a transaction-mode pooler would hand each statement to another server
 * connection), never one of the pool's. It reconnects by itself with backoff; after every
 * (re)connect it tells {@link onConnected} listeners, so that streams read what committed
 * while nobody was listening. Notifications only wake readers: the tables are the truth.
 */
@Injectable()
export class DatabaseNotifications implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DatabaseNotifications.name);
  private client?: Client;
  private closed = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private readonly eventListeners = new Set<Listener<string>>();
  private readonly connectedListeners = new Set<Listener<void>>();
  private readonly inboxListeners = new Map<string, Set<Listener<string>>>();
  private listening = false;

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
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}; LISTEN ${INBOX_CHANNEL}`);
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
    this.reconnectDelay = RECONNECT_MIN_MS;
    this.pingTimer = setInterval(() => this.ping(client), PING_INTERVAL_MS);
    this.pingTimer.unref();
    for (const listener of this.connectedListeners) listener();
    // Inbox waiters may have missed a wake-up while the connection was down.
    for (const [agentId, set] of this.inboxListeners) for (const l of set) l(agentId);
  }

  private ping(client: Client): void {
    const timeout = setTimeout(
      () => this.lost(client, new Error('ping timed out')),
      PING_TIMEOUT_MS,
    );
    client
      .query('SELECT 1')
      .catch((error: unknown) => this.lost(client, error))
      .finally(() => clearTimeout(timeout));
  }

  /** The connection broke (or never came up): drop it and try again after a backoff. */
  private lost(client: Client, error?: unknown): void {
    if (client !== this.client && this.client !== undefined) return; // an old one, already replaced
    if (client === this.client) {
      this.client = undefined;
      this.listening = false;
      clearInterval(this.pingTimer);
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
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
    }
  }
}
