import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsIn, IsOptional, IsUUID, ValidateIf } from 'class-validator';
import { DEFAULT_MAX_ATTEMPTS } from '../entities/task.entity';
import type { TaskPriority } from '../task-priority';
import { ASSIGNEE_TYPES, AssigneeType } from './assign-task.dto';
import { TaskFieldsDto } from './task-fields.dto';

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

  // Redeclared only to document the defaults a new task gets (the rules are TaskFieldsDto's).
  @ApiPropertyOptional({ default: 'medium' })
  override priority?: TaskPriority;

  @ApiPropertyOptional({ type: 'integer', default: DEFAULT_MAX_ATTEMPTS })
  override max_attempts?: number;
}
