import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';

/*
 * Migrations for the runner's and the backup's own tests, passed to MigrationRunner explicitly.
 * Never part of MIGRATIONS. Named 2099… so they sort after every real migration. The slow one,
 * which the migrator's tests need too, is slowMigration() in @agenthub/testing.
 */

/** Tables shaped like the real ones: uuid and serial keys, self and cross references, jsonb,
 * arrays, bytea, a generated column, an identity column, an append-only audit table guarded by
 * triggers (as audit_log is) and insert triggers that rewrite rows. */
export class Migration20990101000001_test_catalog extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table t_owner (id uuid primary key, email text not null unique, created_at timestamptz not null default now())`,
    );
    this.addSql(`create table t_item (
      id bigserial primary key,
      owner_id uuid not null references t_owner (id) on delete cascade,
      parent_id bigint references t_item (id),
      title text not null,
      body text,
      tags text[] not null default '{}',
      meta jsonb,
      blob bytea,
      amount numeric(12, 2),
      happened_at timestamptz,
      search tsvector generated always as (to_tsvector('simple', title)) stored)`);
    this.addSql(`create index t_item_owner_idx on t_item (owner_id)`);
    this.addSql(
      `create table t_counter (id int generated always as identity primary key, label text)`,
    );
    this.addSql(
      `create table t_audit (id bigserial primary key, item_id bigint references t_item (id) on delete cascade, action text not null, at timestamptz not null default now())`,
    );
    this.addSql(`create function t_audit_guard() returns trigger language plpgsql as $$
      begin
        if current_setting('agenthub.audit_retention', true) is distinct from 'on' then
          raise exception 'audit log is append-only';
        end if;
        if tg_op = 'DELETE' then return old; end if;
        return new;
      end $$`);
    this.addSql(
      `create trigger t_audit_append_only before update or delete on t_audit for each row execute function t_audit_guard()`,
    );
    this.addSql(
      `create trigger t_audit_no_truncate before truncate on t_audit for each statement execute function t_audit_guard()`,
    );
    this.addSql(
      `create function t_item_touch() returns trigger language plpgsql as $$ begin new.body := coalesce(new.body, '') || ' (touched)'; return new; end $$`,
    );
    this.addSql(
      `create trigger t_item_touch before insert on t_item for each row execute function t_item_touch()`,
    );
    this.addSql(
      `create function t_item_audit() returns trigger language plpgsql as $$ begin insert into t_audit (item_id, action) values (new.id, 'insert'); return null; end $$`,
    );
    this.addSql(
      `create trigger t_item_audit after insert on t_item for each row execute function t_item_audit()`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table t_audit');
    this.addSql('drop table t_counter');
    this.addSql('drop table t_item');
    this.addSql('drop table t_owner');
    this.addSql('drop function t_item_audit()');
    this.addSql('drop function t_item_touch()');
    this.addSql('drop function t_audit_guard()');
  }
}

/** Runs outside a transaction: CREATE INDEX CONCURRENTLY refuses to run inside one. */
export class Migration20990101000002_test_concurrent_index extends Migration {
  override isTransactional(): boolean {
    return false;
  }
  override async up(): Promise<void> {
    this.addSql('create index concurrently t_item_title_idx on t_item (title)');
  }
  override async down(): Promise<void> {
    this.addSql('drop index concurrently t_item_title_idx');
  }
}

/** Creates a table, then fails: the table must not survive. */
export class Migration20990101000003_test_failing extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table t_failing (id int)');
    this.addSql('insert into t_does_not_exist values (1)');
  }
  override async down(): Promise<void> {
    this.addSql('drop table t_failing');
  }
}

export const CATALOG: MigrationObject = {
  name: 'Migration20990101000001_test_catalog',
  class: Migration20990101000001_test_catalog,
};
export const CONCURRENT_INDEX: MigrationObject = {
  name: 'Migration20990101000002_test_concurrent_index',
  class: Migration20990101000002_test_concurrent_index,
};
export const FAILING: MigrationObject = {
  name: 'Migration20990101000003_test_failing',
  class: Migration20990101000003_test_failing,
};
