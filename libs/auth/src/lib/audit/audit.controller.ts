import { Controller, Get, Query } from '@nestjs/common';
import type { FilterQuery } from '@mikro-orm/core';
import { Page, page, PaginationQueryDto, UuidParam } from '@agenthub/http';
import { CurrentPrincipal } from '../identity/decorators';
import { SuperuserRequiredError } from '../identity/auth.errors';
import type { Principal } from '../identity/principal';
import { ProjectAccessPolicy } from '../projects/project-access.policy';
import { AuditService } from './audit.service';
import { AuditEntryResponse, toAuditEntryResponse } from './dto/audit-entry-response.dto';
import { AuditQueryDto } from './dto/audit-query.dto';
import type { AuditEntry } from './entities/audit-entry.entity';

@Controller()
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly policy: ProjectAccessPolicy,
  ) {}

  /** A project's history, newest first: its owner and superusers only (agents: 403). */
  @Get('projects/:id/audit')
  async forProject(
    @UuidParam('id') id: string,
    @Query() query: PaginationQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<AuditEntryResponse>> {
    await this.policy.assertCanAccess(principal, id, 'manage');
    const [items, total] = await this.audit.list({ projectId: id }, query);
    return page(items.map(toAuditEntryResponse), total, query);
  }

  /** The whole log, including what belongs to no project (sign-ups, logins, deletions of projects). */
  @Get('audit')
  async all(
    @Query() query: AuditQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<AuditEntryResponse>> {
    if (principal.kind !== 'user' || !principal.isSuperuser) throw new SuperuserRequiredError();
    const where: FilterQuery<AuditEntry> = {};
    if (query.project_id) where.projectId = query.project_id;
    if (query.actor_type) where.actorType = query.actor_type;
    if (query.actor_id) where.actorId = query.actor_id;
    if (query.action) where.action = query.action;
    const [items, total] = await this.audit.list(where, query);
    return page(items.map(toAuditEntryResponse), total, query);
  }
}
