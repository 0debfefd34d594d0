import type { AgentStatus } from '../agent-status';
import type { AgentRow } from '../agent.repository';

/**
 * An agent on the wire: the broker's AgentDB fields, plus system_prompt and model_* from the
 * phase-1 SQLite platform and last_heartbeat from its phase-2 PostgreSQL design.
 */
export interface AgentResponse {
  id: string;
  project_id: string;
  name: string;
  nickname: string | null;
  agent_type: string;
  /** As the agent reads now: `offline` once its heartbeat is older than AGENT_HEARTBEAT_TIMEOUT. */
  status: AgentStatus;
  capabilities: string[];
  config: Record<string, unknown> | null;
  system_prompt: string | null;
  model_provider: string | null;
  model_name: string | null;
  is_active: boolean;
  last_heartbeat: string | null;
  created_at: string;
  updated_at: string;
}

const iso = (timestamp: string): string => new Date(timestamp).toISOString();

/** Exactly the wire's fields (a row may carry more, such as its project's owner), timestamps in ISO-8601. */
export function toAgentResponse(row: AgentRow): AgentResponse {
  return {
    id: row.id,
    project_id: row.project_id,
    name: row.name,
    nickname: row.nickname,
    agent_type: row.agent_type,
    status: row.status,
    capabilities: row.capabilities,
    config: row.config,
    system_prompt: row.system_prompt,
    model_provider: row.model_provider,
    model_name: row.model_name,
    is_active: row.is_active,
    last_heartbeat: row.last_heartbeat ? iso(row.last_heartbeat) : null,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
