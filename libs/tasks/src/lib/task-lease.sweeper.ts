import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CreateRequestContext, TransactionPropagation } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '@agenthub/auth';
import { PeriodicRound } from '@agenthub/database';
import { PerformanceRecorder } from '@agenthub/performance';
import { TaskRepository } from './task.repository';
import { TaskEvents } from './task-events';
import { TaskStepHooks } from './task-step-hooks';
import { outcomeOf } from './task-outcome';
import { toTaskResponse } from './dto/task-response.dto';

/** How often every API process looks for expired leases. */
const LEASE_SWEEP_INTERVAL_MS = 15_000;
/** How many expired leases one statement takes back. */
const BATCH = 500;

/**
 * Takes back tasks whose lease ran out (the agent crashed, hung, or lost its network), so a
 * task is never stuck in_progress: back to pending for the next claimer, or to failed once
 * its attempts are used up. Claim does the same for its project just before it picks, so
 * this timer matters for projects nobody is claiming from right now.
 *
 * Every API process runs it; that is safe (rows are taken with FOR UPDATE SKIP LOCKED, so
 * two sweepers never take the same task) and keeps working when one process dies.
 * Each taken-back task gets an audit row by the `system` actor and a `task.updated` event,
 * in the same transaction.
 */
@Injectable()
export class TaskLeaseSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TaskLeaseSweeper.name);
  private readonly rounds = new PeriodicRound({
    logger: this.logger,
    what: 'lease sweep',
    intervalMs: LEASE_SWEEP_INTERVAL_MS,
    round: async () => {
      const count = await this.sweep();
      if (count > 0) this.logger.log(`took back ${count} task(s) whose lease expired`);
    },
  });

  constructor(
    // `em` by this name is what @CreateRequestContext() forks for each round.
    private readonly em: EntityManager,
    private readonly tasks: TaskRepository,
    private readonly audit: AuditService,
    private readonly events: TaskEvents,
    private readonly steps: TaskStepHooks,
    private readonly performance: PerformanceRecorder,
  ) {}

  onApplicationBootstrap(): void {
    this.rounds.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.rounds.stop();
  }

  /** One round over every project, in its own unit of work; returns how many tasks it took back. */
  @CreateRequestContext()
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const taken = await this.requeueExpired(undefined, BATCH);
      total += taken;
      if (taken < BATCH) return total;
    }
  }

  /**
   * Takes back up to `limit` expired leases (of one project, or of all) together with their
   * audit rows: in the caller's transaction when there is one (a claim request), else in
   * its own.
   */
  async requeueExpired(projectId: string | undefined, limit = BATCH): Promise<number> {
    // REQUIRED: join the caller's transaction when there is one, else open one.
    return this.em.transactional(
      async () => {
        // Steps that fail need their execution's lock, taken before their rows (TaskStepHooks);
        // an execution someone else holds right now is left for a later round.
        const failingStepExecutions = await this.steps.lockExecutions(
          await this.tasks.expiringStepExecutions({ projectId, limit }),
        );
        const rows = await this.tasks.requeueExpired({ projectId, limit, failingStepExecutions });
        for (const { task } of rows) {
          await this.audit.record({
            actorType: 'system',
            actorId: null,
            action:
              task.status === 'failed'
                ? 'task.lease_expired_failed'
                : 'task.lease_expired_requeued',
            resourceType: 'task',
            resourceId: task.id,
            projectId: task.projectId,
            requestId: null,
          });
        }
        // A task failed for good under the agent whose lease ran out: that is its outcome.
        await this.performance.learnFrom(
          rows
            .map(({ task, leaseHolderId }) => outcomeOf(task, leaseHolderId))
            .filter((o) => o !== null),
        );
        await this.events.emit(
          'task.updated',
          ...rows.map(({ task, dependencies }) => toTaskResponse(task, dependencies)),
        );
        return rows.length;
      },
      { propagation: TransactionPropagation.REQUIRED },
    );
  }
}
