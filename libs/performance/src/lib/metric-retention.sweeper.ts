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
import { MetricRepository } from './metric.repository';

/** How often every API process purges points past the retention. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;
/** Points one statement deletes: each batch is a short transaction of its own. */
export const METRIC_PURGE_BATCH = 5000;

/**
 * Deletes performance points recorded more than METRIC_RETENTION_DAYS ago, in every API
 * process, every ten minutes: batches of METRIC_PURGE_BATCH, each in its own transaction, so
 * no lock is held for longer than one batch and writers of new points are never held up.
 * Candidates are locked FOR UPDATE SKIP LOCKED, so sweepers of several processes share the
 * work instead of waiting on each other.
 */
@Injectable()
export class MetricRetentionSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly rounds = new PeriodicRound({
    logger: new Logger(MetricRetentionSweeper.name),
    what: 'metric retention',
    intervalMs: PURGE_INTERVAL_MS,
    round: () => this.purge(),
  });

  constructor(
    // `em` by this name is what @CreateRequestContext() forks for each round.
    private readonly em: EntityManager,
    private readonly metrics: MetricRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.rounds.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.rounds.stop();
  }

  /** One round: batches until one comes back short; answers how many points it deleted. */
  @CreateRequestContext()
  async purge(batch: number = METRIC_PURGE_BATCH): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.em.transactional(() =>
        this.metrics.purgeOlderThan(this.config.metricRetentionDays, batch),
      );
      total += deleted;
      if (deleted < batch) return total;
    }
  }
}
