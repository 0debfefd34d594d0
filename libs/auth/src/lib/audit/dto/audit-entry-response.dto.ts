import type { ActorType, AuditEntry } from '../entities/audit-entry.entity';

export interface AuditEntryResponse {
  id: string;
  occurred_at: string;
  actor_type: ActorType;
  actor_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  project_id: string | null;
  request_id: string | null;
}

export function toAuditEntryResponse(entry: AuditEntry): AuditEntryResponse {
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
