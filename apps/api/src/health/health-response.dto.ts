import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LiveResponseDto {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';
}

export class ReadyChecksDto {
  @ApiProperty({ enum: ['ok', 'unreachable'] })
  database!: 'ok' | 'unreachable';

  @ApiProperty({
    enum: ['ok', 'pending', 'unknown'],
    description: '`unknown` while the database is unreachable.',
  })
  migrations!: 'ok' | 'pending' | 'unknown';
}

/** `GET /health/ready`, the same shape for 200 and 503. */
export class ReadyResponseDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] })
  status!: 'ok' | 'unavailable';

  @ApiProperty({ type: ReadyChecksDto })
  checks!: ReadyChecksDto;

  @ApiPropertyOptional({
    type: [String],
    description: 'Present when migrations are pending: their names, in the order they apply.',
  })
  pending_migrations?: string[];
}
