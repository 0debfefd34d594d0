import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { MaxJsonSize, OptionalNotNull, Trim } from '@agenthub/http';
import { AGENT_STATUSES, AgentStatus } from '../agent-status';
import { AGENT_LIMITS as L } from './agent-limits';
import { CapabilityNames } from './capability-names';

/**
 * The writable fields of an agent, as on the wire (snake_case, the broker's field names).
 * Shared by create, update (all optional) and each item of a batch deploy, so the rules live
 * once. The defaults a new agent gets are documented on CreateAgentDto only: on an update
 * (and a batch item naming an existing agent) a field left out stays as it is.
 */
export class AgentFieldsDto {
  @ApiProperty({
    type: String,
    minLength: 1,
    maxLength: L.name,
    description: 'Trimmed; unique within the project.',
  })
  @Trim()
  @IsString()
  @Length(1, L.name)
  name!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: L.nickname })
  @IsOptional()
  @IsString()
  @MaxLength(L.nickname)
  nickname?: string | null;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: L.agentType })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @Length(1, L.agentType)
  agent_type?: string;

  @ApiPropertyOptional({ enum: AGENT_STATUSES })
  @OptionalNotNull()
  @IsIn(AGENT_STATUSES, { message: `status must be one of ${AGENT_STATUSES.join(', ')}` })
  status?: AgentStatus;

  @OptionalNotNull()
  @CapabilityNames({ unique: true })
  capabilities?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: `Any JSON object of at most ${L.jsonBytes} bytes.`,
  })
  @IsOptional()
  @IsObject()
  @MaxJsonSize(L.jsonBytes)
  config?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: L.systemPrompt })
  @IsOptional()
  @IsString()
  @MaxLength(L.systemPrompt)
  system_prompt?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: L.modelProvider })
  @IsOptional()
  @IsString()
  @MaxLength(L.modelProvider)
  model_provider?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: L.modelName })
  @IsOptional()
  @IsString()
  @MaxLength(L.modelName)
  model_name?: string | null;

  @ApiPropertyOptional({ type: Boolean })
  @OptionalNotNull()
  @IsBoolean()
  is_active?: boolean;
}
