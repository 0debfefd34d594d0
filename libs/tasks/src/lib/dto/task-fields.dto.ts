import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { CapabilityNames } from '@agenthub/agents';
import { OptionalNotNull, Trim } from '@agenthub/http';
import { TASK_PRIORITIES, TaskPriority } from '../task-priority';
import { TASK_LIMITS as L } from './task-limits';

/**
 * The fields of a task a user sets on create and may change with PATCH (all optional
 * there). Status, result and version are PATCH-only; the assignee has its own route. The
 * defaults are documented on CreateTaskDto: in a PATCH, a field left out stays as it is.
 */
export class TaskFieldsDto {
  @ApiProperty({ minLength: 1, maxLength: L.title, description: 'Trimmed; not blank.' })
  @Trim()
  @IsString()
  @Length(1, L.title)
  title!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: L.description })
  @IsOptional()
  @IsString()
  @MaxLength(L.description)
  description?: string | null;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES })
  @OptionalNotNull()
  @IsIn(TASK_PRIORITIES, { message: `priority must be one of ${TASK_PRIORITIES.join(', ')}` })
  priority?: TaskPriority;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    maxItems: L.dependencies,
    uniqueItems: true,
    description:
      'Ids of tasks of the same project this one waits for; the graph must stay acyclic.',
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(L.dependencies)
  @IsUUID(undefined, { each: true })
  @ArrayUnique({ message: 'dependencies must not list a task twice' })
  dependencies?: string[];

  @ApiPropertyOptional({
    uniqueItems: true,
    description: 'Capabilities an agent must all have to claim the task.',
  })
  @OptionalNotNull()
  @CapabilityNames({ unique: true })
  required_capabilities?: string[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: L.maxAttempts,
    description: 'How many times claim may hand the task out before an expired lease fails it.',
  })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(L.maxAttempts)
  max_attempts?: number;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'due_date must be an ISO-8601 date-time' })
  due_date?: string | null;

  /** The database refuses a room of another project: a composite foreign key from the messaging migration. */
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'uuid',
    description:
      "A room of the task's project (another project's room: 409 `RESOURCE.REFERENCE_VIOLATION`). Deleting the room clears it.",
  })
  @IsOptional()
  @IsUUID()
  room_id?: string | null;

  /** The database refuses a workflow of another project: a composite foreign key from the workflows migration. */
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'uuid',
    description:
      "A workflow of the task's project (another project's, or none: 409 `RESOURCE.REFERENCE_VIOLATION`). Deleting the workflow deletes the task. Tasks a workflow execution created are its steps: see `workflow_execution_id`.",
  })
  @IsOptional()
  @IsUUID()
  workflow_id?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, maximum: L.stepOrder })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(L.stepOrder)
  step_order?: number | null;
}
