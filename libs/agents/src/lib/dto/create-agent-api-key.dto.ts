import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { Trim } from '@agenthub/http';
import { AGENT_LIMITS as L } from './agent-limits';

export class CreateAgentApiKeyDto {
  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: L.keyName, nullable: true })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, L.keyName)
  name?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'An instant in the future; none means the key does not expire.',
  })
  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'expires_at must be an ISO-8601 date-time' },
  )
  expires_at?: string | null;
}
