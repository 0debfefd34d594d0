import { ApiProperty } from '@nestjs/swagger';
import {
  AgentCapability,
  DEFAULT_CAPABILITY_CONFIDENCE,
} from '../entities/agent-capability.entity';

export class AgentCapabilityResponseDto {
  @ApiProperty()
  capability_name!: string;

  @ApiProperty({ minimum: 0, maximum: 1, example: DEFAULT_CAPABILITY_CONFIDENCE })
  confidence_score!: number;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  input_schema!: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  output_schema!: Record<string, unknown> | null;

  @ApiProperty({ type: 'integer', minimum: 0 })
  usage_count!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_used_at!: string | null;
}

export class AgentCapabilitiesResponseDto {
  @ApiProperty({ format: 'uuid' })
  agent_id!: string;

  @ApiProperty({ format: 'uuid' })
  project_id!: string;

  @ApiProperty({
    type: [AgentCapabilityResponseDto],
    description: "One entry per name in the agent's `capabilities`, in its order.",
  })
  capabilities!: AgentCapabilityResponseDto[];
}

/**
 * One entry per name in the agent's list, in its order; a capability nobody described reads
 * with the defaults (confidence 0.5, never used).
 */
export function toAgentCapabilitiesResponse(
  agent: { id: string; projectId: string },
  names: string[],
  details: AgentCapability[],
): AgentCapabilitiesResponseDto {
  const byName = new Map(details.map((d) => [d.capabilityName, d]));
  return {
    agent_id: agent.id,
    project_id: agent.projectId,
    capabilities: names.map((name) => {
      const d = byName.get(name);
      return {
        capability_name: name,
        confidence_score: d ? Number(d.confidenceScore) : DEFAULT_CAPABILITY_CONFIDENCE,
        description: d?.description ?? null,
        input_schema: d?.inputSchema ?? null,
        output_schema: d?.outputSchema ?? null,
        usage_count: d?.usageCount ?? 0,
        last_used_at: d?.lastUsedAt ? d.lastUsedAt.toISOString() : null,
      };
    }),
  };
}
