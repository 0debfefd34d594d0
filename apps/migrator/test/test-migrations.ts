import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';

/*
 * Migrations for the CLI's tests only, handed to runCli() next to MIGRATIONS; never part of
 * MIGRATIONS. Named 2099… so they sort after every real migration.
 */

export class Migration20990201000001_test_notes extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table t_note (id serial primary key, body text not null)');
  }
  override async down(): Promise<void> {
    this.addSql('drop table t_note');
  }
}

export class Migration20990201000002_test_failing extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table t_failing (id int)');
    this.addSql('select 1 / 0');
  }
  override async down(): Promise<void> {
    this.addSql('drop table t_failing');
  }
}

export const NOTES: MigrationObject = {
  name: 'Migration20990201000001_test_notes',
  class: Migration20990201000001_test_notes,
};
export const FAILING: MigrationObject = {
  name: 'Migration20990201000002_test_failing',
  class: Migration20990201000002_test_failing,
};
