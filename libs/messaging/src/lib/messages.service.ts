import { Injectable, OnModuleInit } from '@nestjs/common';
import { TransactionPropagation } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Principal, ProjectAccessPolicy } from '@agenthub/auth';
import { DatabaseNotifications, EventPushHooks, StreamEvent } from '@agenthub/events';
import { PerformanceRecorder } from '@agenthub/performance';
import { Page, page } from '@agenthub/http';
import { MessageRepository, NewMessage } from './message.repository';
import { MESSAGE_RECEIVED, MessageEvents } from './message-events';
import type { MessageAction } from './message-lifecycle';
import {
  IllegalMessageTransitionError,
  InboxAgentNotFoundError,
  InboxForbiddenError,
  InvalidExpiryError,
  InvalidRecipientError,
  InvalidReplyToError,
  MessageNotFoundError,
  MessageProjectRequiredError,
  NoRecipientsError,
  NotMessagePartyError,
  NotRecipientError,
  PayloadTooLargeError,
  RecipientForbiddenError,
} from './message.errors';
import {
  InboxQueryDto,
  ListMessagesFilterDto,
  MESSAGE_LIMITS as L,
  NackMessageDto,
  ReceiveMessagesDto,
  SendMessageDto,
} from './dto/message.dto';
import { MessageResponseDto, MessageRow, toMessageResponse } from './dto/message-response.dto';

/** How many due messages of one agent a receive settles before it picks. */
const DUE_BATCH = 500;

/** What the recipient calls: POST /messages/:id/delivered | ack | nack. */
export type RecipientCall = 'delivered' | 'ack' | 'nack';

/**
 * Agent messages: send (one row per recipient), read, the recipient's delivery calls, and
 * the inbox (receive, long-poll). Who may do what: the project policy decides who may touch
 * the project (managers: everything; agents: their own project); on top of it a message is
 * seen by its sender, its recipient and the project's managers, and only its recipient
 * moves it. Every status change goes through MessageRepository's transition SQL and emits
 * its events in the same transaction (MessageEvents).
 */
@Injectable()
export class MessagesService implements OnModuleInit {
  constructor(
    private readonly em: EntityManager,
    private readonly policy: ProjectAccessPolicy,
    private readonly messages: MessageRepository,
    private readonly events: MessageEvents,
    private readonly notifications: DatabaseNotifications,
    private readonly pushHooks: EventPushHooks,
    private readonly performance: PerformanceRecorder,
  ) {}

  onModuleInit(): void {
    this.pushHooks.register(MESSAGE_RECEIVED, (event, principal) =>
      this.handOverPushed(event, principal),
    );
  }

  // --- send ---------------------------------------------------------------------------

  async send(principal: Principal, dto: SendMessageDto): Promise<MessageResponseDto[]> {
    const selectors = [dto.recipient_id, dto.recipient_ids, dto.recipient_capability].filter(
      (v) => v !== undefined,
    ).length;
    if (selectors !== 1) {
      throw new InvalidRecipientError(
        'recipient_id',
        'Give exactly one of recipient_id, recipient_ids or recipient_capability',
      );
    }
    const payload = dto.payload === undefined ? {} : dto.payload;
    if (Buffer.byteLength(JSON.stringify(payload), 'utf8') > L.payloadBytes) {
      throw new PayloadTooLargeError(L.payloadBytes);
    }
    const expiresAt = this.expiryOf(dto);

    const explicit = dto.recipient_ids ?? (dto.recipient_id ? [dto.recipient_id] : null);
    const found = explicit ? await this.messages.agents(explicit) : [];
    if (explicit) {
      const known = new Set(found.map((a) => a.id));
      const unknown = explicit.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new InvalidRecipientError(
          dto.recipient_ids ? 'recipient_ids' : 'recipient_id',
          `No such agent: ${unknown.join(', ')}`,
        );
      }
    }

