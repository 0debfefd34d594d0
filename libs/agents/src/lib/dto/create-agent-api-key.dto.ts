import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { Trim } from '@agenthub/http';
import { AGENT_LIMITS as L } from './agent-limits';

export class CreateAgentApiKeyDto {
  @ApiPropertyOptional({ maxLength: L.keyName, nullable: true })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, L.keyName)
  name?: string | null;

  /** ISO-8601 instant in the future; none means the key does not expire. */
  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'expires_at must be an ISO-8601 date-time' },
  )
  expires_at?: string | null;
}
