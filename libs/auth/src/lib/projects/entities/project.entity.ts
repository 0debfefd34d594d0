import { Entity, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '@agenthub/database';
import { User } from '../../identity/entities/user.entity';

/** The unit of ownership: everything else (agents, tasks, rooms, ...) belongs to one. */
@Entity({ tableName: 'projects' })
export class Project extends BaseEntity<'description'> {
  @Property({ type: 'string', length: 255 })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  /** Only the id is needed for access decisions: `project.owner.id` never loads the user. */
  @ManyToOne(() => User, { fieldName: 'owner_id', deleteRule: 'restrict' })
  owner!: User;
}
