import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FilterQuery } from '@mikro-orm/core';
import {
  ApiAuth,
  ApiOp,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  Page,
  page,
  PaginationQueryDto,
  UuidParam,
} from '@agenthub/http';
import { CurrentPrincipal } from '../identity/decorators';
import { SuperuserRequiredError, UNAUTHENTICATED_CODES } from '../identity/auth.errors';
import type { Principal } from '../identity/principal';
import { ProjectAccessPolicy } from '../projects/project-access.policy';
import { AuditService } from './audit.service';
import { AuditEntryResponseDto, toAuditEntryResponse } from './dto/audit-entry-response.dto';
import { AuditQueryDto } from './dto/audit-query.dto';
import type { AuditEntry } from './entities/audit-entry.entity';

@ApiTags('audit')
@ApiAuth()
@ApiProblems([401], { 401: UNAUTHENTICATED_CODES })
@Controller()
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly policy: ProjectAccessPolicy,
  ) {}

  /** A project's history, newest first: its owner and superusers only (agents: 403). */
  @Get('projects/:id/audit')
  @ApiOp(
    'listProjectAudit',
    "List a project's audit log",
    'Newest first. Its owner and superusers only; agents are refused (403).',
  )
  @ApiUuidParam('id', 'The project.')
  @ApiPage(AuditEntryResponseDto)
  @ApiProblems([400, 403, 404], { 403: 'PROJECT.FORBIDDEN', 404: 'PROJECT.NOT_FOUND' })
  async forProject(
    @UuidParam('id') id: string,
    @Query() query: PaginationQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<AuditEntryResponseDto>> {
    await this.policy.assertCanAccess(principal, id, 'manage');
    const [items, total] = await this.audit.list({ projectId: id }, query);
    return page(items.map(toAuditEntryResponse), total, query);
  }

  /** The whole log, including what belongs to no project (sign-ups, logins, deletions of projects). */
  @Get('audit')
  @ApiOp(
    'listAudit',
    'List the whole audit log',
    'Newest first, optionally narrowed; superusers only. Includes what belongs to no project.',
  )
  @ApiPage(AuditEntryResponseDto)
  @ApiProblems([400, 403], { 403: 'AUTH.SUPERUSER_REQUIRED' })
  async all(
    @Query() query: AuditQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<AuditEntryResponseDto>> {
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
