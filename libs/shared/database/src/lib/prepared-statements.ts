import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { DEFERRABLE, ErrorConverter } from './statement-pipeline';

/** The part of a node-postgres client this runs statements on. */
interface PgClient {
  query(config: {
    name?: string;
    text: string;
    values: readonly unknown[];
    [DEFERRABLE]?: ErrorConverter;
  }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** The part of knex's client (the pool's, or a transaction's) that hands out its connection. */
interface KnexClient {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<void>;
}

/** A statement's text with `$n` placeholders, and the name it is prepared under. */
interface Compiled {
  name: string;
  text: string;
  placeholders: number;
}

/**
 * The hot statements (the claim, a task's move, the event append, the audit row, the
 * performance points) run here instead of through `em.execute()`: on the same connection,
 * so in the same transaction, but as a named prepared statement of node-postgres with the
 * values as parameters.
 *
 * Why: `em.execute()` writes the values into the SQL text (MikroORM formats them) and sends it
 * as a simple query, which PostgreSQL parses and plans anew every time; the claim's plan
 * alone costs milliseconds. A named statement is parsed once per connection, and after a few
 * executions PostgreSQL keeps a generic plan for it (`plan_cache_mode = auto`). The values
 * travel apart from the text, and knex's query machinery is skipped.
 *
 * Behind a pooler in transaction mode (PgBouncer before 1.21) a connection's prepared
 * statements do not follow the client from one transaction to the next: there
 * `DATABASE_PREPARED_STATEMENTS=false` (the default when `DATABASE_DIRECT_URL` is set) sends
 * the same statements unnamed (parsed and planned each time, values still apart).
 *
 * The SQL is written as for `em.execute()`, with `?` placeholders, one per value in order (no
 * `??` identifiers: a statement whose text has one is refused). Values go as node-postgres
 * sends them: strings as they are, numbers and booleans as text, null as NULL, JS arrays as
 * PostgreSQL arrays and objects as JSON (so pass jsonb as `JSON.stringify(...)` with a
 * `::jsonb` cast, as for `em.execute()`). A placeholder PostgreSQL cannot type from its context
 * needs a cast. Errors come back converted as `em.execute()`'s do (MikroORM's
 * UniqueConstraintViolationException and the rest), so the error mapping is the same.
 */
@Injectable()
export class PreparedStatements {
  private readonly compiled = new Map<string, Compiled>();
  private readonly named: boolean;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'preparedStatements'>) {
    this.named = config.preparedStatements;
  }

  /** The rows the statement returns. */
  async all<T>(em: EntityManager, sql: string, values: readonly unknown[]): Promise<T[]> {
    return (await this.run(em, sql, values)).rows as T[];
  }

  /** How many rows the statement affected. */
  async affected(em: EntityManager, sql: string, values: readonly unknown[]): Promise<number> {
    return (await this.run(em, sql, values)).rowCount ?? 0;
  }

  /**
   * An append whose rows nobody reads and whose failure must fail the transaction (an event,
   * the audit row, performance points): inside a transaction it is sent with the
   * transaction's next statement, at the latest its COMMIT, instead of costing a round trip
   * of its own (statement-pipeline.ts); outside one it runs at once. Its error, if any, is
   * then that next statement's.
   */
  async defer(em: EntityManager, sql: string, values: readonly unknown[]): Promise<void> {
    await this.run(em, sql, values, true);
  }

  private async run(
    em: EntityManager,
    sql: string,
    values: readonly unknown[],
    deferrable = false,
  ): Promise<{ rows: unknown[]; rowCount: number | null }> {
    const statement = this.compile(sql);
    if (values.length !== statement.placeholders) {
      throw new Error(
        `statement ${statement.name} has ${statement.placeholders} placeholders, got ${values.length} values`,
      );
    }
    // Inside a transaction (the request's, or a service's own), its connection; else one of
    // the pool's, for this statement alone.
    const transaction = em.getTransactionContext<{ client: KnexClient }>();
    const client = transaction?.client ?? (em.getKnex().client as KnexClient);
    const connection = await client.acquireConnection();
    try {
      return await connection.query({
        ...(this.named ? { name: statement.name } : {}),
        text: statement.text,
        values,
        ...(deferrable
          ? { [DEFERRABLE]: (error: Error) => em.getDriver().convertException(error) }
          : {}),
      });
    } catch (error) {
      throw em.getDriver().convertException(error as Error);
    } finally {
      if (!transaction) await client.releaseConnection(connection);
    }
  }

  private compile(sql: string): Compiled {
    const known = this.compiled.get(sql);
    if (known) return known;
    if (sql.includes('??')) throw new Error('a prepared statement takes no ?? identifiers');
    let placeholders = 0;
    const text = sql.replace(/\?/g, () => `$${++placeholders}`);
    // The name is the text's: the same SQL from any caller is one statement per connection.
    const name = `ah_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    const compiled = { name, text, placeholders };
    this.compiled.set(sql, compiled);
    return compiled;
  }
}
