import { Entity, Enum, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { BaseEntity } from '@agenthub/database';

import { MESSAGE_PRIORITIES, MESSAGE_STATUSES } from '../message-lifecycle';
import type { MessagePriority, MessageStatus } from '../message-lifecycle';

/**
 * A direct message to one agent of a project, from an agent or from a user who manages the
 * project (agent_messages of the phase-2 PostgreSQL design), with its delivery cycle
 * (message-lifecycle.ts). Rows are written and moved by MessageRepository's SQL; the entity
 * maps the table (and keeps the schema check honest). `priority_rank` is a generated column
 * the SQL sorts by.
 */
@Entity({ tableName: 'agent_messages' })
export class AgentMessage extends BaseEntity<
  | 'messageId'
  | 'correlationId'
  | 'conversationId'
  | 'senderType'
  | 'recipientType'
  | 'priority'
  | 'status'
  | 'subject'
  | 'payload'
  | 'retryCount'
  | 'maxRetries'
  | 'expiresAt'
  | 'deliveredAt'
  | 'acknowledgedAt'
  | 'senderAgentId'
  | 'senderUserId'
  | 'replyTo'
  | 'ackTimeoutSeconds'
  | 'visibleUntil'
  | 'sentAt'
  | 'failedAt'
  | 'lastError'
> {
  /** The phase-2 design's public message id (distinct from the row id; unique). */
  @Property({ type: 'uuid' })
  messageId: string = randomUUID();

  @Property({ type: 'uuid' })
  projectId!: string;

  @Property({ type: 'uuid', nullable: true })
  correlationId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  conversationId: string | null = null;

  /** Set when `senderType` is `agent` (deleting the agent deletes what it sent). */
  @Property({ type: 'uuid', nullable: true })
  senderAgentId: string | null = null;

  /** Set when `senderType` is `user` (deleting the user deletes what they sent). */
  @Property({ type: 'uuid', nullable: true })
  senderUserId: string | null = null;

  /** The message this one answers (set null when that one is deleted). */
  @Property({ type: 'uuid', nullable: true })
  replyTo: string | null = null;

  @Property({ type: 'uuid' })
  recipientId!: string;

  @Enum({ items: () => ['agent', 'user'], type: 'string', length: 50, default: 'agent' })
  senderType: 'agent' | 'user' = 'agent';

  @Enum({ items: () => ['agent'], type: 'string', length: 50, default: 'agent' })
  recipientType = 'agent' as const;

  @Property({ type: 'string', length: 50 })
  messageType!: string;

  @Enum({
    items: () => [...MESSAGE_PRIORITIES],
    type: 'string',
    length: 20,
    default: 'normal',
  })
  priority: MessagePriority = 'normal';

  @Enum({
    items: () => [...MESSAGE_STATUSES],
    type: 'string',
    length: 20,
    default: 'pending',
  })
  status: MessageStatus = 'pending';

  @Property({ type: 'string', length: 500, nullable: true })
  subject: string | null = null;

  @Property({ type: 'json' })
  payload: unknown = {};

  @Property({ type: 'integer', default: 0 })
  retryCount = 0;

  @Property({ type: 'integer', default: 3 })
  maxRetries = 3;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  /** Seconds the recipient has, after each hand-over or `delivered`, to acknowledge. */
  @Property({ type: 'integer', default: 30 })
  ackTimeoutSeconds = 30;

  /** The visibility window's deadline; set exactly while sent or delivered. */
  @Property({ type: 'timestamptz', nullable: true })
  visibleUntil: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  sentAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  failedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;
}
