import { ApiProperty } from '@nestjs/swagger';
import { METRIC_BUCKET_NAMES, MetricBucket } from './metric-fields';
import { METRIC_GROUPINGS, MetricGrouping } from './metric-query.dto';

export class RecordMetricsResponseDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Points stored.' })
  recorded!: number;
}

/** One stored point (the phase-2 design's `agent_performance` row). */
export class MetricPointResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  agent_id!: string;

  @ApiProperty({ format: 'uuid' })
  project_id!: string;

  @ApiProperty()
  metric_name!: string;

  @ApiProperty({ type: 'number' })
  metric_value!: number;

  @ApiProperty({ type: String, nullable: true })
  metric_unit!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  recorded_at!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  context!: Record<string, unknown> | null;
}

/** The points of one bucket; a bucket without points is left out. */
export class MetricBucketDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'Where the bucket starts.' })
  start!: string;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Points in the bucket.' })
  count!: number;

  @ApiProperty({ type: 'number' })
  avg!: number;

  @ApiProperty({ type: 'number' })
  min!: number;

  @ApiProperty({ type: 'number' })
  max!: number;

  @ApiProperty({
    type: 'number',
    description: 'Median, interpolated between the two middle values (`percentile_cont`).',
  })
  p50!: number;

  @ApiProperty({
    type: 'number',
    description: '95th percentile, interpolated linearly (`percentile_cont`).',
  })
  p95!: number;
}

/** What every summary says about itself: the metric and the range it covers. */
class MetricSummaryHeadDto {
  @ApiProperty()
  metric_name!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The unit of the most recent point in the range that has one; null when none does.',
  })
  unit!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'Start of the range (inclusive).',
  })
  from!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'End of the range (exclusive).' })
  to!: string;

  @ApiProperty({ enum: METRIC_BUCKET_NAMES })
  bucket!: MetricBucket;
}

/** One agent's series, or a whole fleet's. */
export class MetricSummaryResponseDto extends MetricSummaryHeadDto {
  @ApiProperty({
    type: [MetricBucketDto],
    description: 'Oldest first; only buckets with points.',
  })
  buckets!: MetricBucketDto[];
}

export class AgentMetricSeriesDto {
  @ApiProperty({ format: 'uuid' })
  agent_id!: string;

  @ApiProperty()
  agent_name!: string;

  @ApiProperty({
    type: [MetricBucketDto],
    description: 'Oldest first; only buckets with points.',
  })
  buckets!: MetricBucketDto[];
}

/** A project's summary with `group_by=agent`. */
export class GroupedMetricSummaryResponseDto extends MetricSummaryHeadDto {
  @ApiProperty({ enum: METRIC_GROUPINGS })
  group_by!: MetricGrouping;

  @ApiProperty({
    type: [AgentMetricSeriesDto],
    description: 'One series per agent with points in the range, by agent name (then id).',
  })
  agents!: AgentMetricSeriesDto[];
}
