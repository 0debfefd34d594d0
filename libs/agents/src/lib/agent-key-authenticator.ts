import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AgentKeyAuthenticator, AgentPrincipal } from '@agenthub/auth';
import { hashAgentKey, isPlausibleAgentKey } from './agent-api-key';

/** `last_used_at` is refreshed at most this often per key, so busy keys do not write on every request. */
export const LAST_USED_RESOLUTION_SECONDS = 60;

/**
 * Signs agents in by API key for the auth guard. Every request asks the database (one
 * indexed query: key hash → key + agent), so a revoked or expired key, or a deactivated
 * agent, is refused at once by every API process sharing the database; nothing is cached.
 * The same statement stamps `last_used_at` when it is older than a minute.
 */
@Injectable()
export class AgentKeyAuthenticatorService implements AgentKeyAuthenticator {
  constructor(private readonly em: EntityManager) {}

  async authenticate(secret: string): Promise<AgentPrincipal | null> {
    if (!isPlausibleAgentKey(secret)) return null;
    // The data-modifying CTE runs whether or not the outer select reads it. Its condition is
    // on the updated row itself, so concurrent requests that waited for the row lock re-check
    // it and skip the write instead of all stamping.
    const rows = await this.em.execute<{ key_id: string; agent_id: string; project_id: string }[]>(
      `WITH valid AS (
         SELECT k.id AS key_id, k.agent_id, a.project_id
         FROM agent_api_keys k JOIN agents a ON a.id = k.agent_id
         WHERE k.key_hash = ? AND k.status = 'active' AND (k.expires_at IS NULL OR k.expires_at > now()) AND a.is_active
       ), touched AS (
         UPDATE agent_api_keys k SET last_used_at = now() FROM valid
         WHERE k.id = valid.key_id AND (k.last_used_at IS NULL OR k.last_used_at < now() - make_interval(secs => ?))
         RETURNING k.id
       )
       SELECT key_id, agent_id, project_id FROM valid`,
      [hashAgentKey(secret), LAST_USED_RESOLUTION_SECONDS],
    );
    const row = rows[0];
    return row ? { kind: 'agent', agentId: row.agent_id, projectId: row.project_id, keyId: row.key_id } : null;
  }
}
