import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { PreparedStatements } from '@agenthub/database';
import { compareCursors, EventCursor, LOG_START } from './event-cursor';
import type { TypeFilter } from './event-types';

/** Which events a stream may see (its principal's visibility, narrowed by `?project_id=`). */
export type EventScope =
  /** An agent: its project's events for the whole project, for itself, or for its rooms. */
  | { kind: 'agent'; agentId: string; projectId: string }
  /** A user: every event of the projects it manages (`projectId`: only that one). */
  | { kind: 'user'; userId: string; isSuperuser: boolean; projectId?: string };

/** One stored event as the reader returns it. */
export interface StoredEvent {
  cursor: EventCursor;
  type: string;
  projectId: string;
  occurredAt: string;
  data: unknown;
}

/** Whom a stored event is for (no data): what a notification says of each event (event-notification.ts). */
export interface EventAddress {
  cursor: EventCursor;
  type: string;
  projectId: string;
  audience: 'project' | 'agent' | 'room' | 'managers';
  agentId: string | null;
}

export interface EventBatch {
  /** Events after the cursor, in log order; at most the limit. */
  events: StoredEvent[];
  /**
   * The retention purge has deleted events after the cursor: the reader skipped to this
   * cursor (the last purged one), and `events` follow it.
   */
  gapThrough?: EventCursor;
  /**
   * Events after the cursor exist that this read may not deliver yet, because a transaction
   * of this database with a smaller xid is still open (read again shortly: its commit may
   * bring no notification).
   */
  heldBack: boolean;
  /**
   * When the read returned fewer events than asked: the last event of the whole log below
   * the read bound (anyone's). The reader has seen every event up to it that the scope may
   * see, so the next read may start there instead of scanning other scopes' events again.
   */
  scannedThrough?: EventCursor;
}

/**
 * The read bound, from the reading statement's own snapshot: the smallest xid still in
 * progress, not counting those known to run in another database of the cluster (they
 * cannot write our table; without this, every open transaction anywhere on the server
 * would hold every stream back); with none, the snapshot's xmax.
 *
 * Why reading `tx_id < bound` is exact: every transaction with an xid below the bound had
 * finished when the snapshot was taken (committed: its rows are visible to this very
 * statement; aborted: they are gone), or runs in another database. A writer of our
 * database that is still open holds the bound at or below its own xid, so no event after
 * its events in (tx_id, position) order is delivered before it commits or aborts; and a
 * transaction that starts later gets an xid at or above the snapshot's xmax. So the rows
 * below the bound never change again, and a cursor can move through them without skipping
 * one that commits late. pg_stat_activity's backend_xid is the 32-bit xid, hence `x::xid`;
 * missing from the view (no privilege, a prepared transaction) only means held back longer.
 * (pg_stat_get_activity is the function under the pg_stat_activity view, called without the
 * view's joins to pg_database and pg_authid: half the cost, and this runs on every read.)
 */
const BOUND_CTE = `bound AS (
  SELECT coalesce(
    (SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
      WHERE x::xid NOT IN (
        SELECT a.backend_xid FROM pg_stat_get_activity(NULL) a
         WHERE a.backend_xid IS NOT NULL
           AND a.datid <> (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))),
    pg_snapshot_xmax(pg_current_snapshot())) AS b
)`;

/**
 * The SQL that reads the event log for the streams. The only SQL of this lib on other
 * libs' tables, on purpose: whether an agent takes part in a room (chat_participants, the
 * messaging lib's) and which projects a user manages (projects) are checked in the same
 * statement as the read, so visibility is decided with the snapshot the events come from.
 *
 * Both statements run as prepared statements: every open stream reads on each wake-up, and
 * planning the read cost PostgreSQL more than running it. Their text depends only on the
 * scope's kind and on whether types are filtered, so a connection prepares a handful.
 */
@Injectable()
export class EventReader {
  constructor(
    private readonly em: EntityManager,
    private readonly statements: PreparedStatements,
  ) {}

