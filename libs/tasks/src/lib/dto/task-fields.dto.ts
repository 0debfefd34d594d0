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
import { DEFAULT_MAX_ATTEMPTS } from '../entities/task.entity';
import { TASK_PRIORITIES, TaskPriority } from '../task-priority';
import { TASK_LIMITS as L } from './task-limits';

/**
 * The fields of a task a user sets on create and may change with PATCH (all optional
 * there). Status, result and version are PATCH-only; the assignee has its own route.
 */
export class TaskFieldsDto {
  @ApiProperty({ maxLength: L.title })
  @Trim()
  @IsString()
  @Length(1, L.title)
  title!: string;

  @ApiPropertyOptional({ nullable: true, maxLength: L.description })
  @IsOptional()
  @IsString()
  @MaxLength(L.description)
  description?: string | null;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES, default: 'medium' })
  @OptionalNotNull()
  @IsIn(TASK_PRIORITIES, { message: `priority must be one of ${TASK_PRIORITIES.join(', ')}` })
  priority?: TaskPriority;

  /** Ids of tasks of the same project this one waits for; the graph must stay acyclic. */
  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: L.dependencies })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(L.dependencies)
  @IsUUID(undefined, { each: true })
  @ArrayUnique(undefined, { message: 'dependencies must not list a task twice' })
  dependencies?: string[];

  /** Capabilities an agent must all have to claim the task. */
  @OptionalNotNull()
  @CapabilityNames({ unique: true })
  required_capabilities?: string[];

  /** How many times claim may hand the task out before an expired lease fails it. */
  @ApiPropertyOptional({ default: DEFAULT_MAX_ATTEMPTS, minimum: 1, maximum: L.maxAttempts })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(L.maxAttempts)
  max_attempts?: number;

  @ApiPropertyOptional({ nullable: true, format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'due_date must be an ISO-8601 date-time' })
  due_date?: string | null;

  /**
   * A room of the task's project: the database refuses any other (a composite foreign key
   * from the messaging migration; the API answers 409). Deleting the room clears it.
   */
  @ApiPropertyOptional({ nullable: true, format: 'uuid' })
  @IsOptional()
  @IsUUID()
  room_id?: string | null;

  /** Workflows do not exist yet: any UUID is kept as given. */
  @ApiPropertyOptional({ nullable: true, format: 'uuid' })
  @IsOptional()
  @IsUUID()
  workflow_id?: string | null;

  @ApiPropertyOptional({ nullable: true, minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(L.stepOrder)
  step_order?: number | null;
}
