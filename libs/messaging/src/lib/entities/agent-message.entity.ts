import { Entity, Enum, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { BaseEntity } from '@agenthub/database';

const AGENT_MESSAGE_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type AgentMessagePriority = (typeof AGENT_MESSAGE_PRIORITIES)[number];
const AGENT_MESSAGE_STATUSES = [
  'pending',
  'sent',
  'delivered',
  'acknowledged',
  'failed',
  'expired',
] as const;
export type AgentMessageStatus = (typeof AGENT_MESSAGE_STATUSES)[number];

/**
 * A direct message from one agent to another, kept under a project (agent_messages of the
 * phase-1 SQLite platform's phase-2 PostgreSQL design). No route reads or writes these yet.
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

  @Property({ type: 'uuid' })
  senderId!: string;

  @Property({ type: 'uuid' })
  recipientId!: string;

  @Property({ type: 'string', length: 50, default: 'agent' })
  senderType = 'agent';

  @Property({ type: 'string', length: 50, default: 'agent' })
  recipientType = 'agent';

  @Property({ type: 'string', length: 50 })
  messageType!: string;

  @Enum({
    items: () => [...AGENT_MESSAGE_PRIORITIES],
    type: 'string',
    length: 20,
    default: 'normal',
  })
  priority: AgentMessagePriority = 'normal';

  @Enum({
    items: () => [...AGENT_MESSAGE_STATUSES],
    type: 'string',
    length: 20,
    default: 'pending',
  })
  status: AgentMessageStatus = 'pending';

  @Property({ type: 'string', length: 500, nullable: true })
  subject: string | null = null;

  @Property({ type: 'json' })
  payload: Record<string, unknown> = {};

  @Property({ type: 'integer', default: 0 })
  retryCount = 0;

  @Property({ type: 'integer', default: 3 })
  maxRetries = 3;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null = null;
}
