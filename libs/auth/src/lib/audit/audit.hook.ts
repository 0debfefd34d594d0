import { ExecutionContext, Injectable, OnModuleInit } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { RequestTransactionHook, RequestTransactionHooks } from '@agenthub/database';
import type { AuthenticatedRequest } from '../identity/principal';
import { AUDIT_META, AuditedRequest, AuditOptions } from './audit.decorators';
import { resolveAuditTarget } from './audit-target';
import { AuditRecord, AuditService } from './audit.service';

/**
 * Appends an audit row for every successful POST/PUT/PATCH/DELETE, unless its handler
 * marked it `note.nothingChanged` (see AuditNoteData).
 *
 * A before-commit hook of the request transaction (libs/shared/database), so the row is
 * written in the same transaction as the change: never lost for a change that happened,
 * never there for one that did not. On routes marked `@WithoutRequestTransaction()` (login)
 * the row follows a successful handler in its own statement.
 */
@Injectable()
export class AuditHook implements RequestTransactionHook, OnModuleInit {
  constructor(
    private readonly reflector: Reflector,
    private readonly hooks: RequestTransactionHooks,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  async beforeCommit(context: ExecutionContext, body: unknown): Promise<void> {
    const request = context.switchToHttp().getRequest<AuditedRequest & AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // A request that changed nothing leaves no row (an idle agent polling /tasks/claim
    // would otherwise fill the log); the handler says so through its @AuditNote().
    if (reply.statusCode >= 400 || request.auditNote?.nothingChanged) return;
    const meta = this.reflector.getAllAndOverride<AuditOptions | undefined>(AUDIT_META, [
      context.getHandler(),
      context.getClass(),
    ]);
    await this.audit.record(this.recordOf(request, meta, body));
  }

  private recordOf(
    request: AuditedRequest & AuthenticatedRequest,
    meta: AuditOptions | undefined,
    body: unknown,
  ): AuditRecord {
    const target = resolveAuditTarget({
      meta,
      method: request.method,
      routeUrl: request.routeOptions.url ?? request.url.split('?')[0],
      params: (request.params ?? {}) as Record<string, unknown>,
      body,
      note: request.auditNote,
    });
    const principal = request.principal;
    const actor =
      request.auditNote?.actor ??
      (principal?.kind === 'user'
        ? { type: 'user' as const, id: principal.userId }
        : principal?.kind === 'agent'
          ? { type: 'agent' as const, id: principal.agentId }
          : { type: 'anonymous' as const, id: null });
    return {
      ...target,
      actorType: actor.type,
      actorId: actor.id,
      requestId: String(request.id).slice(0, 128),
    };
  }
}
