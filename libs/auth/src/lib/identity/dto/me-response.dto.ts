import type { AgentPrincipal } from '../principal';
import type { UserResponse } from './user-response.dto';

/** `GET /auth/me`: the signed-in user, or the agent behind an API key. */
export type MeResponse =
  | ({ kind: 'user' } & UserResponse)
  | { kind: 'agent'; agent_id: string; project_id: string; key_id: string };

export function toAgentMeResponse(agent: AgentPrincipal): MeResponse {
  return {
    kind: 'agent',
    agent_id: agent.agentId,
    project_id: agent.projectId,
    key_id: agent.keyId,
  };
}
