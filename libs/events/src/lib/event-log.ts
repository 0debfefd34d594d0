import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { PreparedStatements } from '@agenthub/database';
import { EVENTS_CHANNEL } from './database-notifications';
import { NOTIFICATION_PAYLOAD_SQL } from './event-notification';

/**
 * Who sees an event besides the managers of its project (its owner and superusers, who see
 * every event of the project): every agent of the project, one agent, or the agents taking
 * part in one room; `managers`: nobody else.
 */
export type EventAudience =
  | { kind: 'project' }
  | { kind: 'agent'; agentId: string }
  | { kind: 'room'; roomId: string }
  | { kind: 'managers' };

export interface NewEvent {
  /** `<resource>.<change>`, e.g. `task.updated`, `message.received`. */
  type: string;
  projectId: string;
  audience: EventAudience;
  /** The resource as the REST API returns it after the change. */
  data: unknown;
}

/**
 * Appends events to the log, in the caller's transaction (the request transaction of a
 * mutating request, or a sweeper's): an event commits with the change it describes or not at
 * all. Each append also queues one NOTIFY saying whom its events are for (see
 * event-notification.ts); PostgreSQL delivers it at commit, and it only wakes the streams,
 * which then read the table.
 */
@Injectable()
export class EventLog {
  constructor(
    private readonly em: EntityManager,
    private readonly statements: PreparedStatements,
  ) {}

  async append(...events: NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map(({ type, projectId, audience, data }) => ({
      type,
      project_id: projectId,
      audience: audience.kind,
      agent_id: audience.kind === 'agent' ? audience.agentId : null,
      room_id: audience.kind === 'room' ? audience.roomId : null,
      data,
    }));
    // One statement of one shape however many events (so one prepared statement): the rows,
    // in the order given (their positions follow it), then one notification with their
    // addresses (a woken stream reads everything after its own cursor anyway).
    await this.statements.defer(
      this.em,
      `WITH appended AS (
         INSERT INTO events (type, project_id, audience, agent_id, room_id, data)
         SELECT x.type, x.project_id, x.audience, x.agent_id, x.room_id, x.data
         FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS e(row, n),
           jsonb_to_record(e.row) AS x(type text, project_id uuid, audience text, agent_id uuid, room_id uuid, data jsonb)
         ORDER BY e.n
         RETURNING tx_id, position, type, project_id, audience, agent_id
       )
       SELECT pg_notify('${EVENTS_CHANNEL}', ${NOTIFICATION_PAYLOAD_SQL}) FROM appended`,
      [JSON.stringify(rows)],
    );
  }
}
