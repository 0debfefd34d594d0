import { Entity, Enum, Property } from '@mikro-orm/core';
import { BaseEntity } from '@agenthub/database';

export const WORKFLOW_STATUSES = ['draft', 'active', 'paused'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

/**
 * A named, versioned definition of steps in a project (the phase-2 design's `workflows`).
 * `definition` and `version` are the newest version's; every version, this one included, is
 * also a row of `workflow_versions`, which never changes. References are ids; the foreign
 * keys (project CASCADE, creator SET NULL) live in the workflows migration.
 */
@Entity({ tableName: 'workflows' })
export class Workflow extends BaseEntity<
  'description' | 'status' | 'version' | 'tags' | 'createdByUserId' | 'createdByAgentId'
> {
  @Property({ type: 'uuid' })
  projectId!: string;

  @Property({ type: 'string', length: 255 })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  /** The current version's definition (a canonical WorkflowDefinition). */
  @Property({ type: 'json' })
  definition!: Record<string, unknown>;

  @Enum({ items: () => [...WORKFLOW_STATUSES], type: 'string', length: 20, default: 'draft' })
  status: WorkflowStatus = 'draft';

  @Property({ type: 'integer', default: 1 })
  version = 1;

  @Property({ type: 'text[]', default: '{}' })
  tags: string[] = [];

  @Property({ type: 'uuid', nullable: true })
  createdByUserId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  createdByAgentId: string | null = null;
}