  /** The last event (of anyone) below the read bound: where a stream without a cursor starts. */
  async head(): Promise<EventCursor> {
    const rows = await this.statements.all<{ tx_id: string; position: string }>(
      this.em,
      `WITH ${BOUND_CTE}
       SELECT e.tx_id::text AS tx_id, e.position::text AS position
         FROM events e, bound WHERE e.tx_id < bound.b
        ORDER BY e.tx_id DESC, e.position DESC LIMIT 1`,
      [],
    );
    return rows.length ? { txId: rows[0].tx_id, position: rows[0].position } : LOG_START;
  }

  /**
   * Whom the events after `after` are for (no data, no visibility: every scope's), below the
   * read bound, up to `limit`: what a process's safety poll wakes its streams with (see
   * EventStreams.poll). One statement, so the addresses, the head and the purge mark come from
   * one snapshot:
   * - `overflow`: more than `limit` events are there (only the first `limit` are returned);
   * - `through`: the head of the log below the bound when it is past `after`, else `after`.
   *   With no overflow, `addresses` are every event in (`after`, `through`], and no event
   *   at or below `through` can commit later (see BOUND_CTE);
   * - `purged`: the retention purge has deleted events after `after`, so some of them are
   *   missing from `addresses`.
   */
  async addressesAfter(
    after: EventCursor,
    limit: number,
  ): Promise<{
    addresses: EventAddress[];
    overflow: boolean;
    through: EventCursor;
    purged: boolean;
  }> {
    const rows = await this.statements.all<{
      kind: 'event' | 'head' | 'purged';
      tx_id: string;
      position: string;
      type: string | null;
      project_id: string | null;
      audience: EventAddress['audience'] | null;
      agent_id: string | null;
    }>(
      this.em,
      `WITH ${BOUND_CTE},
       batch AS (
         SELECT e.tx_id, e.position, e.type, e.project_id, e.audience, e.agent_id
           FROM events e, bound
          WHERE (e.tx_id, e.position) > (?::xid8, ?::bigint) AND e.tx_id < bound.b
          ORDER BY e.tx_id, e.position
          LIMIT ?
       )
       SELECT 'event' AS kind, tx_id::text AS tx_id, position::text AS position, type, project_id, audience, agent_id
         FROM batch
       UNION ALL
       (SELECT 'head', e.tx_id::text, e.position::text, NULL, NULL, NULL, NULL
          FROM events e, bound WHERE e.tx_id < bound.b
         ORDER BY e.tx_id DESC, e.position DESC LIMIT 1)
       UNION ALL
       SELECT 'purged', s.purged_through_tx::text, s.purged_through_position::text, NULL, NULL, NULL, NULL
         FROM event_log_state s
        WHERE s.purged_through_tx IS NOT NULL
          AND (s.purged_through_tx, s.purged_through_position) > (?::xid8, ?::bigint)`,
      [after.txId, after.position, limit + 1, after.txId, after.position],
    );
    const events = rows.filter((r) => r.kind === 'event');
    const head = rows.find((r) => r.kind === 'head');
    const headCursor = head && { txId: head.tx_id, position: head.position };
    return {
      addresses: events.slice(0, limit).map((r) => ({
        cursor: { txId: r.tx_id, position: r.position },
        type: r.type as string,
        projectId: r.project_id as string,
        audience: r.audience as EventAddress['audience'],
        agentId: r.agent_id,
      })),
      overflow: events.length > limit,
      through: headCursor && compareCursors(headCursor, after) > 0 ? headCursor : after,
      purged: rows.some((r) => r.kind === 'purged'),
    };
  }

  /**
   * Up to `limit` events after `after` that `scope` may see and `types` lets through, in
   * (tx_id, position) order, only below the read bound (see BOUND_CTE). One statement, so
   * the events, the purge mark and the visibility come from one snapshot: an event purged
   * after our cursor always shows as a gap, never as a silent hole.
   */
  async read(
    scope: EventScope,
    after: EventCursor,
    types: TypeFilter | null,
    limit: number,
  ): Promise<EventBatch> {
    return this.readFrom(scope, after, undefined, types, limit);
  }

