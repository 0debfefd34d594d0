import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PaginationQueryDto } from '@agenthub/http';
import { ACTOR_TYPES, ActorType } from '../entities/audit-entry.entity';

/**
 * How a read of the audit log is narrowed, on both of its routes (`GET /projects/:id/audit`
 * and `GET /audit`): each filter given is an exact value every entry must have. Lengths are
 * the columns'.
 */
export class AuditQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: ACTOR_TYPES, description: 'Entries of this kind of actor.' })
  @IsOptional()
  @IsIn(ACTOR_TYPES, { message: `actor_type must be one of ${ACTOR_TYPES.join(', ')}` })
  actor_type?: ActorType;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description: 'Entries of this user or agent.',
  })
  @IsOptional()
  @IsUUID()
  actor_id?: string;

  @ApiPropertyOptional({
    type: String,
    minLength: 1,
    maxLength: 100,
    example: 'project.create',
    description: 'Entries of this action (exact).',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  action?: string;

  @ApiPropertyOptional({
    type: String,
    minLength: 1,
    maxLength: 50,
    example: 'agent',
    description: 'Entries about this kind of resource (exact).',
  })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  resource_type?: string;

  @ApiPropertyOptional({
    type: String,
    minLength: 1,
    maxLength: 100,
    description:
      'Entries about this resource: its id, as the entries give it (exact; with `resource_type` ' +
      'when ids of different kinds could meet).',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  resource_id?: string;
}

/** `GET /audit` (superusers): the whole log, narrowed as a project's is, or to one project. */
export class AuditLogQueryDto extends AuditQueryDto {
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description: "Only this project's entries.",
  })
  @IsOptional()
  @IsUUID()
  project_id?: string;
}
