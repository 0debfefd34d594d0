/**
 * Whether an error means "the database cannot be reached right now" rather than "this request
 * is wrong" or "this is a bug": PostgreSQL shutting down or starting up, a connection refused,
 * reset or cut, no connection free in the pool within its acquire timeout, or a pooler in front
 * (PgBouncer) that has no server to give. Such a request is answered 503 with `Retry-After`
 * (see toProblem); a write it carried may or may not have committed when the connection went
 * away mid-COMMIT, which is what 503 (not 4xx) says.
 *
 * The driver's error travels wrapped (MikroORM's DriverException copies its fields, knex
 * rethrows), so the causes are walked.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return classify(error) === 'unavailable';
}

/**
 * Whether the database cancelled the statement at `statement_timeout` (57014): 503 as well, but
 * not an outage — the same slow statement will time out again, so it is logged as an error
 * each time (problem filter, PeriodicRound) rather than waited out.
 */
export function isStatementTimeout(error: unknown): boolean {
  return classify(error) === 'timeout';
}

/**
 * Walks the wrappers until one says what happened. An error carrying any other SQLSTATE (a
 * constraint violation, a syntax error) ends the walk as "not unavailable": the database
 * answered. Messages are only read on errors without a code, and only the driver's own text
 * (after knex's `<sql> - ` prefix), so text a client sent can never make an error look like an
 * outage.
 */
function classify(error: unknown): 'unavailable' | 'timeout' | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as ErrorLike;
    if (e.name === 'KnexTimeoutError') return 'unavailable';
    if (typeof e.code === 'string' && e.code !== '') {
      if (NETWORK_CODES.has(e.code)) return 'unavailable';
      if (e.code === STATEMENT_TIMEOUT) return 'timeout';
      if (SQLSTATE.test(e.code)) return pgbouncerMisconfigured(e) ? undefined : 'unavailable';
      if (/^[0-9A-Z]{5}$/.test(e.code)) return undefined; // the database answered otherwise
    } else if (typeof e.message === 'string') {
      const at = e.message.lastIndexOf(' - ');
      const own = at >= 0 ? e.message.slice(at + 3) : e.message;
      if (MESSAGES.some((m) => own.startsWith(m))) return 'unavailable';
    }
    current = e.previous ?? e.cause ?? e.originalError;
  }
  return undefined;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  previous?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** Socket errors of a connection that is refused, cut or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs: class 08 (connection exception; PgBouncer answers 08P01 when it has no server),
 * 57P01–57P03 (admin / crash shutdown, cannot connect now: the server is stopping or starting),
 * 53300 (too many connections).
 */
const SQLSTATE = /^(08...|57P0[123]|53300)$/;
const STATEMENT_TIMEOUT = '57014';

/** PgBouncer's 08P01 for a configuration error: it will not heal by retrying, so not a 503. */
function pgbouncerMisconfigured(error: ErrorLike): boolean {
  const message = typeof error.message === 'string' ? error.message : '';
  return /unsupported startup parameter|no such database|no such user|unsupported pkt type/.test(
    message,
  );
}

/** What `pg` and knex say, without a code, when a connection dies or none is free. */
const MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Timeout acquiring a connection',
  'Client was closed and is not queryable',
  'Connection ended unexpectedly',
  // knex's answer to every later statement of a transaction whose connection died under it
  // (the server was shutting down as its BEGIN or a statement ran): the cause went to the
  // statement that failed first, this is what the request's next statement gets.
  'Transaction query already complete',
];
