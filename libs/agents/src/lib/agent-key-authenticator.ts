import { Injectable } from '@nestjs/common';
import type { AgentKeyAuthenticator, AgentPrincipal } from '@agenthub/auth';
import { hashAgentKey, isPlausibleAgentKey } from './agent-api-key';
import { AgentApiKeyRepository } from './agent-api-key.repository';

/** `last_used_at` is refreshed at most this often per key, so busy keys do not write on every request. */
export const LAST_USED_RESOLUTION_SECONDS = 60;

/**
 * Signs agents in by API key for the auth guard: one indexed query (key hash → key + agent).
 * The guard's access cache answers repeated requests with the same key from memory and
 * empties itself on every revocation or deactivation (database triggers notify every
 * process), so a revoked or expired key, or a deactivated agent, is still refused within a
 * second by every API process sharing the database. `last_used_at` is stamped when it is
 * older than a minute at a check (a cached key is checked again at least every
 * ACCESS_CACHE_TTL_MS).
 */
@Injectable()
export class AgentKeyAuthenticatorService implements AgentKeyAuthenticator {
  constructor(private readonly keys: AgentApiKeyRepository) {}

  async authenticate(
    secret: string,
  ): Promise<{ principal: AgentPrincipal; expiresAt: number | null } | null> {
    if (!isPlausibleAgentKey(secret)) return null;
    const key = await this.keys.findUsableByHash(
      hashAgentKey(secret),
      LAST_USED_RESOLUTION_SECONDS,
    );
    if (!key) return null;
    if (key.stale) await this.keys.touchLastUsed(key.key_id, LAST_USED_RESOLUTION_SECONDS);
    return {
      principal: {
        kind: 'agent',
        agentId: key.agent_id,
        projectId: key.project_id,
        keyId: key.key_id,
      },
      expiresAt: key.expires_at ? new Date(key.expires_at).getTime() : null,
    };
  }
}
