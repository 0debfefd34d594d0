import type { AgentApiKey } from '../entities/agent-api-key.entity';

export type AgentApiKeyDisplayStatus = 'active' | 'revoked' | 'expired';

/** A key as listed: never the secret, never the hash. */
export interface AgentApiKeyResponse {
  id: string;
  agent_id: string;
  name: string | null;
  key_prefix: string;
  status: AgentApiKeyDisplayStatus;
  created_by: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** The answer to creating a key: the only time the secret is shown. */
export interface CreatedAgentApiKeyResponse extends AgentApiKeyResponse {
  api_key: string;
}

export function toAgentApiKeyResponse(key: AgentApiKey, now = new Date()): AgentApiKeyResponse {
  const status: AgentApiKeyDisplayStatus =
    key.status === 'revoked'
      ? 'revoked'
      : key.expiresAt && key.expiresAt.getTime() <= now.getTime()
        ? 'expired'
        : 'active';
  return {
    id: key.id,
    agent_id: key.agent.id,
    name: key.name ?? null,
    key_prefix: key.keyPrefix,
    status,
    created_by: key.createdBy ?? null,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt ? key.expiresAt.toISOString() : null,
    last_used_at: key.lastUsedAt ? key.lastUsedAt.toISOString() : null,
    revoked_at: key.revokedAt ? key.revokedAt.toISOString() : null,
  };
}
