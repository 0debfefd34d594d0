import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { query } from './query';

/**
 * A test migration that creates t_slow, then sleeps in pg_sleep: something to interrupt, or to
 * wait for, in the runner's and the migrator's tests. Never part of MIGRATIONS; its name sorts
 * after every real and every other test migration, so it can end any list.
 */
export function slowMigration(seconds: number): MigrationObject {
  class Migration20991231000000_test_slow extends Migration {
    override async up(): Promise<void> {
      this.addSql('create table t_slow (id int)');
      this.addSql(`select pg_sleep(${seconds})`);
    }
    override async down(): Promise<void> {
      this.addSql('drop table t_slow');
    }
  }
  return { name: 'Migration20991231000000_test_slow', class: Migration20991231000000_test_slow };
}

/** Resolves once a slow migration is sleeping on the database of `url`. */
export async function waitForSlowMigration(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sleeping = await query(
      url,
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'select pg_sleep%'`,
    );
    if (sleeping.length > 0) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for the slow migration to run');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
