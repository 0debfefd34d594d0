import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '@agenthub/http';
import { ACTOR_TYPES, ActorType } from '../entities/audit-entry.entity';

/** `GET /audit` (superusers): the whole log, optionally narrowed. */
export class AuditQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  project_id?: string;

  @ApiPropertyOptional({ enum: ACTOR_TYPES })
  @IsOptional()
  @IsIn(ACTOR_TYPES)
  actor_type?: ActorType;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  actor_id?: string;

  @ApiPropertyOptional({ maxLength: 100, example: 'project.create' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;
}
