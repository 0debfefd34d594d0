import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID, ValidateIf } from 'class-validator';

export const ASSIGNEE_TYPES = ['agent', 'user'] as const;
export type AssigneeType = (typeof ASSIGNEE_TYPES)[number];

/** `POST /tasks/:id/assign`: `{assigned_to: null}` unassigns. */
export class AssignTaskDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The new assignee; null unassigns.',
  })
  @ValidateIf((o: AssignTaskDto) => o.assigned_to !== null)
  @IsUUID(undefined, { message: 'assigned_to must be a UUID, or null to unassign' })
  assigned_to!: string | null;

  @ApiPropertyOptional({
    enum: ASSIGNEE_TYPES,
    description: 'Required with an `assigned_to`; not allowed with null.',
  })
  @ValidateIf((o: AssignTaskDto) => o.assigned_to !== null || o.assigned_to_type !== undefined)
  @IsIn(ASSIGNEE_TYPES, { message: `assigned_to_type must be one of ${ASSIGNEE_TYPES.join(', ')}` })
  assigned_to_type?: AssigneeType;
}
