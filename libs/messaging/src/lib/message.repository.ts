import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { pagedQuery, PreparedStatements } from '@agenthub/database';
import type { MessageRow } from './dto/message-response.dto';
import {
  FINAL_STATUSES,
  MESSAGE_TRANSITIONS,
  MessageAction,
  MessagePriority,
  MessageStatus,
} from './message-lifecycle';

/** Every column of a message as {@link MessageRow} names it. */
const COLUMNS = `m.id, m.message_id, m.project_id, m.correlation_id, m.conversation_id, m.reply_to,
  m.sender_type, m.sender_agent_id, m.sender_user_id, m.recipient_id, m.recipient_type, m.message_type,
  m.priority, m.priority_rank, m.status, m.subject, m.payload, m.retry_count, m.max_retries,
  m.ack_timeout_seconds, m.visible_until, m.expires_at, m.sent_at, m.delivered_at, m.acknowledged_at,
  m.failed_at, m.last_error, m.created_at, m.updated_at`;

/** `'a', 'b'`: the statuses of the transition table are constants, safe to inline. */
const inList = (statuses: readonly MessageStatus[]) => statuses.map((s) => `'${s}'`).join(', ');

/** Not past its expiry: no move but `expire` applies to a message whose `expires_at` passed. */
const NOT_EXPIRED = `(m.expires_at IS NULL OR m.expires_at > now())`;

/** A new window of the message's own length, from now. */
const NEW_WINDOW = `now() + make_interval(secs => m.ack_timeout_seconds)`;

/** Whether the message has no redelivery left (checked on the locked row). */
const EXHAUSTED = `m.retry_count >= m.max_retries`;

/**
 * The SET list of each move; `?` (only where the action takes a reason) is `last_error`.
 * The status each one writes is the table's `to` (message-lifecycle.ts).
 */
function setFor(action: MessageAction): { set: string; takesReason: boolean } {
  const to = MESSAGE_TRANSITIONS[action].to;
  switch (action) {
    case 'hand_over':
      return {
        set: `status = '${to}', sent_at = now(), visible_until = ${NEW_WINDOW}`,
        takesReason: false,
      };
    case 'deliver':
      return {
        set: `status = '${to}', delivered_at = now(), visible_until = ${NEW_WINDOW}`,
        takesReason: false,
      };
    case 'ack':
      return {
        set: `status = '${to}', acknowledged_at = now(), visible_until = NULL`,
        takesReason: false,
      };
    case 'nack_retry':
    case 'time_out':
      // redeliver_or_fail: back to pending with one more retry, or failed once none is left.
      return {
        set: `status = CASE WHEN ${EXHAUSTED} THEN 'failed' ELSE 'pending' END,
          retry_count = CASE WHEN ${EXHAUSTED} THEN m.retry_count ELSE m.retry_count + 1 END,
          failed_at = CASE WHEN ${EXHAUSTED} THEN now() ELSE m.failed_at END,
          visible_until = NULL, last_error = ?`,
        takesReason: true,
      };
    case 'nack_fail':
      return {
        set: `status = '${to}', failed_at = now(), visible_until = NULL, last_error = ?`,
        takesReason: true,
      };
    case 'expire':
      return { set: `status = '${to}', visible_until = NULL`, takesReason: false };
  }
}

/**
 * The WHERE of a move besides the row: its `from` statuses, and not expired; `expire` only
 * once `expires_at` has passed.
 */
function guardFor(action: MessageAction): string {
  const from = `m.status IN (${inList(MESSAGE_TRANSITIONS[action].from)})`;
  return action === 'expire' ? `${from} AND m.expires_at <= now()` : `${from} AND ${NOT_EXPIRED}`;
}

/** What a batch move (sweeper, receive) looks for besides the guard. */
const DUE: Record<'time_out' | 'expire', { where: string; order: string }> = {
  time_out: { where: `m.visible_until <= now()`, order: 'm.visible_until' },
  expire: { where: `m.expires_at <= now()`, order: 'm.expires_at' },
};

