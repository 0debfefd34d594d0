import { ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsIn, IsOptional, IsUUID, ValidateIf } from 'class-validator';

export const ASSIGNEE_TYPES = ['agent', 'user'] as const;
export type AssigneeType = (typeof ASSIGNEE_TYPES)[number];

/**
 * `POST /tasks/:id/assign`: `{assigned_to, assigned_to_type}` names the assignee,
 * `{assigned_to: null}` unassigns, `{auto: true}` picks the best available agent.
 */
export class AssignTaskDto {
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The new assignee; null unassigns. Required unless `auto`.',
  })
  // Required (a UUID, or null) unless `auto`; with `auto` it must be left out (the service says so).
  @ValidateIf((o: AssignTaskDto) => o.auto !== true && o.assigned_to !== null)
  @IsUUID(undefined, { message: 'assigned_to must be a UUID, or null to unassign' })
  assigned_to?: string | null;

  @ApiPropertyOptional({
    enum: ASSIGNEE_TYPES,
    description: 'Required with an `assigned_to`; not allowed with null.',
  })
  @ValidateIf((o: AssignTaskDto) => o.assigned_to != null || o.assigned_to_type !== undefined)
  @IsIn(ASSIGNEE_TYPES, { message: `assigned_to_type must be one of ${ASSIGNEE_TYPES.join(', ')}` })
  assigned_to_type?: AssigneeType;

  @ApiPropertyOptional({
    type: Boolean,
    enum: [true],
    description:
      "Pick the agent: among the project's active agents with a heartbeat within the timeout (not offline or in error) that have every capability the task requires, the highest mean confidence over those capabilities, then the fewest tasks in progress, then the name. Not with `assigned_to`.",
  })
  @IsOptional()
  @Equals(true, { message: 'auto must be true (or left out)' })
  auto?: true;
}
