import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import { ActorType, AuditEntry } from './entities/audit-entry.entity';
import type { AuditTarget } from './audit-target';
import { AuditRepository } from './audit.repository';
import type { AuditQueryDto } from './dto/audit-query.dto';

export interface AuditRecord extends AuditTarget {
  actorType: ActorType;
  actorId: string | null;
  requestId: string | null;
}

/**
 * The condition of a read of the log, for both of its routes: every filter `query` gives (and
 * the project, when given) must match.
 */
export function auditWhere(query: AuditQueryDto, projectId?: string): FilterQuery<AuditEntry> {
  const where: FilterQuery<AuditEntry> = {};
  if (projectId !== undefined) where.projectId = projectId;
  if (query.actor_type !== undefined) where.actorType = query.actor_type;
  if (query.actor_id !== undefined) where.actorId = query.actor_id;
  if (query.action !== undefined) where.action = query.action;
  if (query.resource_type !== undefined) where.resourceType = query.resource_type;
  if (query.resource_id !== undefined) where.resourceId = query.resource_id;
  return where;
}

@Injectable()
export class AuditService {
  constructor(
    private readonly em: EntityManager,
    private readonly entries: AuditRepository,
  ) {}

  /**
   * Appends one row: on `em` when given, else on the injected EntityManager, which joins the
   * transaction open in the caller's async context (a mutating request's, a sweep's), if any.
   */
  async record(entry: AuditRecord, em?: EntityManager): Promise<void> {
    await this.entries.append(entry, em);
  }

  /**
   * A page of the entries `query` asks for (of `projectId` only, when given), newest first,
   * and how many match in all.
   */
  async list(query: AuditQueryDto, projectId?: string): Promise<[AuditEntry[], number]> {
    return this.em.findAndCount(AuditEntry, auditWhere(query, projectId), {
      orderBy: { occurredAt: 'desc', id: 'desc' },
      limit: query.limit,
      offset: query.offset,
    });
  }
}