export interface NewMessage {
  id: string;
  projectId: string;
  correlationId: string;
  conversationId: string;
  replyTo: string | null;
  senderType: 'agent' | 'user';
  senderAgentId: string | null;
  senderUserId: string | null;
  recipientId: string;
  messageType: string;
  priority: MessagePriority;
  subject: string | null;
  payload: unknown;
  maxRetries: number;
  ackTimeoutSeconds: number;
  expiresAt: Date | null;
}

export interface MessageListFilter {
  /** `null`: every project (superusers). */
  projectIds: readonly string[] | null;
  /** Only messages this agent sent or received (an agent caller sees no others). */
  partyAgentId?: string;
  correlationId?: string;
  conversationId?: string;
  senderId?: string;
  recipientId?: string;
  status?: MessageStatus;
  messageType?: string;
  limit: number;
  offset: number;
}

/**
 * The SQL of agent messages: every status change is one conditional UPDATE built from the
 * transition table (MESSAGE_TRANSITIONS), `… WHERE status IN (from) RETURNING …`. What makes
 * each change happen exactly once, in any number of requests and API processes: the UPDATE
 * locks the row, a concurrent UPDATE of the same row waits for that lock and then re-evaluates
 * its WHERE on the committed row (READ COMMITTED), which no longer has a `from` status; batch
 * moves and the inbox pick lock their candidates FOR UPDATE SKIP LOCKED, so two of them never
 * take the same row, and re-check the status on the locked row as well.
 */
