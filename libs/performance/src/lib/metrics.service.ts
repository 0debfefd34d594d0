import { Injectable } from '@nestjs/common';
import { Principal, ProjectAccessLevel, ProjectAccessPolicy } from '@agenthub/auth';
import { RequestValidationError } from '@agenthub/errors';
import { isoTimestamp, page, Page } from '@agenthub/http';
import { PerformanceRecorder } from './performance-recorder';
import {
  MetricAgentRow,
  MetricBucketRow,
  MetricPointRow,
  MetricRepository,
} from './metric.repository';
import { MetricAgentForbiddenError, MetricAgentNotFoundError } from './metrics.errors';
import { METRIC_BUCKETS, METRIC_LIMITS, MetricBucket } from './dto/metric-fields';
import type {
  ListMetricsQueryDto,
  MetricSummaryQueryDto,
  ProjectMetricSummaryQueryDto,
} from './dto/metric-query.dto';
import type { RecordMetricsDto } from './dto/metric-request.dto';
import type {
  GroupedMetricSummaryResponseDto,
  MetricBucketDto,
  MetricPointResponseDto,
  MetricSummaryResponseDto,
} from './dto/metric-response.dto';

const DEFAULT_SUMMARY_HOURS = 24;

/** A summary's range with its defaults applied, and its bucket width. */
export interface ResolvedSummaryRange {
  from: Date;
  to: Date;
  bucket: MetricBucket;
  bucketSeconds: number;
}

/**
 * `to` defaults to `now`, `from` to 24 hours before `to`. Refuses (400, naming the field) a
 * `from` after the default `to`, and a range that spans more than METRIC_LIMITS.buckets
 * buckets, counted as the database bins them (whole multiples of the width in UTC: a range
 * not on those boundaries touches one bucket more than its length says).
 */
export function resolveSummaryRange(
  query: { from?: string; to?: string; bucket: MetricBucket },
  now: number = Date.now(),
): ResolvedSummaryRange {
  const to = new Date(query.to ?? now);
  const from = query.from
    ? new Date(query.from)
    : new Date(to.getTime() - DEFAULT_SUMMARY_HOURS * 3_600_000);
  if (from > to) {
    throw new RequestValidationError({ from: ['from must not be after to (default: now)'] });
  }
  const bucketSeconds = METRIC_BUCKETS[query.bucket];
  const width = bucketSeconds * 1000;
  const buckets = Math.ceil(to.getTime() / width) - Math.floor(from.getTime() / width);
  if (buckets > METRIC_LIMITS.buckets) {
    throw new RequestValidationError({
      bucket: [
        `the range spans ${buckets} buckets of ${query.bucket}; at most ${METRIC_LIMITS.buckets}: pick a wider bucket or a shorter range`,
      ],
    });
  }
  return { from, to, bucket: query.bucket, bucketSeconds };
}

const toPoint = (row: MetricPointRow): MetricPointResponseDto => ({
  ...row,
  recorded_at: isoTimestamp(row.recorded_at),
});

const toBucket = (row: MetricBucketRow): MetricBucketDto => ({
  start: isoTimestamp(row.start),
  count: row.count,
  avg: row.avg,
  min: row.min,
  max: row.max,
  p50: row.p50,
  p95: row.p95,
});

/**
 * Points agents record about themselves (or managers for them), their raw lists and bucketed
 * summaries. Reading is the project policy's 'read' (managers and the project's agents);
 * recording is the agent itself or a manager of its project.
 */
@Injectable()
export class MetricsService {
  constructor(
    private readonly metrics: MetricRepository,
    private readonly recorder: PerformanceRecorder,
    private readonly policy: ProjectAccessPolicy,
  ) {}

  /** Stores the points in one statement; answers how many and the agent's project. */
  async record(
    principal: Principal,
    agentId: string,
    dto: RecordMetricsDto,
  ): Promise<{ recorded: number; projectId: string }> {
    const agent = await this.agentFor(principal, agentId, 'read');
    const isSelf = principal.kind === 'agent' && principal.agentId === agentId;
    if (principal.kind === 'agent' && !isSelf) throw new MetricAgentForbiddenError();
    if (!isSelf) this.assertMay(principal, agent, 'manage');
    const recorded = await this.recorder.record(
      dto.metrics.map((m) => ({
        projectId: agent.project_id,
        agentId,
        name: m.metric_name,
        value: m.metric_value,
        unit: m.metric_unit ?? null,
        recordedAt: m.recorded_at ? new Date(m.recorded_at) : null,
        context: m.context ?? null,
      })),
    );
    return { recorded, projectId: agent.project_id };
  }

  async list(
    principal: Principal,
    agentId: string,
    query: ListMetricsQueryDto,
  ): Promise<Page<MetricPointResponseDto>> {
    await this.agentFor(principal, agentId, 'read');
    const { rows, total } = await this.metrics.list({
      agentId,
      metricName: query.metric_name,
      from: query.from,
      to: query.to,
      limit: query.limit,
      offset: query.offset,
    });
    return page(rows.map(toPoint), total, query);
  }

  async agentSummary(
    principal: Principal,
    agentId: string,
    query: MetricSummaryQueryDto,
  ): Promise<MetricSummaryResponseDto> {
    const range = resolveSummaryRange(query);
    await this.agentFor(principal, agentId, 'read');
    const { unit, rows } = await this.metrics.summarize(
      { kind: 'agent', agentId },
      this.sqlRange(query.metric_name, range),
    );
    return { ...this.head(query.metric_name, unit, range), buckets: rows.map(toBucket) };
  }

  async projectSummary(
    principal: Principal,
    projectId: string,
    query: ProjectMetricSummaryQueryDto,
  ): Promise<MetricSummaryResponseDto | GroupedMetricSummaryResponseDto> {
    const range = resolveSummaryRange(query);
    await this.policy.assertCanAccess(principal, projectId, 'read');
    const byAgent = query.group_by === 'agent';
    const { unit, rows } = await this.metrics.summarize(
      { kind: 'project', projectId, byAgent },
      this.sqlRange(query.metric_name, range),
    );
    const head = this.head(query.metric_name, unit, range);
    if (!byAgent) return { ...head, buckets: rows.map(toBucket) };

    const agents: GroupedMetricSummaryResponseDto['agents'] = [];
    for (const row of rows) {
      let series = agents[agents.length - 1];
      if (series?.agent_id !== row.agent_id) {
        series = {
          agent_id: row.agent_id as string,
          agent_name: row.agent_name as string,
          buckets: [],
        };
        agents.push(series);
      }
      series.buckets.push(toBucket(row));
    }
    return { ...head, group_by: 'agent', agents };
  }

  private sqlRange(metricName: string, range: ResolvedSummaryRange) {
    return {
      metricName,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      bucketSeconds: range.bucketSeconds,
    };
  }

  private head(metricName: string, unit: string | null, range: ResolvedSummaryRange) {
    return {
      metric_name: metricName,
      unit,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      bucket: range.bucket,
    };
  }

  /** The agent (404 when there is none), when `principal` may access its project at `level`. */
  private async agentFor(
    principal: Principal,
    agentId: string,
    level: ProjectAccessLevel,
  ): Promise<MetricAgentRow> {
    const agent = await this.metrics.findAgent(agentId);
    if (!agent) throw new MetricAgentNotFoundError();
    this.assertMay(principal, agent, level);
    return agent;
  }

  private assertMay(principal: Principal, agent: MetricAgentRow, level: ProjectAccessLevel): void {
    this.policy.assertMayAccess(
      principal,
      { id: agent.project_id, ownerId: agent.project_owner_id },
      level,
    );
  }
}
