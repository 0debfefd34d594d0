import {
  ExecutionContext,
  Inject,
  Injectable,
  OnModuleDestroy,
  OnModuleInit,
  Optional,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { RequestTransactionHook, RequestTransactionHooks } from '@agenthub/database';
import type { Principal } from './principal';

/**
 * Whatever tells this process about every committed change that can take access away (the
 * `agenthub_access` notifications the database's triggers send), provided by the lib that
 * owns the process's LISTEN connection. Without a provider nothing is cached.
 */
export const ACCESS_CHANGES = Symbol('ACCESS_CHANGES');

export interface AccessChanges {
  /**
   * Whether every access change committed more than a second ago has reached this process:
   * the LISTEN connection is up and answered a round trip started within the last second
   * (PostgreSQL delivers a session's pending notifications before it answers, so such a
   * round trip has handed over everything committed before it started).
   */
  isLive(): boolean;
  /** Called on every access change, and whenever the LISTEN connection comes up or is lost. */
  onAccessChange(listener: () => void): () => void;
}

/** The longest a principal is served from memory before it is read from the database again. */
export const ACCESS_CACHE_TTL_MS = 30_000;
/** Bearer tokens remembered at most; beyond it the oldest entry goes. */
const ACCESS_CACHE_MAX_ENTRIES = 10_000;

/** A principal as a sign-in check found it, and until when it may be reused without asking again. */
export interface CheckedPrincipal {
  principal: Principal;
  /** ms since the epoch: when the token (JWT) or key expires; `null` when it does not. */
  expiresAt: number | null;
}

const CHANGES_ACCESS = 'agenthub:changesAccess';

/**
 * Marks a route that can take access away (deactivate or delete an agent, revoke a key,
 * delete a project): the cache of this process is emptied before the request commits, so
 * the next request here already reads the database. Every other process hears it through the
 * database's notification on commit; so does this one, which covers a request that read the
 * old state between the emptying and the commit.
 */
export const ChangesAccess = () => SetMetadata(CHANGES_ACCESS, true);

/**
 * Principals by bearer token (its SHA-256), so the hot paths skip the sign-in query. Kept
 * only while {@link AccessChanges} is live, and emptied on every access change, so a revoked
 * key, an inactive agent or user is refused within a second in every process:
 * - no provider, or the LISTEN connection down or unproven for a second: nothing is served
 *   from memory or stored (fail closed: every request asks the database);
 * - an access change, a (re)connect or a loss of the connection empties the cache and bumps
 *   the generation; a check that started before the bump does not store its result, since
 *   it may have read the state the change replaced;
 * - an entry lives until the token or key expires, and at most {@link ACCESS_CACHE_TTL_MS};
 * - refusals are never cached.
 */
@Injectable()
export class AccessCache implements RequestTransactionHook, OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();
  private generation = 0;
  private readonly unsubscribe?: () => void;

  constructor(
    private readonly reflector: Reflector,
    private readonly hooks: RequestTransactionHooks,
    @Optional() @Inject(ACCESS_CHANGES) private readonly changes?: AccessChanges,
  ) {
    this.unsubscribe = changes?.onAccessChange(() => this.clear());
  }

  onModuleInit(): void {
    this.hooks.register(this);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * The principal behind `token`: from memory when allowed, else from `check` (which throws
   * a 401 domain error for a token that signs nobody in), remembered when allowed.
   */
  async principal(token: string, check: () => Promise<CheckedPrincipal>): Promise<Principal> {
    if (!this.changes?.isLive()) {
      if (this.entries.size > 0) this.clear();
      return (await check()).principal;
    }
    const key = createHash('sha256').update(token).digest('base64');
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.principal;
    if (hit) this.entries.delete(key);

    const generation = this.generation;
    const checked = await check();
    const until = Math.min(checked.expiresAt ?? Infinity, now + ACCESS_CACHE_TTL_MS);
    if (generation === this.generation && this.changes.isLive() && until > Date.now()) {
      if (this.entries.size >= ACCESS_CACHE_MAX_ENTRIES)
        this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, { principal: checked.principal, until });
    }
    return checked.principal;
  }

  /** Forgets every principal; checks running now will not store what they read. */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Before a {@link ChangesAccess} route commits. */
  async beforeCommit(context: ExecutionContext): Promise<void> {
    if (
      this.reflector.getAllAndOverride<boolean | undefined>(CHANGES_ACCESS, [
        context.getHandler(),
        context.getClass(),
      ])
    )
      this.clear();
  }
}
