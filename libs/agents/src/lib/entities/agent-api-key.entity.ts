import { Entity, Enum, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '@agenthub/database';
import { Agent } from './agent.entity';

export const AGENT_KEY_STATUSES = ['active', 'revoked'] as const;
export type AgentKeyStatus = (typeof AGENT_KEY_STATUSES)[number];

/**
 * An agent's own credential. Only sha256(key) is stored (looked up through a unique index)
 * plus a short prefix for display; the secret is shown once, at creation.
 */
@Entity({ tableName: 'agent_api_keys' })
export class AgentApiKey extends BaseEntity<'status'> {
  @ManyToOne(() => Agent, { deleteRule: 'cascade' })
  agent!: Agent;

  /** The user who created it; NULL once that user is deleted (FK ON DELETE SET NULL). */
  @Property({ type: 'uuid', nullable: true, fieldName: 'created_by' })
  createdBy?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  name?: string | null;

  @Property({ type: 'string', length: 64, hidden: true })
  keyHash!: string;

  @Property({ type: 'string', length: 32 })
  keyPrefix!: string;

  @Enum({ items: () => [...AGENT_KEY_STATUSES], type: 'string', length: 20, default: 'active' })
  status: AgentKeyStatus = 'active';

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;
}
