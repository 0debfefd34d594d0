import { Injectable } from '@nestjs/common';
import { EventLog, InboxSignal, NewEvent } from '@agenthub/events';
import { MessageRow, toMessageResponse } from './dto/message-response.dto';

export const MESSAGE_RECEIVED = 'message.received';
export const MESSAGE_UPDATED = 'message.updated';

/**
 * The events of agent messages, written with EventLog in the transaction of the change (so an
 * event commits with its change or not at all), and the inbox wake-ups (heard at commit):
 * - `message.received`, to the recipient, whenever a message becomes pending for it (sent,
 *   or back for redelivery): pushing it on the recipient's stream hands the message over;
 * - `message.updated`, to the sending agent (or, for a user's message, to the project's
 *   managers, who see every event of it anyway), at every status change.
 */
@Injectable()
export class MessageEvents {
  constructor(
    private readonly events: EventLog,
    private readonly inbox: InboxSignal,
  ) {}

  /** New messages, all pending. */
  async sent(rows: readonly MessageRow[]): Promise<void> {
    await this.events.append(...rows.map(received));
    await this.inbox.wake(rows.map((r) => r.recipient_id));
  }

  /** Messages whose status just changed (as they now are). */
  async changed(rows: readonly MessageRow[]): Promise<void> {
    if (rows.length === 0) return;
    const events: NewEvent[] = [];
    for (const row of rows) {
      events.push({
        type: MESSAGE_UPDATED,
        projectId: row.project_id,
        audience:
          row.sender_type === 'agent' && row.sender_agent_id
            ? { kind: 'agent', agentId: row.sender_agent_id }
            : { kind: 'managers' },
        data: toMessageResponse(row),
      });
      if (row.status === 'pending') events.push(received(row));
    }
    await this.events.append(...events);
    const redelivered = rows.filter((r) => r.status === 'pending').map((r) => r.recipient_id);
    await this.inbox.wake(redelivered);
  }
}

const received = (row: MessageRow): NewEvent => ({
  type: MESSAGE_RECEIVED,
  projectId: row.project_id,
  audience: { kind: 'agent', agentId: row.recipient_id },
  data: toMessageResponse(row),
});
