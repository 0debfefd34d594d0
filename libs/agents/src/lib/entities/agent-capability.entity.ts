import { DecimalType, Entity, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '@agenthub/database';
import { Agent } from './agent.entity';

/** What AgentHub assumes about a capability nobody described (the phase-2 design's default). */
export const DEFAULT_CAPABILITY_CONFIDENCE = 0.5;

/**
 * Details of one of an agent's capabilities (agent_capabilities of the phase-1 SQLite
 * platform's phase-2 PostgreSQL design). Optional: the agent's `capabilities` list says which
 * capabilities it has; a row here adds confidence, usage and schemas, and is removed when the
 * name leaves the list. A task's outcome counts usage and moves confidence (learnFromOutcomeSql,
 * agent.repository.ts).
 */
@Entity({ tableName: 'agent_capabilities' })
export class AgentCapability extends BaseEntity<'confidenceScore' | 'usageCount'> {
  @ManyToOne(() => Agent, { deleteRule: 'cascade' })
  agent!: Agent;

  @Property({ type: 'string', length: 100 })
  capabilityName!: string;

  @Property({
    type: new DecimalType('number'),
    precision: 5,
    scale: 4,
    default: DEFAULT_CAPABILITY_CONFIDENCE,
  })
  confidenceScore: number = DEFAULT_CAPABILITY_CONFIDENCE;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Property({ type: 'json', nullable: true })
  inputSchema?: Record<string, unknown> | null;

  @Property({ type: 'json', nullable: true })
  outputSchema?: Record<string, unknown> | null;

  @Property({ type: 'integer', default: 0 })
  usageCount = 0;

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt?: Date | null;
}
