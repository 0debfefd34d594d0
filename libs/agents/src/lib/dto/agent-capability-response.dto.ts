import {
  AgentCapability,
  DEFAULT_CAPABILITY_CONFIDENCE,
} from '../entities/agent-capability.entity';

export interface AgentCapabilityResponse {
  capability_name: string;
  confidence_score: number;
  description: string | null;
  input_schema: Record<string, unknown> | null;
  output_schema: Record<string, unknown> | null;
  usage_count: number;
  last_used_at: string | null;
}

export interface AgentCapabilitiesResponse {
  agent_id: string;
  project_id: string;
  capabilities: AgentCapabilityResponse[];
}

/**
 * One entry per name in the agent's list, in its order; a capability nobody described reads
 * with the defaults (confidence 0.5, never used).
 */
export function toAgentCapabilitiesResponse(
  agent: { id: string; projectId: string },
  names: string[],
  details: AgentCapability[],
): AgentCapabilitiesResponse {
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
