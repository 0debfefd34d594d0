import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

export interface StillValid {
  /** Agent API keys that are active, unexpired, and whose agent is active. */
  keyIds: Set<string>;
  /** Active users, with whether each is a superuser now. */
  users: Map<string, { isSuperuser: boolean }>;
}

/**
 * The batched check of the open streams' credentials: the same rules as the sign-in of a
 * request (the agents lib's key check, the JWT strategy's user check), for every stream of
 * the process in one statement. Reads agent_api_keys, agents and users: like the reader's
 * visibility, an exception to "a lib's SQL touches its own tables", because one statement
 * every half second for all streams beats one call per stream into each owning lib.
 */
@Injectable()
export class StreamCredentialsRepository {
  constructor(private readonly em: EntityManager) {}

  async stillValid(keyIds: string[], userIds: string[]): Promise<StillValid> {
    const result: StillValid = { keyIds: new Set(), users: new Map() };
    if (keyIds.length === 0 && userIds.length === 0) return result;
    const rows = await this.em.execute<{ kind: 'key' | 'user'; id: string; superuser: boolean }[]>(
      `SELECT 'key' AS kind, k.id::text AS id, false AS superuser
         FROM agent_api_keys k JOIN agents a ON a.id = k.agent_id
        WHERE k.id = ANY(string_to_array(?, ',')::uuid[])
          AND k.status = 'active' AND (k.expires_at IS NULL OR k.expires_at > now()) AND a.is_active
       UNION ALL
       SELECT 'user', u.id::text, u.is_superuser
         FROM users u WHERE u.id = ANY(string_to_array(?, ',')::uuid[]) AND u.is_active`,
      [keyIds.join(','), userIds.join(',')],
    );
    for (const row of rows) {
      if (row.kind === 'key') result.keyIds.add(row.id);
      else result.users.set(row.id, { isSuperuser: row.superuser });
    }
    return result;
  }
}
