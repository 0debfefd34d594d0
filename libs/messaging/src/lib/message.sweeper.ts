import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { CreateRequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { PeriodicRound } from '@agenthub/database';
import { MessageRepository } from './message.repository';
import { MessageEvents } from './message-events';

/** How often every API process settles windows and expiries. */
const SWEEP_INTERVAL_MS = 1_000;
/** How often it purges final messages past the retention. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;
/** How many messages one statement moves or deletes. */
const BATCH = 500;

/**
 * Applies what time does to messages, in every API process (as TaskLeaseSweeper does for
 * leases): every second, messages whose `expires_at` passed → expired, then messages whose
 * window passed unacknowledged → pending again (`retry_count + 1`, `last_error`
 * "acknowledgement timed out") or failed once `retry_count` reached `max_retries`; each with
 * its events and inbox wake-ups, in the batch's transaction. Hourly (and at start), final
 * messages older than MESSAGE_RETENTION_DAYS are deleted. Candidates are locked FOR UPDATE
 * SKIP LOCKED, so sweepers of several processes (and receives, which settle their agent's
 * messages the same way) never move one message twice.
 */
@Injectable()
export class MessageSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly rounds = new PeriodicRound({
    logger: new Logger(MessageSweeper.name),
    what: 'message sweep',
    intervalMs: SWEEP_INTERVAL_MS,
    round: () => this.sweep(),
  });
  private lastPurge = 0;

  constructor(
    // `em` by this name is what @CreateRequestContext() forks for each round.
    private readonly em: EntityManager,
    private readonly messages: MessageRepository,
    private readonly events: MessageEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.rounds.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.rounds.stop();
  }

  /** One round; answers how many messages it moved and purged. */
  @CreateRequestContext()
  async sweep(): Promise<{ expired: number; timedOut: number; purged: number }> {
    const expired = await this.drain('expire');
    const timedOut = await this.drain('time_out');
    let purged = 0;
    if (Date.now() - this.lastPurge >= PURGE_INTERVAL_MS) {
      purged = await this.purge();
      this.lastPurge = Date.now();
    }
    return { expired, timedOut, purged };
  }

  private async drain(action: 'expire' | 'time_out'): Promise<number> {
    let total = 0;
    for (;;) {
      const moved = await this.em.transactional(async () => {
        const rows = await this.messages.applyDue(action, { limit: BATCH });
        await this.events.changed(rows);
        return rows.length;
      });
      total += moved;
      if (moved < BATCH) return total;
    }
  }

  /** Deletes final messages last changed more than MESSAGE_RETENTION_DAYS ago. */
  @CreateRequestContext()
  async purge(): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.em.transactional(() =>
        this.messages.purgeFinal(this.config.messageRetentionDays, BATCH),
      );
      total += deleted;
      if (deleted < BATCH) return total;
    }
  }
}
