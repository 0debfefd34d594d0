import { availableParallelism } from 'node:os';
import { LoginsBusyError } from './auth.errors';

/**
 * How many password checks (argon2, about 50 ms of one core each) may run at once in one
 * process: one core fewer than the machine has, so the event loop (every other request) always
 * has a core, and one thread fewer than libuv's pool, where argon2 runs, so file and DNS work
 * never waits behind a flood of logins. At least 1.
 */
export function passwordCheckConcurrency(
  cores = availableParallelism(),
  threadPool = Number(process.env['UV_THREADPOOL_SIZE']) || 4,
): number {
  return Math.max(1, Math.min(cores - 1, threadPool - 1));
}

/** Logins that may wait for a check, per check that may run: a wait of at most ~8 checks. */
export const LOGIN_QUEUE_PER_CHECK = 8;

/** What a login does with its place: `check` runs one password check when a slot is free. */
export type PasswordCheck = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * The bound on logins in one process. A flood of failed logins from many emails gets past the
 * per-email throttle (each email fails only once), and each costs a full argon2 check (an
 * unknown email is checked against a dummy hash): without a bound, it would take every core
 * from the other clients. So at most `concurrency` checks run at once, at most `queue` more
 * logins wait for one, and a login beyond that is refused at once, before it reads or writes
 * anything ({@link LoginsBusyError}: 429 with Retry-After). Refused attempts do not count
 * towards the email's throttle.
 */
export class PasswordCheckGate {
  /** Logins admitted and not finished (running a check, waiting for one, or around it). */
  private admitted = 0;
  private checking = 0;
  private readonly turns: (() => void)[] = [];

  constructor(
    readonly concurrency = passwordCheckConcurrency(),
    readonly queue = LOGIN_QUEUE_PER_CHECK * concurrency,
  ) {}

  /** Logins in progress: at most concurrency + queue. */
  get inProgress(): number {
    return this.admitted;
  }

  /**
   * Runs one login (`login`, which runs its password checks through `check`), or throws
   * {@link LoginsBusyError} without running it when concurrency + queue logins are in progress.
   */
  async admit<T>(login: (check: PasswordCheck) => Promise<T>): Promise<T> {
    if (this.admitted >= this.concurrency + this.queue) throw new LoginsBusyError();
    this.admitted++;
    try {
      return await login((work) => this.check(work));
    } finally {
      this.admitted--;
    }
  }

  private async check<T>(work: () => Promise<T>): Promise<T> {
    if (this.checking < this.concurrency) this.checking++;
    // The slot is handed over by the check that ends (checking stays as it is).
    else await new Promise<void>((resolve) => this.turns.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.turns.shift();
      if (next) next();
      else this.checking--;
    }
  }
}
