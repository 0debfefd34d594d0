import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * One point of an agent's performance (the phase-2 design's `agent_performance`), recorded
 * by the agent, a manager, or the platform itself. Written and read by SQL (the recorder,
 * the metrics repository); the foreign key (project_id, agent_id) → agents cascades.
 */
@Entity({ tableName: 'agent_performance' })
export class AgentPerformance {
  [OptionalProps]?: 'metricUnit' | 'recordedAt' | 'context';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  projectId!: string;

  @Property({ type: 'uuid' })
  agentId!: string;

  @Property({ type: 'string', length: 100 })
  metricName!: string;

  @Property({ type: 'double' })
  metricValue!: number;

  @Property({ type: 'string', length: 50, nullable: true })
  metricUnit: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  recordedAt: Date = new Date();

  @Property({ type: 'json', nullable: true })
  context: Record<string, unknown> | null = null;
}
