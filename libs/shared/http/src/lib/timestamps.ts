/** The wire's form, ISO 8601 in UTC with milliseconds: what `Date.toISOString()` writes. */
const WIRE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A timestamp on the wire: ISO 8601 in UTC. Rows hand back a Date (the ORM, pg) or
 * PostgreSQL's text (raw rows of some drivers); both read the same way. Text already in the
 * wire's form (from {@link wireTimestampSql}) is passed on as it is. `null` stays null.
 */
export function isoTimestamp(at: Date | string): string;
export function isoTimestamp(at: Date | string | null): string | null;
export function isoTimestamp(at: Date | string | null): string | null {
  if (at === null) return null;
  if (typeof at === 'string' && WIRE_TIMESTAMP.test(at)) return at;
  return (at instanceof Date ? at : new Date(at)).toISOString();
}

/**
 * SQL for a `timestamptz` expression as the wire writes it, for reads whose rows go out as
 * they are (lists of hundreds): PostgreSQL formats it, and {@link isoTimestamp} has nothing
 * left to parse. Milliseconds are truncated, as a Date truncates them. NULL stays NULL.
 */
export function wireTimestampSql(expression: string): string {
  return `to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
