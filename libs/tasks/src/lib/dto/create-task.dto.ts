import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  Equals,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsUUID,
  ValidateIf,
} from 'class-validator';
import { MaxJsonSize } from '@agenthub/http';
import { DEFAULT_MAX_ATTEMPTS } from '../entities/task.entity';
import type { TaskPriority } from '../task-priority';
import { ASSIGNEE_TYPES, AssigneeType } from './assign-task.dto';
import { TaskFieldsDto } from './task-fields.dto';
import { TASK_LIMITS as L } from './task-limits';

export class CreateTaskDto extends TaskFieldsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  project_id!: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'An agent or a user of the project; `assigned_to_type` says which.',
  })
  @IsOptional()
  @IsUUID()
  assigned_to?: string | null;

  @ApiPropertyOptional({
    enum: ASSIGNEE_TYPES,
    description: 'Required with `assigned_to`.',
  })
  @ValidateIf((o: CreateTaskDto) => o.assigned_to != null || o.assigned_to_type !== undefined)
  @IsIn(ASSIGNEE_TYPES, {
    message: `assigned_to_type must be one of ${ASSIGNEE_TYPES.join(', ')} when assigned_to is given`,
  })
  assigned_to_type?: AssigneeType;

  @ApiPropertyOptional({
    type: Boolean,
    enum: [true],
    description:
      'Assign the new task to the best available agent, as `POST /tasks/:id/assign {auto: true}` does (409 `TASK.NO_ELIGIBLE_AGENT` when none fits; nothing is created). Not with `assigned_to`.',
  })
  @IsOptional()
  @Equals(true, { message: 'auto_assign must be true (or left out)' })
  auto_assign?: true;

  /**
   * Kept as given: each part is a JSON object (an A2A part such as `{text}`, `{data}`,
   * `{url, mediaType}`) whose shape the platform does not interpret, only bounds.
   */
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    maxItems: L.parts,
    nullable: true,
    description: `The content the task is asked with, as message parts (A2A parts, e.g. \`{"text": "..."}\` or \`{"data": {...}}\`): at most ${L.parts} JSON objects, ${L.partsBytes} bytes of JSON together. Shown as given in the task's \`parts\`.`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(L.parts)
  @IsObject({ each: true, message: 'each of parts must be a JSON object' })
  @MaxJsonSize(L.partsBytes)
  parts?: Record<string, unknown>[] | null;

  // Redeclared only to document the defaults a new task gets (the rules are TaskFieldsDto's).
  @ApiPropertyOptional({ default: 'medium' })
  override priority?: TaskPriority;

  @ApiPropertyOptional({ type: 'integer', default: DEFAULT_MAX_ATTEMPTS })
  override max_attempts?: number;
}
