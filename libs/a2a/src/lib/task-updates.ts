import type { Principal } from '@agenthub/auth';
import { EventStreams, parseTypeFilter } from '@agenthub/events';
import type { EventSubscription } from '@agenthub/events';
import type { TaskJson } from './a2a-task.mapping';

const TASK_EVENTS = parseTypeFilter('task.updated,task.deleted');

/**
 * `resync`: the event log no longer holds some changes the reader had not seen (the retention
 * purge passed it): read the task again instead of waiting for a change that already went.
 */
export type TaskUpdate =
  { kind: 'updated'; task: TaskJson } | { kind: 'deleted' } | { kind: 'resync' };

/** A queue entry for every reader, whatever task it follows. */
const EVERY_TASK = '*';

/**
 * The changes of tasks as the caller sees them on the event stream (GET /events' visibility,
 * on any API process). Opened before the task is read or created, so no change between the
 * read and the subscription is lost; a change already seen (its `version` not above the last
 * one) is skipped by the reader.
 */
export class TaskUpdates {
  private readonly queue: { id: string; update: TaskUpdate }[] = [];
  private wake?: () => void;
  private closedReason?: string;
  private subscription?: EventSubscription;

  static async open(
    streams: EventStreams,
    principal: Principal,
    projectId: string,
  ): Promise<TaskUpdates> {
    const updates = new TaskUpdates();
    updates.subscription = await streams.subscribe({
      principal,
      projectId: principal.kind === 'user' ? projectId : undefined,
      types: TASK_EVENTS,
      onEvent: (event) => {
        if (event.type === 'gap') return updates.push(EVERY_TASK, { kind: 'resync' });
        if (!('data' in event)) return;
        const task = event.data as TaskJson;
        updates.push(
          task.id,
          event.type === 'task.deleted' ? { kind: 'deleted' } : { kind: 'updated', task },
        );
      },
      onClose: (reason) => updates.end(reason),
    });
    return updates;
  }

  /** The next change of task `id`, or `null` once the subscription ended (see {@link reason}). */
  async next(id: string): Promise<TaskUpdate | null> {
    for (;;) {
      const index = this.queue.findIndex((entry) => entry.id === id || entry.id === EVERY_TASK);
      if (index >= 0) return this.queue.splice(index, 1)[0].update;
      // Other tasks' changes are of no use to this reader.
      this.queue.length = 0;
      if (this.closedReason !== undefined) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Why the subscription ended, once it did. */
  get reason(): string | undefined {
    return this.closedReason;
  }

  close(reason = 'closed'): void {
    this.subscription?.close();
    this.end(reason);
  }

  private push(id: string, update: TaskUpdate): void {
    this.queue.push({ id, update });
    this.wake?.();
  }

  private end(reason: string): void {
    this.closedReason ??= reason;
    this.wake?.();
  }
}
