/**
 * Where a reader of the event log stands: the (tx_id, position) of the last event it has
 * read. Written `<tx_id>-<position>` (both decimal), which is what goes out as an SSE `id:`
 * and comes back as `Last-Event-ID`. The log is read in (tx_id, position) order.
 */
export interface EventCursor {
  /** The writing transaction's id (PostgreSQL xid8, as decimal text). */
  txId: string;
  /** The event's sequence value (bigint, as decimal text). */
  position: string;
}

/** Before every event: a reader starting here reads the whole retained log. */
export const LOG_START: EventCursor = Object.freeze({ txId: '0', position: '0' });

const CURSOR = /^(\d{1,20})-(\d{1,19})$/;

export function formatCursor(cursor: EventCursor): string {
  return `${cursor.txId}-${cursor.position}`;
}

/** The cursor a client sent back, or `null` when it is not one this server wrote. */
export function parseCursor(text: string): EventCursor | null {
  const match = CURSOR.exec(text.trim());
  if (!match) return null;
  const [, txId, position] = match;
  // Beyond the types' ranges (xid8 and bigint are 64-bit).
  if (BigInt(txId) > 18446744073709551615n || BigInt(position) > 9223372036854775807n) return null;
  return { txId: BigInt(txId).toString(), position: BigInt(position).toString() };
}

/** Orders two cursors as the log does: by tx_id, then position. */
export function compareCursors(a: EventCursor, b: EventCursor): number {
  const tx = BigInt(a.txId) - BigInt(b.txId);
  if (tx !== 0n) return tx < 0n ? -1 : 1;
  const position = BigInt(a.position) - BigInt(b.position);
  return position === 0n ? 0 : position < 0n ? -1 : 1;
}
