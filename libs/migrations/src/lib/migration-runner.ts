import { MikroORM } from '@mikro-orm/postgresql';
import type { Connection } from '@mikro-orm/core';
import { createOrmOptions, MIGRATIONS_TABLE } from '@agenthub/database';
import { MIGRATIONS } from '../migrations';

export interface AppliedMigration {
  name: string;
  executed_at: string;
}

export interface MigrationStatus {
  applied: AppliedMigration[];
  pending: string[];
}

/**
 * Names of applied migrations, read without side effects: a database that was never
 * migrated has no history table, and reading it must not create one.
 */
export async function readAppliedMigrations(connection: Connection): Promise<AppliedMigration[]> {
  const [{ exists }] = await connection.execute<{ exists: boolean }[]>(
    `SELECT to_regclass(?) IS NOT NULL AS exists`,
    [`public.${MIGRATIONS_TABLE}`],
  );
  if (!exists) return [];
  const rows = await connection.execute<{ name: string; executed_at: Date }[]>(
    `SELECT name, executed_at FROM ${MIGRATIONS_TABLE} ORDER BY id`,
  );
  return rows.map((r: { name: string; executed_at: Date }) => ({ name: r.name, executed_at: new Date(r.executed_at).toISOString() }));
}

export async function readMigrationStatus(connection: Connection): Promise<MigrationStatus> {
  const applied = await readAppliedMigrations(connection);
  const done = new Set(applied.map((m) => m.name));
  return { applied, pending: MIGRATIONS.map((m) => m.name).filter((name) => !done.has(name)) };
}

/** Applies and inspects the schema migrations of one database. */
export class MigrationRunner {
  private constructor(private readonly orm: MikroORM) {}

  static async connect(url: string): Promise<MigrationRunner> {
    const orm = await MikroORM.init(createOrmOptions({ url, entities: [], migrations: MIGRATIONS, poolMax: 2 }));
    return new MigrationRunner(orm);
  }

  status(): Promise<MigrationStatus> {
    return readMigrationStatus(this.orm.em.getConnection());
  }

  /** Applies pending migrations (up to and including `to`), each in its own transaction. */
  async up(to?: string): Promise<string[]> {
    const applied = await this.orm.getMigrator().up(to ? { to } : undefined);
    return applied.map((m) => m.name);
  }

  /** Reverts down to (not including) `target.to`, or the last `target.step` migrations. */
  async down(target: { to: string } | { step: number }): Promise<string[]> {
    const migrator = this.orm.getMigrator();
    if ('to' in target) return (await migrator.down({ to: target.to })).map((m) => m.name);
    const applied = await this.status().then((s) => s.applied.map((m) => m.name));
    const last = applied.slice(Math.max(0, applied.length - target.step)).reverse();
    if (last.length === 0) return [];
    return (await migrator.down({ migrations: last })).map((m) => m.name);
  }

  close(): Promise<void> {
    return this.orm.close(true);
  }
}

/** Connects, applies everything pending, disconnects. */
export async function migrateToLatest(url: string): Promise<string[]> {
  const runner = await MigrationRunner.connect(url);
  try {
    return await runner.up();
  } finally {
    await runner.close();
  }
}
