import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { AGENT_STATUSES, AgentStatus, DEFAULT_AGENT_STATUS } from '../agent-status';
import { DEFAULT_AGENT_TYPE } from '../entities/agent.entity';
import { AgentFieldsDto } from './agent-fields.dto';

export class CreateAgentDto extends AgentFieldsDto {
  @ApiProperty({ type: String, format: 'uuid' })
  @IsUUID()
  project_id!: string;

  // Redeclared only to document the defaults a new agent gets (the rules are inherited;
  // useDefineForClassFields is off, so nothing is emitted for these).
  @ApiPropertyOptional({ default: DEFAULT_AGENT_TYPE })
  override agent_type?: string;

  @ApiPropertyOptional({ enum: AGENT_STATUSES, default: DEFAULT_AGENT_STATUS })
  override status?: AgentStatus;

  @ApiPropertyOptional({ type: Boolean, default: true })
  override is_active?: boolean;
}
