import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { INBOX_CHANNEL } from './database-notifications';

/**
 * Wakes the long-polling receivers of agents that have new pending messages, in every API
 * process: a NOTIFY per agent in the caller's transaction, so it is heard only once the
 * messages are committed (and never if they roll back).
 */
@Injectable()
export class InboxSignal {
  constructor(private readonly em: EntityManager) {}

  async wake(agentIds: Iterable<string>): Promise<void> {
    const ids = [...new Set(agentIds)];
    if (ids.length === 0) return;
    // One text parameter: knex would expand an array bound to `?` into a list of values.
    await this.em.execute(
      `SELECT pg_notify('${INBOX_CHANNEL}', id::text) FROM unnest(string_to_array(?, ',')::uuid[]) AS id`,
      [ids.join(',')],
    );
  }
}
