import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PaginationQueryDto, Trim } from '@agenthub/http';
import { TASK_STATUSES, TaskStatus } from '../task-lifecycle';
import { TASK_PRIORITIES, TaskPriority } from '../task-priority';
import { ASSIGNEE_TYPES, AssigneeType } from './assign-task.dto';
import { TASK_LIMITS as L } from './task-limits';

/**
 * `created_at` oldest first, `-created_at` newest first; `priority` urgent first (then
 * oldest: the order claim hands tasks out), `-priority` low first; `due_date` soonest first,
 * `-due_date` latest first (tasks without one last, both ways).
 */
export const TASK_SORTS = [
  'created_at',
  '-created_at',
  'priority',
  '-priority',
  'due_date',
  '-due_date',
] as const;
export type TaskSort = (typeof TASK_SORTS)[number];

/** `GET /tasks` filters; without `project_id`, every project the caller may see. */
export class ListTasksQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only this project (else every project the caller may read).',
  })
  @IsOptional()
  @IsUUID()
  project_id?: string;

  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptional()
  @IsIn(TASK_STATUSES, { message: `status must be one of ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES })
  @IsOptional()
  @IsIn(TASK_PRIORITIES, { message: `priority must be one of ${TASK_PRIORITIES.join(', ')}` })
  priority?: TaskPriority;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  assigned_to?: string;

  @ApiPropertyOptional({ enum: ASSIGNEE_TYPES })
  @IsOptional()
  @IsIn(ASSIGNEE_TYPES, { message: `assigned_to_type must be one of ${ASSIGNEE_TYPES.join(', ')}` })
  assigned_to_type?: AssigneeType;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  room_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  workflow_id?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: L.search,
    description:
      'Full-text search over title and description (English stemming; web-search syntax: `"exact phrase"`, `or`, `-excluded`). Without `sort`, best matches first.',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, L.search)
  q?: string;

  @ApiPropertyOptional({
    enum: TASK_SORTS,
    description:
      '`created_at` oldest first, `-created_at` newest first; `priority` urgent first (then oldest), `-priority` low first; `due_date` soonest first, `-due_date` latest first (tasks without one last, both ways). Default: `-created_at`, or relevance with `q`.',
  })
  @IsOptional()
  @IsIn(TASK_SORTS, { message: `sort must be one of ${TASK_SORTS.join(', ')}` })
  sort?: TaskSort;
}
