import { ApiProperty } from '@nestjs/swagger';
import { isoTimestamp } from '@agenthub/http';
import type { Task } from '../entities/task.entity';
import {
  DEPENDENCY_FAILURE_POLICIES,
  DependencyFailurePolicy,
  TASK_STATUSES,
  TaskStatus,
} from '../task-lifecycle';
import { TASK_PRIORITIES, TaskPriority } from '../task-priority';
import { ASSIGNEE_TYPES, AssigneeType } from './assign-task.dto';

/** OpenAPI 3.0: a nullable enum must list null among its values, or null is not one of them. */
const NULLABLE_ASSIGNEE_TYPES = [...ASSIGNEE_TYPES, null];

/**
 * A task on the wire: the broker's TaskDB fields, workflow_id and step_order from the phase-1
 * SQLite platform's phase-2 PostgreSQL design, and the claiming state.
 */
export class TaskResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  project_id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  room_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  workflow_id!: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  step_order!: number | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The workflow execution this task is a step of (null for a plain task).',
  })
  workflow_execution_id!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The step's key in the workflow definition.",
  })
  step_key!: string | null;

  @ApiProperty({
    enum: [...DEPENDENCY_FAILURE_POLICIES, null],
    nullable: true,
    description:
      'A step whose dependency failed or was cancelled: `cancel` (cancelled too) or `continue` (runs once every dependency is final).',
  })
  on_dependency_failure!: DependencyFailurePolicy | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      "A step's inputs: `context` (the execution's `context_data`) and, once every dependency is final, each dependency's result under its step key (a dependency that did not complete: `{status, result}`).",
  })
  inputs!: Record<string, unknown> | null;

  @ApiProperty()
  title!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ enum: TASK_STATUSES })
  status!: TaskStatus;

  @ApiProperty({ enum: TASK_PRIORITIES })
  priority!: TaskPriority;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The agent or user the task is assigned to; `assigned_to_type` says which.',
  })
  assigned_to!: string | null;

  @ApiProperty({ enum: NULLABLE_ASSIGNEE_TYPES, nullable: true })
  assigned_to_type!: AssigneeType | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The user or agent that created the task; null once it is deleted.',
  })
  created_by!: string | null;

  @ApiProperty({ enum: NULLABLE_ASSIGNEE_TYPES, nullable: true })
  created_by_type!: AssigneeType | null;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    description: 'Ids of the tasks this one waits for.',
  })
  dependencies!: string[];

  @ApiProperty({
    type: [String],
    description: 'Capabilities an agent must all have to claim the task.',
  })
  required_capabilities!: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'What the work produced, as the assignee reported it.',
  })
  result!: Record<string, unknown> | null;

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    nullable: true,
    description:
      "The content the task was created with, as message parts (an A2A message's parts when it came through the A2A gateway); null when none were given.",
  })
  parts!: Record<string, unknown>[] | null;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'How often claim handed it out.' })
  attempts!: number;

  @ApiProperty({ type: 'integer', minimum: 1 })
  max_attempts!: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'While an agent works on it: when its lease runs out.',
  })
  lease_expires_at!: string | null;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description: 'Grows with every change; give it back in PATCH to refuse lost updates.',
  })
  version!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  due_date!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  started_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completed_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export function toTaskResponse(task: Task, dependencies: string[]): TaskResponseDto {
  return {
    id: task.id,
    project_id: task.projectId,
    room_id: task.roomId,
    workflow_id: task.workflowId,
    step_order: task.stepOrder,
    workflow_execution_id: task.workflowExecutionId,
    step_key: task.stepKey,
    on_dependency_failure: task.onDependencyFailure,
    inputs: task.inputs,
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    assigned_to: task.assignedAgentId ?? task.assignedUserId,
    assigned_to_type: task.assignedAgentId ? 'agent' : task.assignedUserId ? 'user' : null,
    created_by: task.createdByUserId ?? task.createdByAgentId,
    created_by_type: task.createdByUserId ? 'user' : task.createdByAgentId ? 'agent' : null,
    dependencies,
    required_capabilities: task.requiredCapabilities,
    result: task.result,
    parts: task.parts,
    attempts: task.attempts,
    max_attempts: task.maxAttempts,
    lease_expires_at: isoTimestamp(task.leaseExpiresAt),
    version: task.version,
    due_date: isoTimestamp(task.dueDate),
    started_at: isoTimestamp(task.startedAt),
    completed_at: isoTimestamp(task.completedAt),
    created_at: isoTimestamp(task.createdAt),
    updated_at: isoTimestamp(task.updatedAt),
  };
}
