import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { PreparedStatements } from '@agenthub/database';
import type { AuditRecord } from './audit.service';

/**
 * The one write of the append-only `audit_log`; reads go through the {@link AuditEntry}
 * entity (read-only) in {@link AuditService.list}.
 */
@Injectable()
export class AuditRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * One INSERT. The project is looked up, not trusted: a project that no longer exists (the
   * one a DELETE just removed) leaves `project_id` NULL, so the record of a deletion
   * outlives the project's cascade.
   */
  async append(entry: AuditRecord, em: EntityManager = this.em): Promise<void> {
    await this.statements.defer(
      em,
      `INSERT INTO audit_log (actor_type, actor_id, action, resource_type, resource_id, project_id, request_id)
       SELECT ?::text, ?::uuid, ?::text, ?::text, ?::text, (SELECT id FROM projects WHERE id = ?::uuid), ?::text`,
      [
        entry.actorType,
        entry.actorId,
        entry.action,
        entry.resourceType,
        entry.resourceId,
        entry.projectId,
        entry.requestId,
      ],
    );
  }
}
