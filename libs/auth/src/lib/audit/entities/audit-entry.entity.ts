import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';

export const ACTOR_TYPES = ['user', 'agent', 'anonymous', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/**
 * One row of the append-only audit log. Read through the ORM; written only by
 * {@link AuditRepository.append} (raw SQL, inside the change's transaction) and never
 * changed: the database refuses UPDATE and most DELETEs.
 */
@Entity({ tableName: 'audit_log', readonly: true })
export class AuditEntry {
  /** bigint identity; a string in JavaScript so no precision is ever lost. */
  @PrimaryKey({ type: 'bigint', generated: 'identity' })
  id!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  occurredAt!: Date;

  @Enum({ items: () => [...ACTOR_TYPES], type: 'string', length: 16 })
  actorType!: ActorType;

  @Property({ type: 'uuid', nullable: true })
  actorId!: string | null;

  @Property({ type: 'string', length: 100 })
  action!: string;

  @Property({ type: 'string', length: 50 })
  resourceType!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  resourceId!: string | null;

  @Property({ type: 'uuid', nullable: true })
  projectId!: string | null;

  @Property({ type: 'string', length: 128, nullable: true })
  requestId!: string | null;
}
