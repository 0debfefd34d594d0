import { Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import type { FleetCounts } from '@agenthub/performance';

/** How long one read of the database serves scrapes (Prometheus scrapes every 15–60 s). */
export const BUSINESS_METRICS_TTL_MS = 5_000;

/**
 * The platform's business gauges, read from the database at scrape time.
 *
 * Every figure is DATABASE-WIDE: the queues and the tasks, messages and executions live in
 * PostgreSQL, not in a process, so every API process behind the load balancer reports the same
 * values (from its own read, a few seconds apart at most). Aggregate them across instances with
 * `max` (or `max by (status)`), never `sum`, which would multiply them by the number of
 * replicas. The `app` / `instance` labels still tell the processes apart.
 *
 * Cheap by construction: one statement for all the gauges (StatsRepository.fleet), and that
 * read is shared by concurrent scrapes and reused for {@link BUSINESS_METRICS_TTL_MS}. Labels
 * are status and queue names only (fixed lists), never ids, so the series count stays bounded
 * however many projects, agents or tasks there are.
 *
 * When the read fails (database down, schema not migrated), the gauges show no samples, rather
 * than stale ones, and `agenthub_business_metrics_up` is 0; the rest of /metrics still works.
 */
export class BusinessMetrics {
  private readonly logger = new Logger(BusinessMetrics.name);
  private cached: { at: number; read: Promise<FleetCounts | null> } | undefined;

  constructor(
    registry: Registry,
    private readonly readFleet: () => Promise<FleetCounts>,
    private readonly ttlMs = BUSINESS_METRICS_TTL_MS,
  ) {
    // prom-client calls collect() with the gauge as `this`.
    const read = () => this.read();
    const gauge = (
      name: string,
      help: string,
      labelName: string,
      set: (g: Gauge<string>, counts: FleetCounts) => void,
    ) => {
      new Gauge({
        name,
        help,
        labelNames: [labelName],
        registers: [registry],
        async collect() {
          this.reset();
          const counts = await read();
          if (counts) set(this, counts);
        },
      });
    };
    const each = (g: Gauge<string>, label: string, counts: Record<string, number>) => {
      for (const [key, n] of Object.entries(counts)) g.set({ [label]: key }, n);
    };

    gauge(
      'agenthub_queue_depth',
      'Work waiting to be taken, database-wide: pending tasks (queue="tasks") and pending agent messages not yet received (queue="messages"). Every API process reports the same value: aggregate with max, not sum.',
      'queue',
      (g, c) => {
        g.set({ queue: 'tasks' }, c.tasks.pending);
        g.set({ queue: 'messages' }, c.messages.pending);
      },
    );
    gauge(
      'agenthub_tasks',
      'Tasks per status, database-wide (completed, failed and cancelled are the final outcomes). Every API process reports the same value: aggregate with max, not sum.',
      'status',
      (g, c) => each(g, 'status', c.tasks),
    );
    gauge(
      'agenthub_agent_messages',
      'Agent messages per status, database-wide (acknowledged, failed and expired are final). Every API process reports the same value: aggregate with max, not sum.',
      'status',
      (g, c) => each(g, 'status', c.messages),
    );
    gauge(
      'agenthub_workflow_executions',
      'Workflow executions per status, database-wide. Every API process reports the same value: aggregate with max, not sum.',
      'status',
      (g, c) => each(g, 'status', c.executions),
    );
    gauge(
      'agenthub_agents',
      'Agents per status, database-wide; a heartbeat older than the timeout counts as offline. Every API process reports the same value: aggregate with max, not sum.',
      'status',
      (g, c) => each(g, 'status', c.agents),
    );

    new Gauge({
      name: 'agenthub_business_metrics_up',
      help: '1 when the agenthub_* business gauges could be read from the database on this scrape, else 0.',
      registers: [registry],
      async collect() {
        this.set((await read()) ? 1 : 0);
      },
    });
  }

  /** The fleet's counts: the cached read while it is fresh (or in flight), else a new one. */
  private read(): Promise<FleetCounts | null> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.read;
    const read = this.readFleet().catch((error: unknown) => {
      this.logger.warn(
        `business metrics: cannot read the database: ${error instanceof Error ? error.message : String(error)}`,
      );
      // Kept like a success (for the same few seconds): a database that is down is not
      // asked again by every gauge of the scrape.
      return null;
    });
    this.cached = { at: now, read };
    return read;
  }
}
