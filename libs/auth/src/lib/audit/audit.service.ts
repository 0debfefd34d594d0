import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import type { PaginationQueryDto } from '@agenthub/http';
import { ActorType, AuditEntry } from './entities/audit-entry.entity';
import type { AuditTarget } from './audit-target';

export interface AuditRecord extends AuditTarget {
  actorType: ActorType;
  actorId: string | null;
  requestId: string | null;
}

@Injectable()
export class AuditService {
  constructor(private readonly em: EntityManager) {}

  /**
   * Appends one row, in the caller's transaction when there is one. The project is looked
   * up, not trusted: a project that no longer exists (the one a DELETE just removed)
   * leaves `project_id` NULL, so the record of a deletion outlives the project's cascade.
   */
  async record(entry: AuditRecord, em: EntityManager = this.em): Promise<void> {
    await em.execute(
      `INSERT INTO audit_log (actor_type, actor_id, action, resource_type, resource_id, project_id, request_id)
       SELECT ?, ?, ?, ?, ?, (SELECT id FROM projects WHERE id = ?), ?`,
      [
        entry.actorType,
        entry.actorId,
        entry.action,
        entry.resourceType,
        entry.resourceId,
        entry.projectId,
        entry.requestId,
      ],
      'run',
    );
  }

  /** Newest first. */
  async list(
    where: FilterQuery<AuditEntry>,
    query: PaginationQueryDto,
  ): Promise<[AuditEntry[], number]> {
    return this.em.findAndCount(AuditEntry, where, {
      orderBy: { occurredAt: 'desc', id: 'desc' },
      limit: query.limit,
      offset: query.offset,
    });
  }
}
