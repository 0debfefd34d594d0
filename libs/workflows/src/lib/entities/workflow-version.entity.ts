import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One version of a workflow's definition, as executions of it ran it. Written once, never
 * changed: a trigger of the workflows migration refuses any UPDATE of it (but for its
 * creator's ON DELETE SET NULL).
 */
@Entity({ tableName: 'workflow_versions' })
export class WorkflowVersion {
  [OptionalProps]?: 'createdAt' | 'createdByUserId' | 'createdByAgentId';

  @PrimaryKey({ type: 'uuid' })
  workflowId!: string;

  @PrimaryKey({ type: 'integer' })
  version!: number;

  @Property({ type: 'json' })
  definition!: Record<string, unknown>;

  @Property({ type: 'uuid', nullable: true })
  createdByUserId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  createdByAgentId: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
