import { Injectable } from '@nestjs/common';
import type { Principal } from '@agenthub/auth';

/** An event as the stream sends it (the SSE `data:`); `id` is its cursor. */
export interface StreamEvent {
  id: string;
  type: string;
  project_id: string;
  occurred_at: string;
  data: unknown;
}

/**
 * Runs when an event of its type is about to go out on a principal's stream, and answers the
 * `data` to send instead (or `undefined` to send the event's own). The messaging lib hands a
 * message over this way: pushing `message.received` to its recipient marks it `sent`.
 */
export type EventPushHook = (event: StreamEvent, principal: Principal) => Promise<unknown>;

/** The push hooks by event type. Register from `onModuleInit`. */
@Injectable()
export class EventPushHooks {
  private readonly hooks = new Map<string, EventPushHook>();

  register(type: string, hook: EventPushHook): void {
    if (this.hooks.has(type)) throw new Error(`a push hook for ${type} is already registered`);
    this.hooks.set(type, hook);
  }

  /** The data to send for `event` to `principal`. */
  async dataFor(event: StreamEvent, principal: Principal): Promise<unknown> {
    const hook = this.hooks.get(event.type);
    if (!hook) return event.data;
    return (await hook(event, principal)) ?? event.data;
  }
}
