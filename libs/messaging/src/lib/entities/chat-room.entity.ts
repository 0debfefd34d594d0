import { Entity, Property } from '@mikro-orm/core';
import { BaseEntity } from '@agenthub/database';

/**
 * A chat room of a project. References are ids; the foreign keys (project CASCADE, creator
 * SET NULL) live in the database (see the messaging migration). Names need not be unique in
 * a project: the legacy broker never enforced it.
 */
@Entity({ tableName: 'chat_rooms' })
export class ChatRoom extends BaseEntity<'description' | 'createdBy'> {
  @Property({ type: 'uuid' })
  projectId!: string;

  @Property({ type: 'string', length: 255 })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  /** The creating user; null when created by an agent or when that user was deleted. */
  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;
}
