/**
 * A timestamp on the wire: ISO 8601 in UTC. Rows hand back a Date (the ORM, pg) or
 * PostgreSQL's text (raw rows of some drivers); both read the same way. `null` stays null.
 */
export function isoTimestamp(at: Date | string): string;
export function isoTimestamp(at: Date | string | null): string | null;
export function isoTimestamp(at: Date | string | null): string | null {
  return at === null ? null : (at instanceof Date ? at : new Date(at)).toISOString();
}
