import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PaginationQueryDto, QueryBoolean, Trim } from '@agenthub/http';
import { AGENT_STATUSES, AgentStatus } from '../agent-status';
import { AGENT_LIMITS as L } from './agent-limits';

/** `GET /agents` filters; without `project_id`, every project the caller may see. */
export class ListAgentsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  project_id?: string;

  /** Matches the status agents read as (a stale heartbeat reads as offline). */
  @ApiPropertyOptional({ enum: AGENT_STATUSES })
  @IsOptional()
  @IsIn(AGENT_STATUSES, { message: `status must be one of ${AGENT_STATUSES.join(', ')}` })
  status?: AgentStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'is_active must be true or false' })
  is_active?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, L.agentType)
  agent_type?: string;

  /** Agents that have this capability (exact name). */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, L.capabilityName)
  capability?: string;

  /** Case-insensitive substring of the name, nickname or a capability. */
  @ApiPropertyOptional()
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, L.search)
  q?: string;
}
