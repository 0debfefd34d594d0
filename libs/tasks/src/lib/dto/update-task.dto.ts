import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, Min } from 'class-validator';
import { MaxJsonSize, OptionalNotNull } from '@agenthub/http';
import { TASK_STATUSES, TaskStatus } from '../task-lifecycle';
import { TASK_LIMITS as L } from './task-limits';
import { TaskFieldsDto } from './task-fields.dto';

/**
 * Every field optional; `null` clears only the nullable ones. The status moves along the
 * lifecycle only (409 otherwise). `version`, when given, must be the task's current version
 * (409 otherwise), so two clients cannot overwrite each other's changes unknowingly.
 */
export class UpdateTaskDto extends PartialType(TaskFieldsDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({
    enum: TASK_STATUSES,
    description:
      'Moves along the lifecycle only (409 `TASK.ILLEGAL_TRANSITION`); `in_progress` needs every dependency completed (409 `TASK.BLOCKED`).',
  })
  @OptionalNotNull()
  @IsIn(TASK_STATUSES, { message: `status must be one of ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: `What the work produced: a JSON object of at most ${L.resultBytes} bytes.`,
  })
  @IsOptional()
  @IsObject()
  @MaxJsonSize(L.resultBytes)
  result?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description:
      "When given, must be the task's current version (else 409 `TASK.VERSION_CONFLICT`).",
  })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  version?: number;
}

/** What an agent may change on a task assigned to it. */
export const AGENT_UPDATABLE_FIELDS: ReadonlySet<string> = new Set(['status', 'result', 'version']);
