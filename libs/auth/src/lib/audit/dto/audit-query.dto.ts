import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '@agenthub/http';
import { ACTOR_TYPES, ActorType } from '../entities/audit-entry.entity';

/** `GET /audit` (superusers): the whole log, optionally narrowed. */
export class AuditQueryDto extends PaginationQueryDto {
  @IsOptional() @IsUUID() project_id?: string;

  @IsOptional() @IsIn(ACTOR_TYPES) actor_type?: ActorType;

  @IsOptional() @IsUUID() actor_id?: string;

  @IsOptional() @IsString() @MaxLength(100) action?: string;
}
