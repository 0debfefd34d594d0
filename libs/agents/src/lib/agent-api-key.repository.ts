import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** An API key that may sign its agent in, as the key check reads it. */
export interface UsableAgentKey {
  key_id: string;
  agent_id: string;
  project_id: string;
  /** When the key stops working; `null`: never. */
  expires_at: Date | null;
  /** `last_used_at` is unset or older than the resolution the caller asked about. */
  stale: boolean;
}

/** The SQL of the key check on every agent request, `agent_api_keys` joined with `agents`. */
@Injectable()
export class AgentApiKeyRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * The active, unexpired key with this hash, if its agent is active: one plain read through
   * the unique index on `key_hash`, which also says whether `last_used_at` is older than
   * `staleAfterSeconds`.
   */
  async findUsableByHash(
    keyHash: string,
    staleAfterSeconds: number,
  ): Promise<UsableAgentKey | undefined> {
    const rows = await this.em.execute<UsableAgentKey[]>(
      `SELECT k.id AS key_id, k.agent_id, a.project_id, k.expires_at,
              (k.last_used_at IS NULL OR k.last_used_at < now() - make_interval(secs => ?)) AS stale
       FROM agent_api_keys k JOIN agents a ON a.id = k.agent_id
       WHERE k.key_hash = ? AND k.status = 'active' AND (k.expires_at IS NULL OR k.expires_at > now()) AND a.is_active`,
      [staleAfterSeconds, keyHash],
    );
    return rows[0];
  }

  /**
   * Stamps `last_used_at = now()` unless it is younger than `staleAfterSeconds`. The condition
   * is checked again on the row itself, so concurrent requests that all read the key as stale
   * write it once; the others update nothing.
   */
  async touchLastUsed(keyId: string, staleAfterSeconds: number): Promise<void> {
    await this.em.execute(
      `UPDATE agent_api_keys SET last_used_at = now()
       WHERE id = ? AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => ?))`,
      [keyId, staleAfterSeconds],
    );
  }
}
