import { ApiProperty } from '@nestjs/swagger';
import { TASK_STATUSES, TaskStatus } from '@agenthub/tasks';
import { EXECUTION_STATUSES, ExecutionStatus } from '../entities/workflow-execution.entity';

const STARTER_TYPES = ['user', 'agent', null];

/** One step of an execution: its key, its task, and where that task stands. */
export class ExecutionStepDto {
  @ApiProperty({ description: "The step's key in the definition." })
  key!: string;

  @ApiProperty({ format: 'uuid', description: 'The task that runs the step.' })
  task_id!: string;

  @ApiProperty({ enum: TASK_STATUSES })
  status!: TaskStatus;
}

/** A run of one version of a workflow (the phase-2 design's `workflow_executions`). */
export class ExecutionResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  project_id!: string;

  @ApiProperty({ format: 'uuid' })
  workflow_id!: string;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description: 'The version of the definition it runs.',
  })
  workflow_version!: number;

  @ApiProperty({ enum: EXECUTION_STATUSES })
  status!: ExecutionStatus;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description:
      'The lowest `step_order` among its steps that are not final yet; null once all are.',
  })
  current_step!: number | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What the execution was started with; every step sees it as `inputs.context`.',
  })
  context_data!: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      "Once the execution has ended: each completed step's result under its key (every step's when it completed). `{}` while it runs.",
  })
  result_data!: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  started_by!: string | null;

  @ApiProperty({ enum: STARTER_TYPES, nullable: true })
  started_by_type!: 'user' | 'agent' | null;

  @ApiProperty({ format: 'date-time' })
  started_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completed_at!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why it did not complete: the steps that failed (and were cancelled).',
  })
  error_message!: string | null;

  @ApiProperty({ type: [ExecutionStepDto], description: 'Every step, in step order.' })
  steps!: ExecutionStepDto[];
}
