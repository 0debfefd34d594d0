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
 * `last_used_at` is stamped when it is older than a minute.
 */
@Injectable()
export class AgentKeyAuthenticatorService implements AgentKeyAuthenticator {
  constructor(private readonly em: EntityManager) {}

  async authenticate(secret: string): Promise<AgentPrincipal | null> {
    if (!isPlausibleAgentKey(secret)) return null;
    // A plain indexed read on the hot path; the write happens at most once a minute per key.
    const rows = await this.em.execute<
      { key_id: string; agent_id: string; project_id: string; stale: boolean }[]
    >(
      `SELECT k.id AS key_id, k.agent_id, a.project_id,
              (k.last_used_at IS NULL OR k.last_used_at < now() - make_interval(secs => ?)) AS stale
       FROM agent_api_keys k JOIN agents a ON a.id = k.agent_id
       WHERE k.key_hash = ? AND k.status = 'active' AND (k.expires_at IS NULL OR k.expires_at > now()) AND a.is_active`,
      [LAST_USED_RESOLUTION_SECONDS, hashAgentKey(secret)],
    );
    const row = rows[0];
    if (!row) return null;
    if (row.stale) {
      // The condition is re-checked on the row itself, so concurrent requests that raced
      // past the read skip the write instead of all stamping.
      await this.em.execute(
        `UPDATE agent_api_keys SET last_used_at = now()
         WHERE id = ? AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => ?))`,
        [row.key_id, LAST_USED_RESOLUTION_SECONDS],
      );
    }
    return { kind: 'agent', agentId: row.agent_id, projectId: row.project_id, keyId: row.key_id };
  }
}
