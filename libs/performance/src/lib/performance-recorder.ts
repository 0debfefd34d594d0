import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { PreparedStatements } from '@agenthub/database';
import { learnFromOutcomeSql } from '@agenthub/agents';

/** A point to store: `recordedAt` defaults to the database's now(). */
export interface NewPoint {
  projectId: string;
  agentId: string;
  name: string;
  value: number;
  unit?: string | null;
  recordedAt?: Date | null;
  context?: Record<string, unknown> | null;
}

/** What a task that ended under an agent tells about the agent. */
export interface TaskOutcome {
  taskId: string;
  projectId: string;
  agentId: string;
  workflowId: string | null;
  succeeded: boolean;
  /** From started_at to the end; null when the task never started. */
  durationSeconds: number | null;
  attempts: number;
  /** The capabilities the task required. */
  capabilities: string[];
}

/**
 * Writes performance points in the caller's transaction (the request's, a sweeper's), so a
 * point the platform records commits with the change it measures or not at all; and learns
 * from task outcomes (capability confidence). One statement per call.
 */
@Injectable()
export class PerformanceRecorder {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly statements: PreparedStatements,
  ) {}

  /** Stores the points; returns how many. */
  async record(points: readonly NewPoint[]): Promise<number> {
    if (points.length === 0) return 0;
    const rows = points.map((p) => ({
      project_id: p.projectId,
      agent_id: p.agentId,
      metric_name: p.name,
      metric_value: p.value,
      metric_unit: p.unit ?? null,
      recorded_at: p.recordedAt?.toISOString() ?? null,
      context: p.context ?? null,
    }));
    // Nobody reads what it returns: sent with the transaction's next statement (its COMMIT
    // at the latest), as a prepared statement; its error, if any, fails that one.
    await this.statements.defer(
      this.em,
      `INSERT INTO agent_performance (project_id, agent_id, metric_name, metric_value, metric_unit, recorded_at, context)
       SELECT x.project_id, x.agent_id, x.metric_name, x.metric_value, x.metric_unit, coalesce(x.recorded_at, now()), x.context
       FROM jsonb_to_recordset(?::jsonb) AS x(project_id uuid, agent_id uuid, metric_name text,
         metric_value double precision, metric_unit text, recorded_at timestamptz, context jsonb)`,
      [JSON.stringify(rows)],
    );
    return points.length;
  }

  /**
   * A task ended under an agent: its `task.duration_seconds`, `task.succeeded` and
   * `task.attempts` points, and for each capability it required (and the agent lists) one
   * more use and a confidence moved toward the outcome by CONFIDENCE_LEARNING_RATE (the
   * agents lib's learnFromOutcomeSql). One statement per outcome: the moving average depends
   * on the order of outcomes, which is the order they are given in.
   */
  async learnFrom(outcomes: readonly TaskOutcome[]): Promise<void> {
    const alpha = this.config.confidenceLearningRate;
    for (const o of outcomes) {
      const outcome = o.succeeded ? 1 : 0;
      const context = {
        task_id: o.taskId,
        ...(o.workflowId ? { workflow_id: o.workflowId } : {}),
        capabilities: o.capabilities,
      };
      const points: [string, number | null, string | null][] = [
        ['task.duration_seconds', o.durationSeconds, 'seconds'],
        ['task.succeeded', outcome, null],
        ['task.attempts', o.attempts, null],
      ];
      const kept = points.filter(([, value]) => value !== null);
      await this.statements.defer(
        this.em,
        `WITH points AS (
           INSERT INTO agent_performance (project_id, agent_id, metric_name, metric_value, metric_unit, context)
           SELECT ?, ?, x.name, x.value, x.unit, ?::jsonb
           FROM jsonb_to_recordset(?::jsonb) AS x(name text, value double precision, unit text)
           RETURNING 1
         ), learned AS (
           ${learnFromOutcomeSql()}
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM points) AS points, (SELECT count(*) FROM learned) AS learned`,
        [
          o.projectId,
          o.agentId,
          JSON.stringify(context),
          JSON.stringify(kept.map(([name, value, unit]) => ({ name, value, unit }))),
          // learnFromOutcomeSql's placeholders
          alpha,
          outcome,
          JSON.stringify([...new Set(o.capabilities)]),
          o.agentId,
          alpha,
          outcome,
        ],
      );
    }
  }
}
