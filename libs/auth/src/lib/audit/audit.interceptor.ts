import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyReply } from 'fastify';
import { concatMap, defer, lastValueFrom, Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../identity/principal';
import { AUDIT_META, AuditedRequest, AuditOptions } from './audit.decorators';
import { resolveAuditTarget } from './audit-target';
import { AuditRecord, AuditService } from './audit.service';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Appends an audit row for every successful POST/PUT/PATCH/DELETE, unless its handler
 * marked it `note.nothingChanged` (see AuditNoteData).
 *
 * Why the handler runs inside the interceptor's transaction: the row must never be lost
 * for a change that happened, nor exist for one that did not. Services use the injected
 * EntityManager, which MikroORM resolves to this transaction's fork, so their flushes and
 * the audit INSERT commit together (or roll back together, e.g. if the INSERT fails), and
 * the client hears "success" only after the commit. Services may still open their own
 * `em.transactional()` inside; it becomes a savepoint.
 *
 * Routes marked `@Audit(..., { transactional: false })` (login) are the exception: their
 * own bookkeeping must survive a failed request, so they run without this transaction
 * and their row follows in its own statement once they have succeeded.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuditedRequest & AuthenticatedRequest>();
    if (!MUTATING.has(request.method)) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const meta = this.reflector.getAllAndOverride<AuditOptions | undefined>(AUDIT_META, [
      context.getHandler(),
      context.getClass(),
    ]);

    const recordFor = async (body: unknown) => {
      // A request that changed nothing leaves no row (an idle agent polling /tasks/claim
      // would otherwise fill the log); the handler says so through its @AuditNote().
      if (reply.statusCode < 400 && !request.auditNote?.nothingChanged)
        await this.audit.record(this.recordOf(request, meta, body));
    };

    if (meta?.transactional === false) {
      return next.handle().pipe(concatMap(async (body) => (await recordFor(body), body)));
    }
    return defer(() =>
      this.em.transactional(async () => {
        const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
        await recordFor(body);
        return body;
      }),
    );
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
