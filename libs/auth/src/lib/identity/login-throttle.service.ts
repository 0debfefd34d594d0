import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { TooManyLoginAttemptsError } from './auth.errors';

export const LOGIN_MAX_FAILURES = 10;
export const LOGIN_WINDOW_SECONDS = 15 * 60;

/**
 * At most {@link LOGIN_MAX_FAILURES} failed logins per email in a sliding window of
 * {@link LOGIN_WINDOW_SECONDS}; then 429 until the oldest of those leaves the window.
 *
 * The attempts live in PostgreSQL (`login_attempts`), so every API process sharing the
 * database enforces the same limit, and the clock is the database's. Each attempt takes a
 * slot *before* the password is checked, under a per-email advisory lock: concurrent
 * guesses cannot all slip under the limit. A failed attempt keeps its slot (it is the
 * failure record); a successful login frees it together with the earlier failures.
 *
 * These writes use their own connection and transaction, never the request's: a failed
 * login rolls its request back, and the failure must still count.
 */
@Injectable()
export class LoginThrottle {
  constructor(private readonly em: EntityManager) {}

  /** Takes a slot for one attempt on `email` (normalised); 429 when the email is locked. */
  async reserve(email: string, ip: string | undefined): Promise<string> {
    const connection = this.em.getConnection();
    const id = await connection.transactional(async (trx) => {
      await connection.execute(
        `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`,
        [`agenthub.login:${email}`],
        'all',
        trx,
      );
      const [recent] = await connection.execute<{ n: number; retry_after: number | null }[]>(
        `SELECT count(*)::int AS n,
                ceil(extract(epoch FROM (min(attempted_at) + make_interval(secs => ?) - now())))::int AS retry_after
           FROM (SELECT attempted_at FROM login_attempts
                  WHERE email = ? AND attempted_at > now() - make_interval(secs => ?)
                  ORDER BY attempted_at DESC LIMIT ?) AS newest`,
        [LOGIN_WINDOW_SECONDS, email, LOGIN_WINDOW_SECONDS, LOGIN_MAX_FAILURES],
        'all',
        trx,
      );
      // Locked until the oldest of the newest N failures leaves the window.
      if (recent.n >= LOGIN_MAX_FAILURES)
        throw new TooManyLoginAttemptsError(Math.max(1, recent.retry_after ?? 1));
      const [row] = await connection.execute<{ id: string }[]>(
        `INSERT INTO login_attempts (email, ip) VALUES (?, ?) RETURNING id`,
        [email, ip?.slice(0, 64) ?? null],
        'all',
        trx,
      );
      return String(row.id);
    });
    // Attempts older than the window mean nothing any more; keep the table small.
    await connection.execute(
      `DELETE FROM login_attempts WHERE attempted_at < now() - make_interval(secs => ?)`,
      [LOGIN_WINDOW_SECONDS],
      'run',
    );
    return id;
  }

  /** A successful login: frees its slot and forgets the email's earlier failures. */
  async succeeded(email: string, attemptId: string): Promise<void> {
    await this.em
      .getConnection()
      .execute(`DELETE FROM login_attempts WHERE email = ? AND id <= ?`, [email, attemptId], 'run');
  }
}
