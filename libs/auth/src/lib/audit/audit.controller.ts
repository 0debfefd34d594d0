import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ApiAuth,
  ApiOp,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  Page,
  page,
  UuidParam,
} from '@agenthub/http';
import { CurrentPrincipal } from '../identity/decorators';
import { SuperuserRequiredError, UNAUTHENTICATED_CODES } from '../identity/auth.errors';
import type { Principal } from '../identity/principal';
import { ProjectAccessPolicy } from '../projects/project-access.policy';
import { AuditService } from './audit.service';
import { AuditEntryResponseDto, toAuditEntryResponse } from './dto/audit-entry-response.dto';
import { AuditLogQueryDto, AuditQueryDto } from './dto/audit-query.dto';

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
    'Newest first, optionally narrowed (each filter an exact value; all of them must match). Its owner and superusers only; agents are refused (403).',
  )
  @ApiUuidParam('id', 'The project.')
  @ApiPage(AuditEntryResponseDto)
  @ApiProblems([400, 403, 404], { 403: 'PROJECT.FORBIDDEN', 404: 'PROJECT.NOT_FOUND' })
  async forProject(
    @UuidParam('id') id: string,
    @Query() query: AuditQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<AuditEntryResponseDto>> {
    await this.policy.assertCanAccess(principal, id, 'manage');
    const [items, total] = await this.audit.list(query, id);
    return page(items.map(toAuditEntryResponse), total, query);
  }

  /** The whole log, including what belongs to no project (sign-ups, logins, deletions of projects). */
  @Get('audit')
  @ApiOp(
    'listAudit',
    'List the whole audit log',
    "Newest first, optionally narrowed as a project's log is, or to one project; superusers only. Includes what belongs to no project.",
  )
  @ApiPage(AuditEntryResponseDto)
  @ApiProblems([400, 403], { 403: 'AUTH.SUPERUSER_REQUIRED' })
  async all(
    @Query() query: AuditLogQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<AuditEntryResponseDto>> {
    if (principal.kind !== 'user' || !principal.isSuperuser) throw new SuperuserRequiredError();
    const [items, total] = await this.audit.list(query, query.project_id);
    return page(items.map(toAuditEntryResponse), total, query);
  }
}
