import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { PreparedStatements } from '@agenthub/database';
import { INBOX_CHANNEL } from './database-notifications';

/**
 * Wakes the long-polling receivers of agents that have new pending messages, in every API
 * process: a NOTIFY per agent in the caller's transaction, so it is heard only once the
 * messages are committed (and never if they roll back).
 */
@Injectable()
export class InboxSignal {
  constructor(
    private readonly em: EntityManager,
    private readonly statements: PreparedStatements,
  ) {}

  async wake(agentIds: Iterable<string>): Promise<void> {
    const ids = [...new Set(agentIds)];
    if (ids.length === 0) return;
    // One array parameter: the same prepared statement for any number of agents; sent with
    // the transaction's next statement (its COMMIT at the latest), no round trip of its own.
    await this.statements.defer(
      this.em,
      `SELECT pg_notify('${INBOX_CHANNEL}', id::text) FROM unnest(?::uuid[]) AS id`,
      [ids],
    );
  }
}
