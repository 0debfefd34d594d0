import { ApiProperty } from '@nestjs/swagger';
import { ACTOR_TYPES, type ActorType, type AuditEntry } from '../entities/audit-entry.entity';

/** One audit row on the wire. */
export class AuditEntryResponseDto {
  @ApiProperty({
    pattern: '^[0-9]+$',
    example: '42',
    description: 'A 64-bit integer, as a string so no client loses precision; grows over time.',
  })
  id!: string;

  @ApiProperty({ format: 'date-time' })
  occurred_at!: string;

  @ApiProperty({ enum: ACTOR_TYPES })
  actor_type!: ActorType;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The user or agent; null for anonymous and system actors.',
  })
  actor_id!: string | null;

  @ApiProperty({ example: 'project.create' })
  action!: string;

  @ApiProperty({ example: 'project' })
  resource_type!: string;

  @ApiProperty({ type: String, nullable: true })
  resource_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  project_id!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The request that made the change.' })
  request_id!: string | null;
}

export function toAuditEntryResponse(entry: AuditEntry): AuditEntryResponseDto {
  return {
    id: entry.id,
    occurred_at: entry.occurredAt.toISOString(),
    actor_type: entry.actorType,
    actor_id: entry.actorId,
    action: entry.action,
    resource_type: entry.resourceType,
    resource_id: entry.resourceId,
    project_id: entry.projectId,
    request_id: entry.requestId,
  };
}
