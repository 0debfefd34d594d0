import { Entity, Enum, Property } from '@mikro-orm/core';
import { BaseEntity } from '@agenthub/database';
import { AGENT_STATUSES, AgentStatus, DEFAULT_AGENT_STATUS } from '../agent-status';

/** What a new agent's `agent_type` is when none is given. */
export const DEFAULT_AGENT_TYPE = 'generic';

/**
 * An agent of a project: the broker's AgentDB, plus system_prompt and model_* from the
 * phase-1 SQLite platform and last_heartbeat from its phase-2 PostgreSQL design. The project is kept as its id: the foreign key (ON DELETE CASCADE) lives
 * in the database, and nothing here needs the Project entity loaded.
 */
@Entity({ tableName: 'agents' })
export class Agent extends BaseEntity<'agentType' | 'status' | 'capabilities' | 'isActive'> {
  @Property({ type: 'uuid' })
  projectId!: string;

  @Property({ type: 'string', length: 255 })
  name!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  nickname?: string | null;

  @Property({ type: 'string', length: 100, default: DEFAULT_AGENT_TYPE })
  agentType = DEFAULT_AGENT_TYPE;

  /** As last reported. Reads go through the heartbeat timeout (see agent.repository.ts). */
  @Enum({
    items: () => [...AGENT_STATUSES],
    type: 'string',
    length: 20,
    default: DEFAULT_AGENT_STATUS,
  })
  status: AgentStatus = DEFAULT_AGENT_STATUS;

  /** Capability names; per-capability details live in agent_capabilities. */
  @Property({ type: 'json' })
  capabilities: string[] = [];

  @Property({ type: 'json', nullable: true })
  config?: Record<string, unknown> | null;

  @Property({ type: 'text', nullable: true })
  systemPrompt?: string | null;

  @Property({ type: 'string', length: 100, nullable: true })
  modelProvider?: string | null;

  @Property({ type: 'string', length: 255, nullable: true })
  modelName?: string | null;

  @Property({ type: 'boolean', default: true })
  isActive = true;

  @Property({ type: 'timestamptz', nullable: true })
  lastHeartbeat?: Date | null;
}
