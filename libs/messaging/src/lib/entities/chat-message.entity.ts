import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const SENDER_TYPES = ['agent', 'user', 'system'] as const;
export type SenderType = (typeof SENDER_TYPES)[number];

/**
 * A message in a room. Messages are never edited (no updated_at). The sender column matching
 * sender_type is nulled when that agent or user is deleted; the message stays.
 */
@Entity({ tableName: 'chat_messages' })
export class ChatMessage {
  [OptionalProps]?: 'senderAgentId' | 'senderUserId' | 'messageType' | 'meta' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  roomId!: string;

  @Enum({ items: () => [...SENDER_TYPES], type: 'string', length: 20 })
  senderType!: SenderType;

  @Property({ type: 'uuid', nullable: true })
  senderAgentId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  senderUserId: string | null = null;

  @Property({ type: 'text' })
  content!: string;

  @Property({ type: 'string', length: 50, default: 'text' })
  messageType = 'text';

  @Property({ type: 'json', nullable: true })
  meta: Record<string, unknown> | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
