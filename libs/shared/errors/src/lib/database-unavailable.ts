/**
 * Whether an error means "the database cannot be reached right now" rather than "this request
 * is wrong" or "this is a bug": PostgreSQL shutting down or starting up, a connection refused,
 * reset or cut, no connection free in the pool within its acquire timeout, a statement that ran
 * into `statement_timeout`, or a pooler in front (PgBouncer) that has no server to give. Such a
 * request is answered 503 with `Retry-After` (see toProblem); a write it carried may or may not
 * have committed when the connection went away mid-COMMIT, which is what 503 (not 4xx) says.
 *
 * The driver's error travels wrapped (MikroORM's DriverException copies its fields, knex
 * rethrows), so the causes are walked.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (looksUnavailable(current)) return true;
    const next = current as ErrorLike;
    current = next.previous ?? next.cause ?? next.originalError;
  }
  return false;
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
 * 53300 (too many connections), 57014 (query cancelled: statement_timeout).
 */
const SQLSTATE = /^(08...|57P0[123]|53300|57014)$/;

/** What `pg` and knex say, without a code, when a connection dies or none is free. */
const MESSAGES = [
  'Connection terminated',
  'connection terminated',
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

function looksUnavailable(error: ErrorLike): boolean {
  if (error.name === 'KnexTimeoutError') return true;
  if (
    typeof error.code === 'string' &&
    (NETWORK_CODES.has(error.code) || SQLSTATE.test(error.code))
  )
    return true;
  const message = typeof error.message === 'string' ? error.message : '';
  return MESSAGES.some((m) => message.includes(m));
}
