import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { EVENTS_CHANNEL } from './database-notifications';

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
 * all. Each insert also queues a NOTIFY carrying the new event's cursor; PostgreSQL delivers it
 * at commit, and only wakes the streams, which then read the table.
 */
@Injectable()
export class EventLog {
  constructor(private readonly em: EntityManager) {}

  async append(...events: NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    const values: string[] = [];
    const params: unknown[] = [];
    for (const event of events) {
      const { audience } = event;
      values.push('(?, ?, ?, ?, ?, ?::jsonb)');
      params.push(
        event.type,
        event.projectId,
        audience.kind,
        audience.kind === 'agent' ? audience.agentId : null,
        audience.kind === 'room' ? audience.roomId : null,
        JSON.stringify(event.data),
      );
    }
    // One statement: the rows, then one notification for the last of them (a woken stream
    // reads everything after its own cursor anyway).
    await this.em.execute(
      `WITH appended AS (
         INSERT INTO events (type, project_id, audience, agent_id, room_id, data)
         VALUES ${values.join(', ')}
         RETURNING tx_id, position
       )
       SELECT pg_notify('${EVENTS_CHANNEL}', tx_id::text || '-' || position::text)
         FROM appended ORDER BY position DESC LIMIT 1`,
      params,
    );
  }
}
