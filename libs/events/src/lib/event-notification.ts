import { EventCursor, parseCursor } from './event-cursor';
import type { EventAddress } from './event-reader';

/**
 * The most events whose addresses one notification carries. PostgreSQL refuses a NOTIFY
 * payload of 8 000 bytes or more; an address is at most ~150 bytes, so 24 stay well below.
 * A larger append notifies only its last cursor, which wakes every stream.
 */
export const ADDRESSED_EVENTS_MAX = 24;

/**
 * The `agenthub_events` payload of one append, built by the appending statement itself (so it
 * is exactly the events that commit): a JSON array with one
 * `[cursor, type, project_id, audience, agent_id]` per event when there are at most
 * {@link ADDRESSED_EVENTS_MAX}, else the last event's cursor alone. With the addresses, every
 * process wakes exactly the streams that may want one of the events, without a read.
 * `appended` is the statement's CTE of inserted rows.
 */
export const NOTIFICATION_PAYLOAD_SQL = `CASE WHEN count(*) <= ${ADDRESSED_EVENTS_MAX}
  THEN json_agg(json_build_array(tx_id::text || '-' || position::text, type, project_id, audience, agent_id) ORDER BY position)::text
  ELSE (SELECT a.tx_id::text || '-' || a.position::text FROM appended a ORDER BY a.position DESC LIMIT 1)
END`;

/** What an `agenthub_events` notification says. */
export type EventNotification =
  /** Whom each event of the append is for. */
  | { kind: 'addressed'; events: EventAddress[] }
  /** Only that something committed, up to this event (`null`: not given, or unreadable). */
  | { kind: 'cursor'; cursor: EventCursor | null };

const AUDIENCES: ReadonlySet<string> = new Set(['project', 'agent', 'room', 'managers']);

/**
 * Reads a notification's payload. Anything not exactly an address list (an older process's
 * cursor, a hand-written NOTIFY) counts as a bare cursor, which costs a read, never an event.
 */
export function parseEventNotification(payload: string): EventNotification {
  if (!payload.startsWith('[')) return { kind: 'cursor', cursor: parseCursor(payload) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return { kind: 'cursor', cursor: null };
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return { kind: 'cursor', cursor: null };
  const events: EventAddress[] = [];
  for (const item of parsed) {
    if (!Array.isArray(item) || item.length !== 5) return { kind: 'cursor', cursor: null };
    const [cursorText, type, projectId, audience, agentId] = item as unknown[];
    const cursor = typeof cursorText === 'string' ? parseCursor(cursorText) : null;
    if (
      !cursor ||
      typeof type !== 'string' ||
      typeof projectId !== 'string' ||
      typeof audience !== 'string' ||
      !AUDIENCES.has(audience) ||
      (agentId !== null && typeof agentId !== 'string')
    )
      return { kind: 'cursor', cursor: null };
    events.push({
      cursor,
      type,
      projectId,
      audience: audience as EventAddress['audience'],
      agentId,
    });
  }
  return { kind: 'addressed', events };
}
