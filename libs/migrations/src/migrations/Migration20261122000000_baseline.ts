import { Migration } from '@mikro-orm/migrations';

/** Every session of this database speaks UTC, whatever the server's default is. */
export class Migration20261122000000_baseline extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET timezone TO %L', current_database(), 'UTC'); END $$;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET timezone', current_database()); END $$;`,
    );
  }
}
