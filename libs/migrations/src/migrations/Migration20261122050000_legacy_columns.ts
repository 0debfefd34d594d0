import { Migration } from '@mikro-orm/migrations';

const TABLES = ['users', 'projects', 'agent_api_keys'] as const;

/**
 * A `legacy` jsonb column on users, projects and agent API keys: the legacy importer keeps there
 * the fields of an imported broker row that have no column of their own (a user's username,
 * a project's slug/status/settings, a key's capability list), so an import loses nothing.
 * Nullable without a default: rows made here have no legacy fields.
 */
export class Migration20261122050000_legacy_columns extends Migration {
  override async up(): Promise<void> {
    for (const table of TABLES) {
      this.addSql(`ALTER TABLE ${table} ADD COLUMN legacy jsonb`);
      this.addSql(
        `COMMENT ON COLUMN ${table}.legacy IS 'Fields of an imported legacy row that have no column of their own (NULL: not imported)'`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const table of [...TABLES].reverse())
      this.addSql(`ALTER TABLE ${table} DROP COLUMN legacy`);
  }
}
