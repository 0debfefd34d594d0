import { Injectable } from '@nestjs/common';
import { TooManyLoginAttemptsError } from './auth.errors';
import { LoginAttemptRepository } from './login-attempt.repository';

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
 * These statements never join a transaction of the request (see LoginAttemptRepository): a
 * failed login's slot is its failure record and must outlive the failed request.
 */
@Injectable()
export class LoginThrottle {
  constructor(private readonly attempts: LoginAttemptRepository) {}

  /** Takes a slot for one attempt on `email` (normalised); 429 when the email is locked. */
  async reserve(email: string, ip: string | undefined): Promise<string> {
    const id = await this.attempts.transactional(async (trx) => {
      await this.attempts.lockEmail(email, trx);
      const recent = await this.attempts.recent(
        email,
        LOGIN_WINDOW_SECONDS,
        LOGIN_MAX_FAILURES,
        trx,
      );
      // Locked until the oldest of the newest N failures leaves the window.
      if (recent.count >= LOGIN_MAX_FAILURES)
        throw new TooManyLoginAttemptsError(Math.max(1, recent.retryAfterSeconds ?? 1));
      return this.attempts.insert(email, ip?.slice(0, 64) ?? null, trx);
    });
    // Attempts older than the window mean nothing any more; keep the table small.
    await this.attempts.deleteOlderThan(LOGIN_WINDOW_SECONDS);
    return id;
  }

  /** A successful login: frees its slot and forgets the email's earlier failures. */
  async succeeded(email: string, attemptId: string): Promise<void> {
    await this.attempts.deleteUpTo(email, attemptId);
  }
}
