import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { EntityClass, Options } from '@mikro-orm/core';

export interface OrmOptionsInput {
  url: string;
  /** Each lib's exported entity array; no globs, so bundles and CLIs see the same list. */
  entities: EntityClass<unknown>[];
  poolMax?: number;
  debug?: boolean;
}

/** Where applied migrations are listed; the migration runner in libs/migrations keeps it. */
export const MIGRATIONS_TABLE = 'mikro_orm_migrations';

export function createOrmOptions(input: OrmOptionsInput): Options<PostgreSqlDriver> {
  return defineConfig({
    clientUrl: input.url,
    entities: input.entities,
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: input.poolMax ?? 20 },
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
