import { Injectable } from '@nestjs/common';
import type { AgentKeyAuthenticator, AgentPrincipal } from '@agenthub/auth';
import { hashAgentKey, isPlausibleAgentKey } from './agent-api-key';
import { AgentApiKeyRepository } from './agent-api-key.repository';

/** `last_used_at` is refreshed at most this often per key, so busy keys do not write on every request. */
export const LAST_USED_RESOLUTION_SECONDS = 60;

/**
 * Signs agents in by API key for the auth guard. Every request asks the database (one
 * indexed query: key hash → key + agent), so a revoked or expired key, or a deactivated
 * agent, is refused at once by every API process sharing the database; nothing is cached.
 * `last_used_at` is stamped when it is older than a minute.
 */
@Injectable()
export class AgentKeyAuthenticatorService implements AgentKeyAuthenticator {
  constructor(private readonly keys: AgentApiKeyRepository) {}

  async authenticate(secret: string): Promise<AgentPrincipal | null> {
    if (!isPlausibleAgentKey(secret)) return null;
    const key = await this.keys.findUsableByHash(
      hashAgentKey(secret),
      LAST_USED_RESOLUTION_SECONDS,
    );
    if (!key) return null;
    if (key.stale) await this.keys.touchLastUsed(key.key_id, LAST_USED_RESOLUTION_SECONDS);
    return { kind: 'agent', agentId: key.agent_id, projectId: key.project_id, keyId: key.key_id };
  }
}
