import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { EntityClass, Options } from '@mikro-orm/core';
import type { Client } from 'pg';
import { AgentHubPostgreSqlDriver } from './pooled-transaction';
import { installStatementPipeline } from './statement-pipeline';

export interface OrmOptionsInput {
  url: string;
  /** Each lib's exported entity array; no globs, so bundles and CLIs see the same list. */
  entities: EntityClass<unknown>[];
  poolMax?: number;
  /**
   * How long a unit of work waits for a free pooled connection, and a new connection may take
   * to open, before failing (the API answers 503; its DB_ACQUIRE_TIMEOUT, default 5 s, so no
   * request hangs on a database that is down or saturated). Unset: knex's 60 s.
   */
  acquireTimeoutMs?: number;
  /**
   * PostgreSQL's `statement_timeout` for these connections, sent as a startup parameter
   * (0 or unset: the server's own). Leave it unset behind PgBouncer, which refuses startup
   * parameters it does not know: set PgBouncer's `query_timeout` or the role's
   * `statement_timeout` there instead.
   */
  statementTimeoutMs?: number;
  debug?: boolean;
}

/** Where applied migrations are listed; the migration runner in libs/migrations keeps it. */
export const MIGRATIONS_TABLE = 'mikro_orm_migrations';

export function createOrmOptions(input: OrmOptionsInput): Options<PostgreSqlDriver> {
  return defineConfig({
    // Transactions on a connection of the pool without knex's transaction objects
    // (pooled-transaction.ts).
    driver: AgentHubPostgreSqlDriver,
    clientUrl: input.url,
    entities: input.entities,
    discovery: { warnWhenNoEntities: false },
    pool: {
      min: 0,
      max: input.poolMax ?? 20,
      ...(input.acquireTimeoutMs ? { acquireTimeoutMillis: input.acquireTimeoutMs } : {}),
      // A connection that cannot be opened fails the waiting acquire at once (knex's default,
      // said here because the 503-within-seconds promise rests on it).
      propagateCreateError: true,
      // Each new connection sends a transaction's BEGIN with its first statement and its
      // deferrable appends with the statement after them (statement-pipeline.ts).
      afterCreate: (
        connection: Client,
        done: (error: Error | null, connection: Client) => void,
      ) => {
        installStatementPipeline(connection);
        done(null, connection);
      },
    },
    driverOptions: {
      connection: {
        ...(input.acquireTimeoutMs ? { connectionTimeoutMillis: input.acquireTimeoutMs } : {}),
        ...(input.statementTimeoutMs ? { statement_timeout: input.statementTimeoutMs } : {}),
      },
    },
    forceUtcTimezone: true,
    // Every unit of work is explicit: a request context per HTTP request, or
    // @CreateRequestContext() / em.fork() elsewhere.
    allowGlobalContext: false,
    debug: input.debug ?? false,
    // The runner in libs/migrations executes migrations itself, so MikroORM's Migrator and
    // its options are not used. Only the table name is read, by MikroORM's schema
    // generator, which leaves the table out of schema diffs (DatabaseSchema.create).
    migrations: { tableName: MIGRATIONS_TABLE },
  });
}
