import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import type { PaginationQueryDto } from '@agenthub/http';
import { ActorType, AuditEntry } from './entities/audit-entry.entity';
import type { AuditTarget } from './audit-target';
import { AuditRepository } from './audit.repository';

export interface AuditRecord extends AuditTarget {
  actorType: ActorType;
  actorId: string | null;
  requestId: string | null;
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
