import type { ClientBase } from 'pg';
import { InterruptedError, LockTimeoutError } from './migration-errors';
import type { MigrationLogger } from './migration-logger';
import { sleep } from './sleep';

/** (classid, objid) of the migration lock: "AHMG", 1. Advisory locks are per database. */
export const MIGRATION_LOCK_KEY: readonly [number, number] = [0x41484d47, 1];

/** How long a migrator run, a restore or an import waits for the lock unless told otherwise. */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

export interface AcquireOptions {
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  logger?: MigrationLogger;
}

/**
 * The session-level advisory lock that lets one migrator at a time change the schema. It lives
 * on a dedicated connection (never a pooled one, where a session lock would leak to whoever gets
 * the connection next) and goes away with that connection if the process dies.
 */
export class AdvisoryLock {
  private held = false;

  constructor(private readonly client: ClientBase) {}

  get isHeld(): boolean {
    return this.held;
  }

  /** Polls pg_try_advisory_lock until it succeeds or `timeoutMs` passes (LockTimeoutError). */
  async acquire(options: AcquireOptions): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    const pollMs = options.pollMs ?? 250;
    let announced = false;
    for (;;) {
      if (options.signal?.aborted)
        throw new InterruptedError(
          String(options.signal.reason ?? 'abort'),
          'stopped waiting for the migration lock',
        );
      const { rows } = await this.client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1, $2) AS locked',
        [...MIGRATION_LOCK_KEY],
      );
      if (rows[0].locked) {
        this.held = true;
        return;
      }
      const holder = await this.holder();
      if (Date.now() >= deadline) {
        throw new LockTimeoutError(
          `another migrator holds the migration lock${holder ? ` (${holder})` : ''}; gave up after ${Math.round(options.timeoutMs / 1000)} s`,
        );
      }
      if (!announced) {
        options.logger?.info(
          `waiting for the migration lock${holder ? `, held by ${holder}` : ''}`,
          { timeout_s: options.timeoutMs / 1000 },
        );
        announced = true;
      }
      await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), options.signal);
    }
  }

  /** Who holds the lock: "pid 123, agenthub-migrator@host since …", for messages. */
  async holder(): Promise<string | undefined> {
    const { rows } = await this.client.query<{
      pid: number;
      application_name: string;
      client_addr: string | null;
      backend_start: Date;
    }>(
      `SELECT l.pid, a.application_name, a.client_addr::text AS client_addr, a.backend_start
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2
        LIMIT 1`,
      [...MIGRATION_LOCK_KEY],
    );
    const row = rows[0];
    if (!row) return undefined;
    const since = row.backend_start ? ` since ${new Date(row.backend_start).toISOString()}` : '';
    return `pid ${row.pid}${row.application_name ? `, ${row.application_name}` : ''}${row.client_addr ? ` from ${row.client_addr}` : ''}${since}`;
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await this.client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK_KEY]);
  }
}

/**
 * Runs `fn` holding the migration lock on `client`, a connection of the caller's that the
 * caller closes right after (restore). A failed release is ignored: the lock ends with
 * that connection anyway.
 */
export async function withMigrationLock<T>(
  client: ClientBase,
  options: Omit<AcquireOptions, 'timeoutMs'> & { timeoutMs?: number },
  fn: () => Promise<T>,
): Promise<T> {
  const lock = new AdvisoryLock(client);
  await lock.acquire({ ...options, timeoutMs: options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS });
  try {
    return await fn();
  } finally {
    await lock.release().catch(() => undefined);
  }
}