    // The message's project, and the caller's right to send in it.
    let projectId: string;
    if (principal.kind === 'agent') {
      projectId = dto.project_id ?? principal.projectId;
      await this.policy.assertCanAccess(principal, projectId, 'read');
    } else {
      if (dto.project_id) projectId = dto.project_id;
      else if (explicit) {
        const projects = new Set(found.map((a) => a.project_id));
        if (projects.size !== 1) {
          throw new MessageProjectRequiredError(
            'The recipients belong to several projects: give project_id',
          );
        }
        projectId = [...projects][0];
      } else {
        throw new MessageProjectRequiredError('project_id is required with recipient_capability');
      }
      await this.policy.assertCanAccess(principal, projectId, 'manage');
    }

    const senderAgentId = principal.kind === 'agent' ? principal.agentId : null;
    let recipients: string[];
    if (explicit) {
      if (found.some((a) => a.project_id !== projectId)) throw new RecipientForbiddenError();
      recipients = explicit;
    } else {
      recipients = await this.messages.agentsWithCapability(
        projectId,
        dto.recipient_capability as string,
        senderAgentId,
      );
      if (recipients.length === 0) throw new NoRecipientsError();
    }

    let replyTarget: MessageRow | null = null;
    if (dto.reply_to !== undefined) {
      replyTarget = await this.messages.findReplyTarget(
        dto.reply_to,
        principal.kind === 'agent' ? { agentId: principal.agentId } : { userId: principal.userId },
      );
      if (!replyTarget || replyTarget.project_id !== projectId) throw new InvalidReplyToError();
    }
    // Given > taken from reply_to > new; one of each for the whole send.
    const correlationId =
      dto.correlation_id ?? replyTarget?.correlation_id ?? replyTarget?.id ?? randomUUID();
    const conversationId =
      dto.conversation_id ?? replyTarget?.conversation_id ?? replyTarget?.id ?? randomUUID();

