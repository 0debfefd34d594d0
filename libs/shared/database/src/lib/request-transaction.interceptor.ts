import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { concatMap, defer, lastValueFrom, Observable } from 'rxjs';
import { RequestTransactionHooks } from './request-transaction.hooks';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const WITHOUT_REQUEST_TRANSACTION = 'agenthub:withoutRequestTransaction';

/**
 * Runs a mutating route (or every route of a controller) without the request transaction:
 * only for routes whose own writes must survive a failed request. Their statements commit
 * one by one as they run; the before-commit hooks (the audit row) follow a successful handler
 * in statements of their own.
 */
export const WithoutRequestTransaction = () => SetMetadata(WITHOUT_REQUEST_TRANSACTION, true);

/**
 * One database transaction per mutating HTTP request (POST, PUT, PATCH, DELETE), in which
 * the handler runs and then the {@link RequestTransactionHooks} (the audit row), before the
 * commit. A change and what the hooks write about it commit together or not at all, and the
 * client hears "success" only after the commit.
 *
 * What makes them commit together: `em.transactional()` opens the transaction and runs its
 * callback inside MikroORM's TransactionContext (AsyncLocalStorage). Within that async scope
 * every injected EntityManager resolves to the transaction's fork, so the services' flushes
 * and `execute()` calls and the hooks' INSERTs all go over the transaction's connection. The
 * handler and the hooks run inside the callback; COMMIT follows when it returns (after a
 * last flush of the fork), and only then does the response go out. A throw from the handler
 * or from a hook rolls everything back and becomes the error response. A service's own
 * `em.transactional()` inside becomes a savepoint.
 *
 * Routes marked {@link WithoutRequestTransaction} run without it (see there). Reads (GET,
 * HEAD, OPTIONS) and non-HTTP contexts pass through untouched.
 */
@Injectable()
export class RequestTransactionInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly em: EntityManager,
    private readonly hooks: RequestTransactionHooks,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!MUTATING.has(request.method)) return next.handle();

    const optedOut = this.reflector.getAllAndOverride<boolean | undefined>(
      WITHOUT_REQUEST_TRANSACTION,
      [context.getHandler(), context.getClass()],
    );
    if (optedOut) {
      return next
        .handle()
        .pipe(
          concatMap(async (result) => (await this.hooks.beforeCommit(context, result), result)),
        );
    }
    return defer(() =>
      this.em.transactional(async () => {
        const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
        await this.hooks.beforeCommit(context, result);
        return result;
      }),
    );
  }
}
