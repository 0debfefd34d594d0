import { ExecutionContext, Injectable } from '@nestjs/common';

/**
 * Something that must be written together with every change a mutating request makes
 * (the audit row; later the outbox's events). Register it with {@link RequestTransactionHooks}.
 */
export interface RequestTransactionHook {
  /**
   * Runs after the handler of a mutating request succeeded, with what it returned (the
   * response body). Inside the request transaction, before its commit: the injected
   * EntityManager writes in that transaction, and a throw rolls the whole request back. On a
   * route marked `@WithoutRequestTransaction()` there is no such transaction; the hook then
   * runs right after the handler and its statements commit on their own.
   */
  beforeCommit(context: ExecutionContext, result: unknown): Promise<void>;
}

/**
 * The hooks the request-transaction interceptor runs before it commits, in the order they
 * were registered. Register from `onModuleInit`, which runs before the app serves requests.
 */
@Injectable()
export class RequestTransactionHooks {
  private readonly hooks: RequestTransactionHook[] = [];

  register(hook: RequestTransactionHook): void {
    this.hooks.push(hook);
  }

  /** Runs every hook, one after the other; the first that throws stops the rest. */
  async beforeCommit(context: ExecutionContext, result: unknown): Promise<void> {
    for (const hook of this.hooks) await hook.beforeCommit(context, result);
  }
}
