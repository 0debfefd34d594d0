import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PaginationQueryDto, QueryBoolean, Trim } from '@agenthub/http';
import { AGENT_STATUSES, AgentStatus } from '../agent-status';
import { AGENT_LIMITS as L } from './agent-limits';

/** `GET /agents` filters; without `project_id`, every project the caller may see. */
export class ListAgentsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description: "Only this project's agents.",
  })
  @IsOptional()
  @IsUUID()
  project_id?: string;

  @ApiPropertyOptional({
    enum: AGENT_STATUSES,
    description: 'Matches the status agents read as (a stale heartbeat reads as offline).',
  })
  @IsOptional()
  @IsIn(AGENT_STATUSES, { message: `status must be one of ${AGENT_STATUSES.join(', ')}` })
  status?: AgentStatus;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'is_active must be true or false' })
  is_active?: boolean;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: L.agentType })
  @IsOptional()
  @IsString()
  @Length(1, L.agentType)
  agent_type?: string;

  @ApiPropertyOptional({
    type: String,
    minLength: 1,
    maxLength: L.capabilityName,
    description: 'Agents that have this capability (exact name).',
  })
  @IsOptional()
  @IsString()
  @Length(1, L.capabilityName)
  capability?: string;

  @ApiPropertyOptional({
    type: String,
    minLength: 1,
    maxLength: L.search,
    description: 'Case-insensitive substring of the name, nickname or a capability (trimmed).',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, L.search)
  q?: string;
}
