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

/** How often every API process purges events older than the retention. */
const RETENTION_SWEEP_INTERVAL_MS = 60_000;
/** Events deleted per statement. */
const BATCH = 5_000;

/**
 * Deletes events older than EVENT_RETENTION_HOURS, in batches, and moves
 * event_log_state.purged_through to the largest cursor it deleted, in the same statement:
 * a stream whose cursor is below that mark has missed events for good and gets `event: gap`.
 * Every process runs it: rows are taken with FOR UPDATE SKIP LOCKED (two sweepers never
 * delete the same batch), and the mark only ever moves forward (its UPDATE row-locks the
 * one state row and compares with the mark it finds there).
 */
@Injectable()
export class EventRetentionSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EventRetentionSweeper.name);
  private readonly rounds = new PeriodicRound({
    logger: this.logger,
    what: 'event retention sweep',
    intervalMs: RETENTION_SWEEP_INTERVAL_MS,
    round: async () => {
      const count = await this.sweep();
      if (count > 0) this.logger.log(`purged ${count} event(s) past retention`);
    },
  });

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.rounds.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.rounds.stop();
  }

  /** Purges until nothing is past retention; returns how many events it deleted. */
  @CreateRequestContext()
  async sweep(retentionHours = this.config.eventRetentionHours): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.em.execute<{ deleted: string }[]>(
        `WITH doomed AS (
           SELECT tx_id, position FROM events
            WHERE occurred_at < now() - make_interval(hours => ?)
            ORDER BY occurred_at LIMIT ? FOR UPDATE SKIP LOCKED
         ), gone AS (
           DELETE FROM events e USING doomed d WHERE e.tx_id = d.tx_id AND e.position = d.position
           RETURNING e.tx_id, e.position
         ), last AS (
           SELECT tx_id, position FROM gone ORDER BY tx_id DESC, position DESC LIMIT 1
         ), marked AS (
           UPDATE event_log_state s SET purged_through_tx = last.tx_id, purged_through_position = last.position
             FROM last
            WHERE s.purged_through_tx IS NULL
               OR (s.purged_through_tx, s.purged_through_position) < (last.tx_id, last.position)
         )
         SELECT count(*)::text AS deleted FROM gone`,
        [retentionHours, BATCH],
      );
      const deleted = Number(rows[0]?.deleted ?? 0);
      total += deleted;
      if (deleted < BATCH) return total;
    }
  }
}