@Injectable()
export class MessageRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly statements: PreparedStatements,
  ) {}

  async insert(messages: readonly NewMessage[]): Promise<MessageRow[]> {
    if (messages.length === 0) return [];
    // The rows as one jsonb parameter: one statement text for any number of recipients.
    const rows = messages.map((m) => ({
      id: m.id,
      project_id: m.projectId,
      correlation_id: m.correlationId,
      conversation_id: m.conversationId,
      reply_to: m.replyTo,
      sender_type: m.senderType,
      sender_agent_id: m.senderAgentId,
      sender_user_id: m.senderUserId,
      recipient_id: m.recipientId,
      message_type: m.messageType,
      priority: m.priority,
      subject: m.subject,
      payload: m.payload,
      max_retries: m.maxRetries,
      ack_timeout_seconds: m.ackTimeoutSeconds,
      expires_at: m.expiresAt,
    }));
    const inserted = await this.statements.all<MessageRow>(
      this.em,
      `WITH inserted AS (
         INSERT INTO agent_messages (id, message_id, project_id, correlation_id, conversation_id, reply_to,
           sender_type, sender_agent_id, sender_user_id, recipient_id, message_type, priority, subject,
           payload, max_retries, ack_timeout_seconds, expires_at)
         SELECT x.id, x.id, x.project_id, x.correlation_id, x.conversation_id, x.reply_to,
           x.sender_type, x.sender_agent_id, x.sender_user_id, x.recipient_id, x.message_type, x.priority,
           x.subject, x.payload, x.max_retries, x.ack_timeout_seconds, x.expires_at
         FROM jsonb_to_recordset(?::jsonb) AS x(id uuid, project_id uuid, correlation_id uuid,
           conversation_id uuid, reply_to uuid, sender_type varchar(50), sender_agent_id uuid,
           sender_user_id uuid, recipient_id uuid, message_type varchar(50), priority varchar(20),
           subject varchar(500), payload jsonb, max_retries integer, ack_timeout_seconds integer,
           expires_at timestamptz)
         RETURNING *
       )
       SELECT ${COLUMNS} FROM inserted m`,
      [JSON.stringify(rows)],
    );
    const order = new Map(messages.map((m, i) => [m.id, i]));
    return inserted.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  }

  /** The message and its project's owner (for the access policy), or null. */
  async findWithOwner(id: string): Promise<{ row: MessageRow; ownerId: string } | null> {
    const rows = await this.statements.all<MessageRow & { project_owner_id: string }>(
      this.em,
      `SELECT ${COLUMNS}, p.owner_id AS project_owner_id
       FROM agent_messages m JOIN projects p ON p.id = m.project_id WHERE m.id = ?`,
      [id],
    );
    if (rows.length === 0) return null;
    const { project_owner_id: ownerId, ...row } = rows[0];
    return { row: row, ownerId };
  }

  async find(id: string): Promise<MessageRow | null> {
    const rows = await this.statements.all<MessageRow>(
      this.em,
      `SELECT ${COLUMNS} FROM agent_messages m WHERE m.id = ?`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * The message `reply_to` names (by `id` or `message_id`), when the caller sent or received
   * it: an agent by its id, a user by its id as sender; null otherwise.
   */
  async findReplyTarget(
    idOrMessageId: string,
    party: { agentId: string } | { userId: string },
  ): Promise<MessageRow | null> {
    const who =
      'agentId' in party ? `(m.sender_agent_id = ? OR m.recipient_id = ?)` : `m.sender_user_id = ?`;
    const rows = await this.em.execute<MessageRow[]>(
      `SELECT ${COLUMNS} FROM agent_messages m
       WHERE (m.id = ? OR m.message_id = ?) AND ${who}
       ORDER BY (m.id = ?) DESC LIMIT 1`,
      [
        idOrMessageId,
        idOrMessageId,
        ...('agentId' in party ? [party.agentId, party.agentId] : [party.userId]),
        idOrMessageId,
      ],
    );
    return rows[0] ?? null;
  }

  /**
   * Applies `action` to one message, when the table allows it from its current status (and it
   * has not expired, but for `expire`); with `recipientId`, only if it is that agent's; with
   * `projectId`, only if it is in that project. Answers the message as it now is, or null
   * when nothing moved.
   */
  async transition(
    action: MessageAction,
    id: string,
    options: { recipientId?: string; projectId?: string; reason?: string | null } = {},
  ): Promise<MessageRow | null> {
    const { set, takesReason } = setFor(action);
    const params: unknown[] = [];
    if (takesReason) params.push(options.reason ?? null);
    params.push(id);
    if (options.recipientId) params.push(options.recipientId);
    if (options.projectId) params.push(options.projectId);
    const rows = await this.statements.all<MessageRow>(
      this.em,
      `UPDATE agent_messages m SET ${set}, updated_at = now()
       WHERE m.id = ? ${options.recipientId ? 'AND m.recipient_id = ?' : ''}
         ${options.projectId ? 'AND m.project_id = ?' : ''} AND ${guardFor(action)}
       RETURNING ${COLUMNS}`,
      params,
    );
    return rows[0] ?? null;
  }

  /**
   * Applies `time_out` (windows that passed) or `expire` (expiries that passed) to up to
   * `limit` messages, of one recipient or of all. Candidates are locked FOR UPDATE SKIP
   * LOCKED: a row another transaction holds (an ack in flight, another sweeper) is left to it.
   */
  async applyDue(
    action: 'time_out' | 'expire',
    options: { recipientId?: string; limit: number },
  ): Promise<MessageRow[]> {
    const { set, takesReason } = setFor(action);
    const due = DUE[action];
    const params: unknown[] = [];
    if (options.recipientId) params.push(options.recipientId);
    params.push(options.limit);
    if (takesReason) params.push('acknowledgement timed out');
    return this.em.execute<MessageRow[]>(
      `WITH due AS (
         SELECT m.id FROM agent_messages m
         WHERE m.status IN (${inList(MESSAGE_TRANSITIONS[action].from)}) AND ${due.where} ${options.recipientId ? 'AND m.recipient_id = ?' : ''}
         ORDER BY ${due.order}
         LIMIT ?
         FOR UPDATE SKIP LOCKED
       )
       UPDATE agent_messages m SET ${set}, updated_at = now()
       FROM due WHERE m.id = due.id AND m.status IN (${inList(MESSAGE_TRANSITIONS[action].from)})
       RETURNING ${COLUMNS}`,
      params,
    );
  }

  /**
   * Hands the recipient up to `limit` of its pending, unexpired messages (pending → sent,
   * the window starts): urgent first, then oldest. The candidates are locked FOR UPDATE SKIP
   * LOCKED, so two receivers of one agent (in any processes) never take the same message: the
   * second skips what the first holds; and the status is re-checked on the locked row.
   */
  async pick(recipientId: string, limit: number): Promise<MessageRow[]> {
    return this.statements.all<MessageRow>(
      this.em,
      `WITH picked AS (
         SELECT m.id FROM agent_messages m
         WHERE m.recipient_id = ? AND m.status = 'pending' AND ${NOT_EXPIRED}
         ORDER BY m.priority_rank DESC, m.created_at, m.id
         LIMIT ?
         FOR UPDATE SKIP LOCKED
       ), handed AS (
         UPDATE agent_messages m SET ${setFor('hand_over').set}, updated_at = now()
         FROM picked WHERE m.id = picked.id AND ${guardFor('hand_over')}
         RETURNING ${COLUMNS}
       )
       SELECT * FROM handed ORDER BY priority_rank DESC, created_at, id`,
      [recipientId, limit],
    );
  }

  /** A page of messages (newest first) and how many match. */
  async list(filter: MessageListFilter): Promise<{ rows: MessageRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.projectIds !== null) {
      if (filter.projectIds.length === 0) return { rows: [], total: 0 };
      where.push('m.project_id IN (?)');
      params.push(filter.projectIds);
    }
    const eq = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      params.push(value);
    };
    if (filter.partyAgentId !== undefined) {
      where.push('(m.sender_agent_id = ? OR m.recipient_id = ?)');
      params.push(filter.partyAgentId, filter.partyAgentId);
    }
    eq('m.correlation_id', filter.correlationId);
    eq('m.conversation_id', filter.conversationId);
    if (filter.senderId !== undefined) {
      where.push('coalesce(m.sender_agent_id, m.sender_user_id) = ?');
      params.push(filter.senderId);
    }
    eq('m.recipient_id', filter.recipientId);
    eq('m.status', filter.status);
    eq('m.message_type', filter.messageType);
    const { rows, total } = await pagedQuery<MessageRow>(this.em, {
      select: COLUMNS,
      from: `FROM agent_messages m ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
      fromParams: params,
      orderBy: 'm.created_at DESC, m.id DESC',
      limit: filter.limit,
      offset: filter.offset,
    });
    return { rows, total };
  }

  /** Agents among `ids` with their project and whether they are active. */
  async agents(
    ids: readonly string[],
  ): Promise<{ id: string; project_id: string; is_active: boolean }[]> {
    if (ids.length === 0) return [];
    return this.statements.all(
      this.em,
      `SELECT id, project_id, is_active FROM agents WHERE id = ANY(?::uuid[])`,
      [ids],
    );
  }

  /** Every active agent of the project that lists the capability, but `except`. */
  async agentsWithCapability(
    projectId: string,
    capability: string,
    except: string | null,
  ): Promise<string[]> {
    const rows = await this.em.execute<{ id: string }[]>(
      `SELECT id FROM agents
       WHERE project_id = ? AND is_active AND capabilities @> jsonb_build_array(?::text)
         ${except ? 'AND id <> ?' : ''}
       ORDER BY created_at, id`,
      except ? [projectId, capability, except] : [projectId, capability],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Deletes up to `limit` final messages last changed more than `days` days ago; answers how
   * many. SKIP LOCKED, as every batch here: two processes purging never wait for each other.
   */
  async purgeFinal(days: number, limit: number): Promise<number> {
    const rows = await this.em.execute<{ id: string }[]>(
      `WITH old AS (
         SELECT m.id FROM agent_messages m
         WHERE m.status IN (${inList(FINAL_STATUSES)}) AND m.updated_at < now() - make_interval(days => ?)
         ORDER BY m.updated_at LIMIT ? FOR UPDATE SKIP LOCKED
       )
       DELETE FROM agent_messages m USING old WHERE m.id = old.id RETURNING m.id`,
      [days, limit],
    );
    return rows.length;
  }
}
