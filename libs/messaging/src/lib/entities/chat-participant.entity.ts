import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A member of a room: exactly one of an agent or a user (a CHECK in the database). */
@Entity({ tableName: 'chat_participants' })
export class ChatParticipant {
  [OptionalProps]?: 'agentId' | 'userId' | 'joinedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  roomId!: string;

  @Property({ type: 'uuid', nullable: true })
  agentId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  userId: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  joinedAt: Date = new Date();
}
