import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const EXECUTION_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/**
 * One run of one version of a workflow (the phase-2 design's `workflow_executions`): its
 * steps are tasks (`tasks.workflow_execution_id`). The status moves only under a row lock on
 * this row (see WorkflowEngine), so each end of an execution happens once.
 */
@Entity({ tableName: 'workflow_executions' })
export class WorkflowExecution {
  [OptionalProps]?:
    | 'status'
    | 'currentStep'
    | 'contextData'
    | 'resultData'
    | 'startedByUserId'
    | 'startedByAgentId'
    | 'startedAt'
    | 'completedAt'
    | 'errorMessage'
    | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  projectId!: string;

  @Property({ type: 'uuid' })
  workflowId!: string;

  @Property({ type: 'integer' })
  workflowVersion!: number;

  @Enum({ items: () => [...EXECUTION_STATUSES], type: 'string', length: 20, default: 'running' })
  status: ExecutionStatus = 'running';

  /** The lowest step_order among its tasks that are not final yet; null once all are. */
  @Property({ type: 'integer', nullable: true })
  currentStep: number | null = null;

  @Property({ type: 'json', defaultRaw: `'{}'::jsonb` })
  contextData: Record<string, unknown> = {};

  @Property({ type: 'json', defaultRaw: `'{}'::jsonb` })
  resultData: Record<string, unknown> = {};

  @Property({ type: 'uuid', nullable: true })
  startedByUserId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  startedByAgentId: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  startedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  completedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
