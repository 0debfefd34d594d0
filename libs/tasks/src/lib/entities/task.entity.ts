import { Entity, Enum, Property } from '@mikro-orm/core';
import { BaseEntity } from '@agenthub/database';
import {
  DEPENDENCY_FAILURE_POLICIES,
  DependencyFailurePolicy,
  TASK_STATUSES,
  TaskStatus,
} from '../task-lifecycle';
import { TASK_PRIORITIES, TaskPriority } from '../task-priority';

export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * A task of a project: the broker's TaskDB, workflow_id and step_order from the phase-1
 * SQLite platform's phase-2 PostgreSQL design, and what claiming needs (required
 * capabilities, attempts, a lease, an optimistic-lock version).
 *
 * References are kept as ids; their foreign keys live in the database (see the tasks
 * migration). The assignee and the creator are each one of two columns, an agent or a user,
 * so that both can be real foreign keys; the API shows them as `assigned_to` +
 * `assigned_to_type`. Dependencies live in `task_dependencies`, read and written by
 * {@link TaskRepository}.
 */
@Entity({ tableName: 'tasks' })
export class Task extends BaseEntity<
  | 'roomId'
  | 'workflowId'
  | 'workflowExecutionId'
  | 'stepKey'
  | 'onDependencyFailure'
  | 'inputs'
  | 'stepOrder'
  | 'description'
  | 'status'
  | 'priority'
  | 'assignedAgentId'
  | 'assignedUserId'
  | 'createdByUserId'
  | 'createdByAgentId'
  | 'requiredCapabilities'
  | 'result'
  | 'parts'
  | 'attempts'
  | 'maxAttempts'
  | 'leaseExpiresAt'
  | 'version'
  | 'dueDate'
  | 'startedAt'
  | 'completedAt'
> {
  @Property({ type: 'uuid' })
  projectId!: string;

  /**
   * A room of the task's project: the foreign key (project_id, room_id), ON DELETE SET NULL
   * (room_id), is the messaging migration's.
   */
  @Property({ type: 'uuid', nullable: true })
  roomId: string | null = null;

  /** A workflow of the task's project (foreign key, ON DELETE CASCADE: the workflows migration). */
  @Property({ type: 'uuid', nullable: true })
  workflowId: string | null = null;

  /**
   * Set on the tasks a workflow execution created, one per step, together with `stepKey`,
   * `onDependencyFailure` and `inputs` (the workflows migration's ck_tasks_workflow_step);
   * deleting the execution deletes them.
   */
  @Property({ type: 'uuid', nullable: true })
  workflowExecutionId: string | null = null;

  @Property({ type: 'string', length: 63, nullable: true })
  stepKey: string | null = null;

  /**
   * What a step does when a dependency fails or is cancelled: `cancel` (it is cancelled too)
   * or `continue` (it runs once every dependency is final, seeing the failure in `inputs`).
   */
  @Enum({
    items: () => [...DEPENDENCY_FAILURE_POLICIES],
    type: 'string',
    length: 10,
    nullable: true,
  })
  onDependencyFailure: DependencyFailurePolicy | null = null;

  /**
   * What a step is handed: `context` (the execution's context_data) and, once every
   * dependency is final, each dependency's outcome under its step key (written by the
   * workflow engine, see StepTaskRepository.refreshInputs).
   */
  @Property({ type: 'json', nullable: true })
  inputs: Record<string, unknown> | null = null;

  @Property({ type: 'integer', nullable: true })
  stepOrder: number | null = null;

  @Property({ type: 'string', length: 500 })
  title!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Enum({ items: () => [...TASK_STATUSES], type: 'string', length: 20, default: 'pending' })
  status: TaskStatus = 'pending';

  @Enum({ items: () => [...TASK_PRIORITIES], type: 'string', length: 10, default: 'medium' })
  priority: TaskPriority = 'medium';

  @Property({ type: 'uuid', nullable: true })
  assignedAgentId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  assignedUserId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  createdByUserId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  createdByAgentId: string | null = null;

  /** Capability names an agent must all have to claim the task. */
  @Property({ type: 'json' })
  requiredCapabilities: string[] = [];

  @Property({ type: 'json', nullable: true })
  result: Record<string, unknown> | null = null;

  /**
   * The content the task was asked with, as message parts (JSON objects; the A2A gateway
   * keeps the parts of the message that created the task here). Set on create only.
   */
  @Property({ type: 'json', nullable: true })
  parts: Record<string, unknown>[] | null = null;

  /** How often the task went to in_progress since it was created or last reopened. */
  @Property({ type: 'integer', default: 0 })
  attempts = 0;

  @Property({ type: 'integer', default: DEFAULT_MAX_ATTEMPTS })
  maxAttempts: number = DEFAULT_MAX_ATTEMPTS;

  /** Set while an agent works on it; past it, the lease sweeper takes the task back. */
  @Property({ type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null = null;

  /**
   * Optimistic lock: the unit of work's UPDATEs check and increment it; the repository's raw
   * UPDATEs (claim, lease extension, the sweeper) increment it too.
   */
  @Property({ type: 'integer', version: true })
  version = 1;

  @Property({ type: 'timestamptz', nullable: true })
  dueDate: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  completedAt: Date | null = null;
}
