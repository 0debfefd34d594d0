import { createHash } from 'node:crypto';
import { Configuration, type MigrationObject } from '@mikro-orm/core';
import { knex, type Knex } from '@mikro-orm/knex';
import type { Migration } from '@mikro-orm/migrations';
import { defineConfig } from '@mikro-orm/postgresql';

/** What one migration executes, as text: the input of its checksum and of `plan`. */
export interface MigrationSql {
  /** false when the migration opted out of its transaction (`isTransactional()`), e.g. for CREATE INDEX CONCURRENTLY. */
  transactional: boolean;
  up: string[];
  /** null when the migration cannot be reverted. */
  down: string[] | null;
}

type Query = string | Knex.QueryBuilder | Knex.Raw;

// Renders query builders to SQL text; a knex instance never connects until it runs a query.
let renderer: Knex | undefined;
let captureConfig: Configuration | undefined;

function render(query: Query, params?: unknown[]): string {
  const sql = typeof query === 'string' ? query : query.toQuery();
  return params && params.length > 0 ? `${sql} -- params: ${JSON.stringify(params)}` : sql;
}

/**
 * A stand-in for the SQL driver that records what a migration would run instead of running it.
 * `this.execute()` answers no rows, so a migration that branches on query results is captured
 * along its "empty database" path; that is deterministic, which is what a checksum needs.
 */
function captureDriver(statements: string[]): unknown {
  renderer ??= knex({ client: 'pg' });
  const knexInstance = renderer;
  return {
    execute: async (query: Query, params?: unknown[]) => {
      statements.push(render(query, params));
      return [];
    },
    getConnection: () => ({ getKnex: () => knexInstance }),
    createEntityManager: () => {
      throw new Error('a migration cannot use the EntityManager while its SQL is being captured');
    },
  };
}

function newInstance(migration: MigrationObject, statements: string[]): Migration {
  captureConfig ??= new Configuration(
    defineConfig({
      clientUrl: 'postgres://capture@127.0.0.1:1/capture',
      entities: [],
      discovery: { warnWhenNoEntities: false },
    }),
    false,
  );
  const Ctor = migration.class as unknown as new (
    driver: unknown,
    config: Configuration,
  ) => Migration;
  return new Ctor(captureDriver(statements), captureConfig);
}

async function capture(
  migration: MigrationObject,
  method: 'up' | 'down',
): Promise<{ sql: string[]; transactional: boolean }> {
  const executed: string[] = [];
  const instance = newInstance(migration, executed);
  await instance[method]();
  // Statements run through this.execute() happen while up()/down() runs, before the addSql ones.
  return {
    sql: [...executed, ...instance.getQueries().map((q) => render(q))],
    transactional: instance.isTransactional(),
  };
}

/** Runs the migration's up() and down() against a recording driver: nothing touches a database. */
export async function captureMigrationSql(migration: MigrationObject): Promise<MigrationSql> {
  const up = await capture(migration, 'up');
  let down: string[] | null;
  try {
    down = (await capture(migration, 'down')).sql;
  } catch {
    down = null; // MikroORM's default down() throws "This migration cannot be reverted"
  }
  return { transactional: up.transactional, up: up.sql, down };
}

/**
 * sha256 of what a migration executes (up and down SQL, and whether it runs in a transaction).
 * The apps are webpack bundles without migration sources on disk, so the checksum is taken from
 * the SQL the class produces rather than from its file; formatting-only edits of the TypeScript
 * do not change it, any change to the SQL it runs does.
 */
export function checksumOfSql(sql: MigrationSql): string {
  const canonical = JSON.stringify({
    transactional: sql.transactional,
    up: sql.up,
    down: sql.down,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export async function migrationChecksum(migration: MigrationObject): Promise<string> {
  return checksumOfSql(await captureMigrationSql(migration));
}
