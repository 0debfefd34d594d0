import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PaginationQueryDto } from '@agenthub/http';
import {
  DEFAULT_METRIC_BUCKET,
  IsInstant,
  METRIC_BUCKET_NAMES,
  METRIC_LIMITS as L,
  METRIC_NAME_PATTERN,
  MetricBucket,
  NotBeforeFrom,
} from './metric-fields';

const nameRule = () =>
  Matches(METRIC_NAME_PATTERN, {
    message: `metric_name must match ${METRIC_NAME_PATTERN.source}`,
  });

const FromField = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: String, format: 'date-time', description }),
    IsOptional(),
    IsInstant(),
  );

const ToField = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: String, format: 'date-time', description }),
    IsOptional(),
    IsInstant(),
    NotBeforeFrom(),
  );

/** `GET /agents/:id/metrics`: the agent's raw points, newest first. */
export class ListMetricsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ pattern: METRIC_NAME_PATTERN.source, description: 'Only this metric.' })
  @IsOptional()
  @IsString()
  @nameRule()
  metric_name?: string;

  @FromField('Points recorded at or after this instant.')
  from?: string;

  @ToField('Points recorded before this instant (not before `from`).')
  to?: string;
}

/** `GET /agents/:id/metrics/summary`. */
export class MetricSummaryQueryDto {
  @ApiProperty({ pattern: METRIC_NAME_PATTERN.source, description: 'The metric to summarize.' })
  @IsString()
  @nameRule()
  metric_name!: string;

  @FromField('Start of the range (inclusive); default 24 hours before `to`.')
  from?: string;

  @ToField('End of the range (exclusive); default now. Not before `from`.')
  to?: string;

  @ApiPropertyOptional({
    enum: METRIC_BUCKET_NAMES,
    default: DEFAULT_METRIC_BUCKET,
    description: `Bucket width. Buckets start at whole multiples of it in UTC (a day at 00:00Z), so the first and the last may be cut by the range. At most ${L.buckets} buckets per range.`,
  })
  @IsOptional()
  @IsIn(METRIC_BUCKET_NAMES, { message: `bucket must be one of ${METRIC_BUCKET_NAMES.join(', ')}` })
  bucket: MetricBucket = DEFAULT_METRIC_BUCKET;
}

export const METRIC_GROUPINGS = ['agent'] as const;
export type MetricGrouping = (typeof METRIC_GROUPINGS)[number];

/** `GET /projects/:id/metrics/summary`. */
export class ProjectMetricSummaryQueryDto extends MetricSummaryQueryDto {
  @ApiPropertyOptional({
    enum: METRIC_GROUPINGS,
    description:
      "`agent`: one series per agent that has points in the range, instead of the fleet's.",
  })
  @IsOptional()
  @IsIn(METRIC_GROUPINGS, { message: `group_by must be one of ${METRIC_GROUPINGS.join(', ')}` })
  group_by?: MetricGrouping;
}