    const rows = await this.messages.insert(
      recipients.map((recipientId): NewMessage => ({
        id: randomUUID(),
        projectId,
        correlationId,
        conversationId,
        replyTo: replyTarget?.id ?? null,
        senderType: principal.kind,
        senderAgentId,
        senderUserId: principal.kind === 'user' ? principal.userId : null,
        recipientId,
        messageType: dto.message_type,
        priority: dto.priority ?? 'normal',
        subject: dto.subject ?? null,
        payload,
        maxRetries: dto.max_retries ?? L.defaultMaxRetries,
        ackTimeoutSeconds: dto.ack_timeout_seconds ?? L.defaultAckTimeoutSeconds,
        expiresAt,
      })),
    );
    await this.events.sent(rows);
    return rows.map(toMessageResponse);
  }

  private expiryOf(dto: SendMessageDto): Date | null {
    if (dto.ttl_seconds !== undefined && dto.expires_at !== undefined) {
      throw new InvalidExpiryError('Give ttl_seconds or expires_at, not both');
    }
    if (dto.ttl_seconds !== undefined) return new Date(Date.now() + dto.ttl_seconds * 1000);
    if (dto.expires_at === undefined) return null;
    const at = new Date(dto.expires_at);
    if (Number.isNaN(at.getTime())) throw new InvalidExpiryError('expires_at is not a date-time');
    if (at.getTime() <= Date.now())
      throw new InvalidExpiryError('expires_at must be in the future');
    if (at.getTime() > Date.now() + L.ttlSecondsMax * 1000) {
      throw new InvalidExpiryError(`expires_at may be at most ${L.ttlSecondsMax} seconds ahead`);
    }
    return at;
  }

  // --- read ---------------------------------------------------------------------------

  async get(principal: Principal, id: string): Promise<MessageResponseDto> {
    return toMessageResponse(await this.visible(principal, id));
  }

  /** The message when `principal` may see it: its sender, its recipient, the project's managers. */
  private async visible(principal: Principal, id: string): Promise<MessageRow> {
    const found = await this.messages.findWithOwner(id);
    if (!found) throw new MessageNotFoundError();
    const { row, ownerId } = found;
    const project = { id: row.project_id, ownerId };
    if (principal.kind === 'user') {
      if (row.sender_user_id !== principal.userId) {
        this.policy.assertMayAccess(principal, project, 'manage');
      }
      return row;
    }
    this.policy.assertMayAccess(principal, project, 'read');
    if (row.sender_agent_id !== principal.agentId && row.recipient_id !== principal.agentId) {
      throw new NotMessagePartyError();
    }
    return row;
  }

  async list(
    principal: Principal,
    query: ListMessagesFilterDto,
  ): Promise<Page<MessageResponseDto>> {
    const scope = await this.policy.listScope(principal, query.project_id);
    const { rows, total } = await this.messages.list({
      projectIds: scope.kind === 'all' ? null : scope.projectIds,
      partyAgentId: principal.kind === 'agent' ? principal.agentId : undefined,
      correlationId: query.correlation_id,
      conversationId: query.conversation_id,
      senderId: query.sender_id,
      recipientId: query.recipient_id,
      status: query.status,
      messageType: query.message_type,
      limit: query.limit,
      offset: query.offset,
    });
    return page(rows.map(toMessageResponse), total, query);
  }

  /** The agent's inbox, newest first: the agent itself and its project's managers. */
  async inbox(
    principal: Principal,
    agentId: string,
    query: InboxQueryDto,
  ): Promise<Page<MessageResponseDto>> {
    const projectId = await this.inboxAccess(principal, agentId, 'read');
    const { rows, total } = await this.messages.list({
      projectIds: [projectId],
      recipientId: agentId,
      status: query.status,
      limit: query.limit,
      offset: query.offset,
    });
    return page(rows.map(toMessageResponse), total, query);
  }

  /** The inbox agent's project, when `principal` may read (or receive from) that inbox. */
  private async inboxAccess(
    principal: Principal,
    agentId: string,
    what: 'read' | 'receive',
  ): Promise<string> {
    const [agent] = await this.messages.agents([agentId]);
    if (!agent) throw new InboxAgentNotFoundError();
    if (principal.kind === 'agent' && principal.agentId === agentId) return agent.project_id;
    // Anyone else: the project policy first (403 for another project), then the inbox rule.
    await this.policy.assertCanAccess(principal, agent.project_id, 'read');
    if (principal.kind === 'agent' || what === 'receive') throw new InboxForbiddenError(what);
    return agent.project_id;
  }

  // --- the recipient's calls ----------------------------------------------------------

  /**
   * delivered / ack / nack by the recipient, in a transaction of its own (the route runs
   * without the request transaction): a message whose expiry passed is expired and that
   * commits, and only then is the call refused (409), so the expiry is not rolled back with
   * the refusal.
   */
  async recipientCall(
    principal: Principal,
    id: string,
    call: RecipientCall,
    dto: NackMessageDto = {},
  ): Promise<MessageResponseDto> {
    const action: MessageAction =
      call === 'delivered'
        ? 'deliver'
        : call === 'ack'
          ? 'ack'
          : dto.retry === false
            ? 'nack_fail'
            : 'nack_retry';
    const outcome = await this.em.transactional(
      async (): Promise<{ row: MessageRow } | { refused: MessageRow }> => {
        // The move first, without reading the message: its guards are the call's checks,
        // the recipient's own (`recipient_id` = the calling agent) in the one project an agent
        // may read (the policy's agent rule, `readableProjects`), so a row that moved needed
        // no read. The row lock the UPDATE takes (waiting for a concurrent call to end, then
        // re-checking the status guard) makes each move happen once.
        const moved =
          principal.kind === 'agent'
            ? await this.messages.transition(action, id, {
                recipientId: principal.agentId,
                projectId: principal.projectId,
                reason: dto.reason ?? null,
              })
            : null;
        if (moved) {
          if (action === 'ack') await this.recordAckLatency(moved);
          await this.events.changed([moved]);
          return { row: moved };
        }
        // Nothing moved: not found (404), not the recipient's (403), or a status the call
        // does not apply to (409, after an expiry that passed is applied).
        const row = await this.visible(principal, id);
        if (principal.kind !== 'agent' || row.recipient_id !== principal.agentId) {
          throw new NotRecipientError();
        }
        const expired = await this.messages.transition('expire', id);
        if (expired) await this.events.changed([expired]);
        return { refused: expired ?? (await this.messages.find(id)) ?? row };
      },
      { propagation: TransactionPropagation.REQUIRED },
    );
    if ('refused' in outcome) {
      throw new IllegalMessageTransitionError(action, outcome.refused.status);
    }
    return toMessageResponse(outcome.row);
  }

  /**
   * `message.ack_latency_seconds` for the recipient: from the last hand-over (sent_at; the
   * message's creation when it was never handed over) to the acknowledgement, in the ack's
   * transaction.
   */
  private async recordAckLatency(message: MessageRow): Promise<void> {
    const ms = (t: Date | string) => new Date(t).getTime();
    const acknowledged = message.acknowledged_at ?? new Date();
    await this.performance.record([
      {
        projectId: message.project_id,
        agentId: message.recipient_id,
        name: 'message.ack_latency_seconds',
        value: Math.max(0, ms(acknowledged) - ms(message.sent_at ?? message.created_at)) / 1000,
        unit: 'seconds',
        context: { message_id: message.id, message_type: message.message_type },
      },
    ]);
  }

  // --- receive ------------------------------------------------------------------------

  /**
   * Hands the agent its pending messages (→ sent). Each attempt is one short transaction
   * (the route runs without the request transaction, so nothing is held while waiting):
   * settle the agent's due windows and expiries, then pick. With `wait_seconds` and nothing
   * picked, it waits for the agent's inbox notification (or the time, or the client leaving)
   * and tries again. The listener is subscribed before the first attempt, so a message that
   * commits between an empty attempt and the wait is not missed.
   */
  async receive(
    principal: Principal,
    agentId: string,
    dto: ReceiveMessagesDto,
    clientGone: () => boolean,
    onClientGone: (listener: () => void) => () => void,
  ): Promise<{ projectId: string; items: MessageResponseDto[] }> {
    const projectId = await this.inboxAccess(principal, agentId, 'receive');
    const limit = dto.limit ?? L.defaultReceiveLimit;
    const deadline = Date.now() + (dto.wait_seconds ?? 0) * 1000;
    let signalled = false;
    let wake: (() => void) | undefined;
    const unsubscribe = this.notifications.onInbox(agentId, () => {
      signalled = true;
      wake?.();
    });
    const offGone = onClientGone(() => wake?.());
    try {
      for (;;) {
        signalled = false;
        const rows = await this.attemptReceive(agentId, limit);
        if (rows.length > 0) return { projectId, items: rows.map(toMessageResponse) };
        const left = deadline - Date.now();
        if (left <= 0 || clientGone()) return { projectId, items: [] };
        if (signalled) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        if (clientGone()) return { projectId, items: [] };
      }
    } finally {
      unsubscribe();
      offGone();
    }
  }

  private attemptReceive(agentId: string, limit: number): Promise<MessageRow[]> {
    return this.em.transactional(async () => {
      const settled = [
        ...(await this.messages.applyDue('expire', { recipientId: agentId, limit: DUE_BATCH })),
        ...(await this.messages.applyDue('time_out', { recipientId: agentId, limit: DUE_BATCH })),
      ];
      await this.events.changed(settled);
      const picked = await this.messages.pick(agentId, limit);
      await this.events.changed(picked);
      return picked;
    });
  }

  /**
   * The push hook of `message.received`: pushing it on its recipient's own stream hands the
   * message over (pending → sent, the window starts) in a transaction of its own, and pushes
   * the message as it now is, also when a receive call (or another stream) handed it over
   * first: then nothing moves. To anyone else (the project's managers) the stored data.
   */
  private async handOverPushed(event: StreamEvent, principal: Principal): Promise<unknown> {
    if (principal.kind !== 'agent') return undefined;
    const data = event.data as { id?: unknown; recipient_id?: unknown } | null;
    if (typeof data?.id !== 'string' || data.recipient_id !== principal.agentId) return undefined;
    const id = data.id;
    const row = await this.em.transactional(
      async () => {
        const moved = await this.messages.transition('hand_over', id, {
          recipientId: principal.agentId,
        });
        if (moved) await this.events.changed([moved]);
        return moved ?? (await this.messages.find(id));
      },
      { propagation: TransactionPropagation.REQUIRES_NEW },
    );
    return row ? toMessageResponse(row) : undefined;
  }
}