  /**
   * The read from `after`, or from the purge mark `gapThrough` when the purge has passed the
   * client's cursor: the statement answers the mark when it is past where it started, and the
   * read starts again there (the mark only moves forward, so this ends).
   */
  private async readFrom(
    scope: EventScope,
    from: EventCursor,
    gapThrough: EventCursor | undefined,
    types: TypeFilter | null,
    limit: number,
  ): Promise<EventBatch> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (scope.kind === 'agent') {
      where.push(`e.project_id = ? AND (e.audience = 'project'
        OR (e.audience = 'agent' AND e.agent_id = ?)
        OR (e.audience = 'room' AND EXISTS (
          SELECT 1 FROM chat_participants p WHERE p.room_id = e.room_id AND p.agent_id = ?)))`);
      params.push(scope.projectId, scope.agentId, scope.agentId);
    } else {
      if (scope.projectId !== undefined) {
        where.push('e.project_id = ?');
        params.push(scope.projectId);
      }
      if (!scope.isSuperuser) {
        where.push('e.project_id IN (SELECT pr.id FROM projects pr WHERE pr.owner_id = ?)');
        params.push(scope.userId);
      }
    }
    if (types) {
      where.push(`(e.type = ANY(string_to_array(?, ','))
        OR EXISTS (SELECT 1 FROM unnest(string_to_array(?, ',')) AS prefix WHERE starts_with(e.type, prefix)))`);
      params.push(types.exact.join(','), types.prefixes.join(','));
    }
    const visible = where.length ? `AND ${where.join(' AND ')}` : '';

    const rows = await this.statements.all<{
      kind: 'event' | 'held' | 'purged' | 'head';
      tx_id: string | null;
      position: string | null;
      type: string | null;
      project_id: string | null;
      occurred_at: Date | string | null;
      data: unknown;
    }>(
      this.em,
      `WITH ${BOUND_CTE},
       batch AS (
         SELECT e.tx_id, e.position, e.type, e.project_id, e.occurred_at, e.data
           FROM events e, bound
          WHERE (e.tx_id, e.position) > (?::xid8, ?::bigint) AND e.tx_id < bound.b ${visible}
          ORDER BY e.tx_id, e.position
          LIMIT ?
       )
       SELECT 'event' AS kind, tx_id::text AS tx_id, position::text AS position, type, project_id, occurred_at, data
         FROM batch
       UNION ALL
       SELECT 'held', NULL, NULL, NULL, NULL, NULL, NULL
        WHERE EXISTS (SELECT 1 FROM events e, bound
                       WHERE (e.tx_id, e.position) > (?::xid8, ?::bigint) AND e.tx_id >= bound.b ${visible})
       UNION ALL
       (SELECT 'head', e.tx_id::text, e.position::text, NULL, NULL, NULL, NULL
          FROM events e, bound WHERE e.tx_id < bound.b
         ORDER BY e.tx_id DESC, e.position DESC LIMIT 1)
       UNION ALL
       SELECT 'purged', s.purged_through_tx::text, s.purged_through_position::text, NULL, NULL, NULL, NULL
         FROM event_log_state s
        WHERE s.purged_through_tx IS NOT NULL
          AND (s.purged_through_tx, s.purged_through_position) > (?::xid8, ?::bigint)`,
      [
        from.txId,
        from.position,
        ...params,
        limit,
        from.txId,
        from.position,
        ...params,
        from.txId,
        from.position,
      ],
    );

    // The purge has passed `from`: the events after it are not all there; start at its mark.
    const purged = rows.find((r) => r.kind === 'purged');
    if (purged) {
      const mark = { txId: purged.tx_id as string, position: purged.position as string };
      return this.readFrom(scope, mark, mark, types, limit);
    }

    const events = rows.filter((r) => r.kind === 'event');
    const head = rows.find((r) => r.kind === 'head');
    const headCursor = head && { txId: head.tx_id as string, position: head.position as string };
    return {
      events: events.map((r) => ({
        cursor: { txId: r.tx_id as string, position: r.position as string },
        type: r.type as string,
        projectId: r.project_id as string,
        occurredAt: new Date(r.occurred_at as string | Date).toISOString(),
        data: r.data,
      })),
      gapThrough,
      heldBack: rows.some((r) => r.kind === 'held'),
      scannedThrough:
        events.length < limit && headCursor && compareCursors(headCursor, from) > 0
          ? headCursor
          : undefined,
    };
  }
}
