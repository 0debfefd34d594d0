import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { pagedQuery } from '@agenthub/database';

/** An agent as the metrics routes need it: its project and that project's owner (the policy). */
export interface MetricAgentRow {
  id: string;
  name: string;
  project_id: string;
  project_owner_id: string;
}

export interface MetricPointRow {
  id: string;
  agent_id: string;
  project_id: string;
  metric_name: string;
  metric_value: number;
  metric_unit: string | null;
  recorded_at: string;
  context: Record<string, unknown> | null;
}

/** Timestamps arrive as PostgreSQL writes them (the ORM leaves them as text). */
export interface MetricBucketRow {
  start: string;
  count: number;
  avg: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
}

/** Whose points a summary reads: one agent's, or a project's fleet's (pooled or per agent). */
export type SummarySource =
  { kind: 'agent'; agentId: string } | { kind: 'project'; projectId: string; byAgent: boolean };

export interface SummaryRange {
  metricName: string;
  /** ISO instants: `from` inclusive, `to` exclusive. */
  from: string;
  to: string;
  bucketSeconds: number;
}

/**
 * Buckets are whole multiples of their width since this instant, so every bucket width of the
 * fixed list (each divides a day) starts on the same UTC boundaries whatever the range.
 */
const BUCKET_ORIGIN = '2000-01-01T00:00:00Z';

/** The aggregates of one bucket, over the points `m` of the group. */
const BUCKET_AGGREGATES = `count(*)::int AS count, avg(m.metric_value) AS avg,
  min(m.metric_value) AS min, max(m.metric_value) AS max,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY m.metric_value) AS p50,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY m.metric_value) AS p95`;

/**
 * The SQL of agent_performance (and the reads of agents/projects that its routes need). Every
 * range is `from` ≤ recorded_at < `to`; the indexes (agent_id, metric_name, recorded_at DESC)
 * and (project_id, metric_name, recorded_at) serve an agent's and a project's ranges.
 */
@Injectable()
export class MetricRepository {
  constructor(private readonly em: EntityManager) {}

  async findAgent(id: string): Promise<MetricAgentRow | undefined> {
    const rows = await this.em.execute<MetricAgentRow[]>(
      `SELECT a.id, a.name, a.project_id, p.owner_id AS project_owner_id
       FROM agents a JOIN projects p ON p.id = a.project_id WHERE a.id = ?`,
      [id],
    );
    return rows[0];
  }

  /** A page of the agent's points, newest first, and how many match in all. */
  async list(filter: {
    agentId: string;
    metricName?: string;
    from?: string;
    to?: string;
    limit: number;
    offset: number;
  }): Promise<{ rows: MetricPointRow[]; total: number }> {
    const where = ['m.agent_id = ?'];
    const params: unknown[] = [filter.agentId];
    if (filter.metricName !== undefined) {
      where.push('m.metric_name = ?');
      params.push(filter.metricName);
    }
    if (filter.from !== undefined) {
      where.push('m.recorded_at >= ?::timestamptz');
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('m.recorded_at < ?::timestamptz');
      params.push(filter.to);
    }
    return pagedQuery<MetricPointRow>(this.em, {
      select: `m.id, m.agent_id, m.project_id, m.metric_name, m.metric_value, m.metric_unit, m.recorded_at, m.context`,
      from: `FROM agent_performance m WHERE ${where.join(' AND ')}`,
      fromParams: params,
      orderBy: 'm.recorded_at DESC, m.id DESC',
      limit: filter.limit,
      offset: filter.offset,
    });
  }

  /**
   * The range's non-empty buckets, oldest first (per agent, by agent name, when grouped), in
   * one statement; each row also carries the unit of the range's most recent point that has
   * one (a scalar subquery the planner runs once, newest first on the same index).
   */
  async summarize(
    source: SummarySource,
    range: SummaryRange,
  ): Promise<{
    unit: string | null;
    rows: (MetricBucketRow & { agent_id?: string; agent_name?: string })[];
  }> {
    const owner = source.kind === 'agent' ? 'm.agent_id = ?' : 'm.project_id = ?';
    const ownerId = source.kind === 'agent' ? source.agentId : source.projectId;
    const inRange = `${owner} AND m.metric_name = ? AND m.recorded_at >= ?::timestamptz AND m.recorded_at < ?::timestamptz`;
    const rangeParams = [ownerId, range.metricName, range.from, range.to];
    const byAgent = source.kind === 'project' && source.byAgent;
    const bucket = `date_bin(make_interval(secs => ?), m.recorded_at, ?::timestamptz)`;
    const bucketParams = [range.bucketSeconds, BUCKET_ORIGIN];
    const unit = `(SELECT m.metric_unit FROM agent_performance m
        WHERE ${inRange} AND m.metric_unit IS NOT NULL ORDER BY m.recorded_at DESC LIMIT 1)`;

    const rows = await this.em.execute<
      (MetricBucketRow & { unit: string | null; agent_id?: string; agent_name?: string })[]
    >(
      byAgent
        ? `SELECT s.*, a.name AS agent_name, ${unit} AS unit
           FROM (SELECT m.agent_id, ${bucket} AS start, ${BUCKET_AGGREGATES}
                 FROM agent_performance m WHERE ${inRange} GROUP BY m.agent_id, start) s
           JOIN agents a ON a.id = s.agent_id
           ORDER BY a.name, a.id, s.start`
        : `SELECT ${bucket} AS start, ${BUCKET_AGGREGATES}, ${unit} AS unit
           FROM agent_performance m WHERE ${inRange} GROUP BY start ORDER BY start`,
      byAgent
        ? [...rangeParams, ...bucketParams, ...rangeParams]
        : [...bucketParams, ...rangeParams, ...rangeParams],
    );
    return {
      unit: rows[0]?.unit ?? null,
      rows: rows.map(({ unit: _unit, ...row }) => row),
    };
  }

  /**
   * Deletes up to `limit` points recorded more than `days` ago. The candidates are locked
   * FOR UPDATE SKIP LOCKED, so sweepers of several API processes take different rows and none
   * waits on another; no ORDER BY, so the BRIN index on recorded_at can serve the scan.
   */
  async purgeOlderThan(days: number, limit: number): Promise<number> {
    const rows = await this.em.execute<{ id: string }[]>(
      `DELETE FROM agent_performance
       WHERE id IN (SELECT p.id FROM agent_performance p
                    WHERE p.recorded_at < now() - make_interval(days => ?)
                    LIMIT ? FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [days, limit],
    );
    return rows.length;
  }
}
