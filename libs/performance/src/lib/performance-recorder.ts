import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@agenthub/config';

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
    await this.em.execute(
      `INSERT INTO agent_performance (project_id, agent_id, metric_name, metric_value, metric_unit, recorded_at, context)
       SELECT x.project_id, x.agent_id, x.metric_name, x.metric_value, x.metric_unit, coalesce(x.recorded_at, now()), x.context
       FROM jsonb_to_recordset(?::jsonb) AS x(project_id uuid, agent_id uuid, metric_name text,
         metric_value double precision, metric_unit text, recorded_at timestamptz, context jsonb)`,
      [JSON.stringify(rows)],
      'run',
    );
    return points.length;
  }

  /**
   * A task ended under an agent: its `task.duration_seconds`, `task.succeeded` and
   * `task.attempts` points, and for each capability it required, the agent's
   * agent_capabilities row counts one more use and moves its confidence toward the outcome
   * (1 or 0) by the learning rate α: c ← c + α·(outcome − c), kept in [0, 1]; a capability
   * without a row starts from the default 0.5. One statement per outcome: the moving average
   * depends on the order of outcomes, which is the order they are given in.
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
      await this.em.execute(
        `WITH points AS (
           INSERT INTO agent_performance (project_id, agent_id, metric_name, metric_value, metric_unit, context)
           SELECT ?, ?, x.name, x.value, x.unit, ?::jsonb
           FROM jsonb_to_recordset(?::jsonb) AS x(name text, value double precision, unit text)
           RETURNING 1
         ), learned AS (
           INSERT INTO agent_capabilities (id, agent_id, capability_name, confidence_score, usage_count, last_used_at)
           SELECT gen_random_uuid(), ?, name, least(1, greatest(0, 0.5 + ? * (? - 0.5))), 1, now()
           FROM jsonb_array_elements_text(?::jsonb) AS name
           -- (only the capabilities the agent lists: details of others are not kept)
           WHERE EXISTS (SELECT 1 FROM agents a WHERE a.id = ? AND jsonb_exists(a.capabilities, name))
           ON CONFLICT (agent_id, capability_name) DO UPDATE SET
             usage_count = agent_capabilities.usage_count + 1,
             last_used_at = now(),
             confidence_score = least(1, greatest(0,
               agent_capabilities.confidence_score + ? * (? - agent_capabilities.confidence_score))),
             updated_at = now()
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM points) AS points, (SELECT count(*) FROM learned) AS learned`,
        [
          o.projectId,
          o.agentId,
          JSON.stringify(context),
          JSON.stringify(kept.map(([name, value, unit]) => ({ name, value, unit }))),
          o.agentId,
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
