import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { MaxJsonSize, Trim } from '@agenthub/http';
import {
  EARLIEST_POINT,
  IsInstant,
  IsPlausiblePointTime,
  METRIC_LIMITS as L,
  METRIC_NAME_PATTERN,
} from './metric-fields';

/** One point of `POST /agents/:id/metrics`. */
export class MetricPointDto {
  @ApiProperty({
    pattern: METRIC_NAME_PATTERN.source,
    maxLength: 100,
    example: 'task.duration_seconds',
    description:
      'Lower case, digits, `_` and `.`, starting with a letter. The platform records `task.*` and `message.*` itself.',
  })
  @IsString()
  @Matches(METRIC_NAME_PATTERN, {
    message: `metric_name must match ${METRIC_NAME_PATTERN.source} (lower case, digits, _ and ., starting with a letter)`,
  })
  metric_name!: string;

  @ApiProperty({ type: 'number', description: 'A finite number (JSON has no NaN or Infinity).' })
  @IsNumber(
    { allowNaN: false, allowInfinity: false },
    { message: 'metric_value must be a finite number' },
  )
  metric_value!: number;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: L.unit,
    example: 'seconds',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, L.unit)
  metric_unit?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: `When it was measured, with a time zone; default (or null): the time of the request, by the database's clock. Not before ${EARLIEST_POINT}, and at most ${L.futureMinutes} minutes ahead of the API server's clock. Stored to the millisecond.`,
  })
  @IsOptional()
  @IsInstant()
  @IsPlausiblePointTime()
  recorded_at?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: `Anything that explains the point (a task id, a model), a JSON object of at most ${L.contextBytes} bytes.`,
  })
  @IsOptional()
  @IsObject()
  @MaxJsonSize(L.contextBytes)
  context?: Record<string, unknown> | null;
}

/** `POST /agents/:id/metrics`. */
export class RecordMetricsDto {
  @ApiProperty({
    type: [MetricPointDto],
    minItems: 1,
    maxItems: L.pointsPerRequest,
    description: `1 to ${L.pointsPerRequest} points, stored together or not at all.`,
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'metrics must contain at least 1 point' })
  @ArrayMaxSize(L.pointsPerRequest, {
    message: `metrics must contain at most ${L.pointsPerRequest} points`,
  })
  @ValidateNested({ each: true })
  @Type(() => MetricPointDto)
  metrics!: MetricPointDto[];
}
