import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { EntityClass, Options } from '@mikro-orm/core';
import type { MigrationObject } from '@mikro-orm/core';

export interface OrmOptionsInput {
  url: string;
  /** Each lib's exported entity array; no globs, so bundles and CLIs see the same list. */
  entities: EntityClass<unknown>[];
  poolMax?: number;
  /** Migration classes in order; only the migrator and readiness checks need them. */
  migrations?: MigrationObject[];
  debug?: boolean;
}

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
    migrations: {
      tableName: MIGRATIONS_TABLE,
      migrationsList: input.migrations ?? [],
      transactional: true,
      allOrNothing: false,
      snapshot: false,
      emit: 'ts',
      silent: true,
    },
  });
}
