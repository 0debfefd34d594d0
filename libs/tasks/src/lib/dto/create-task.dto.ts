import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, ValidateIf } from 'class-validator';
import { ASSIGNEE_TYPES, AssigneeType } from './assign-task.dto';
import { TaskFieldsDto } from './task-fields.dto';

export class CreateTaskDto extends TaskFieldsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  project_id!: string;

  /** An agent or a user of the project; `assigned_to_type` says which. */
  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  assigned_to?: string | null;

  @ApiPropertyOptional({ enum: ASSIGNEE_TYPES })
  @ValidateIf((o: CreateTaskDto) => o.assigned_to != null || o.assigned_to_type !== undefined)
  @IsIn(ASSIGNEE_TYPES, {
    message: `assigned_to_type must be one of ${ASSIGNEE_TYPES.join(', ')} when assigned_to is given`,
  })
  assigned_to_type?: AssigneeType;
}
