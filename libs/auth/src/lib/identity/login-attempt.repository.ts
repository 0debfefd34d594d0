import { Injectable } from '@nestjs/common';
import type { Transaction } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';

/** The failed attempts on one email inside the window, and when the oldest of them leaves it. */
export interface RecentAttempts {
  count: number;
  /** Seconds until the oldest counted attempt leaves the window; `null` when there is none. */
  retryAfterSeconds: number | null;
}

/**
 * The SQL of `login_attempts`, the login throttle's table. Every statement goes through the
 * ORM's connection, never an EntityManager: an EntityManager would join a transaction open in
 * the caller's async context, and these rows must not roll back with a failed login. The
 * statements that take a slot run in {@link transactional}'s transaction, on its `trx`.
 */
@Injectable()
export class LoginAttemptRepository {
  constructor(private readonly em: EntityManager) {}

  private get connection() {
    return this.em.getConnection();
  }

  /** Runs `work` in a transaction of its own on a connection of its own. */
  transactional<T>(work: (trx: Transaction) => Promise<T>): Promise<T> {
    return this.connection.transactional(work);
  }

  /** Serialises attempts on one email until `trx` ends (an advisory lock, no row is locked). */
  async lockEmail(email: string, trx: Transaction): Promise<void> {
    await this.connection.execute(
      `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`,
      [`agenthub.login:${email}`],
      'all',
      trx,
    );
  }

  /** The newest `max` attempts on `email` of the last `windowSeconds`, by the database's clock. */
  async recent(
    email: string,
    windowSeconds: number,
    max: number,
    trx: Transaction,
  ): Promise<RecentAttempts> {
    const [row] = await this.connection.execute<{ n: number; retry_after: number | null }[]>(
      `SELECT count(*)::int AS n,
              ceil(extract(epoch FROM (min(attempted_at) + make_interval(secs => ?) - now())))::int AS retry_after
         FROM (SELECT attempted_at FROM login_attempts
                WHERE email = ? AND attempted_at > now() - make_interval(secs => ?)
                ORDER BY attempted_at DESC LIMIT ?) AS newest`,
      [windowSeconds, email, windowSeconds, max],
      'all',
      trx,
    );
    return { count: row.n, retryAfterSeconds: row.retry_after };
  }

  /** Records an attempt; answers its id. */
  async insert(email: string, ip: string | null, trx: Transaction): Promise<string> {
    const [row] = await this.connection.execute<{ id: string }[]>(
      `INSERT INTO login_attempts (email, ip) VALUES (?, ?) RETURNING id`,
      [email, ip],
      'all',
      trx,
    );
    return String(row.id);
  }

  /** Deletes every attempt older than the window, of any email. */
  async deleteOlderThan(windowSeconds: number): Promise<void> {
    await this.connection.execute(
      `DELETE FROM login_attempts WHERE attempted_at < now() - make_interval(secs => ?)`,
      [windowSeconds],
      'run',
    );
  }

  /** Deletes the attempts on `email` up to and including `attemptId`. */
  async deleteUpTo(email: string, attemptId: string): Promise<void> {
    await this.connection.execute(
      `DELETE FROM login_attempts WHERE email = ? AND id <= ?`,
      [email, attemptId],
      'run',
    );
  }
}
