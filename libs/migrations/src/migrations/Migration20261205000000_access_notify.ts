import { Migration } from '@mikro-orm/migrations';

/**
 * Every change that can take away a principal's access NOTIFYs `agenthub_access`, from
 * triggers, so whatever makes the change (the API, the migrator, an import, an operator's
 * SQL) reaches every API process's access cache. The notification is sent on commit, and
 * only then; a rolled-back change sends nothing. What counts:
 * - `agent_api_keys`: its hash, status, expiry or agent changes, or it is deleted;
 * - `agents`: it is (de)activated or moves project, or it is deleted (also by a project's
 *   cascade);
 * - `users`: it is (de)activated, its superuser flag or email changes, or it is deleted;
 * - any of the three is truncated.
 * `last_used_at`, heartbeats and every other column change nothing of access and notify
 * nothing: the WHEN clauses keep the hot writes quiet. The payload is the table's name;
 * identical payloads of one transaction are folded into one notification by PostgreSQL.
 */
export class Migration20261205000000_access_notify extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE FUNCTION agenthub_notify_access() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('agenthub_access', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    this.addSql(`
      CREATE TRIGGER trg_agent_api_keys_access_update AFTER UPDATE ON agent_api_keys FOR EACH ROW
        WHEN (OLD.key_hash IS DISTINCT FROM NEW.key_hash OR OLD.status IS DISTINCT FROM NEW.status
              OR OLD.expires_at IS DISTINCT FROM NEW.expires_at OR OLD.agent_id IS DISTINCT FROM NEW.agent_id)
        EXECUTE FUNCTION agenthub_notify_access()`);
    this.addSql(`
      CREATE TRIGGER trg_agents_access_update AFTER UPDATE ON agents FOR EACH ROW
        WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.project_id IS DISTINCT FROM NEW.project_id)
        EXECUTE FUNCTION agenthub_notify_access()`);
    this.addSql(`
      CREATE TRIGGER trg_users_access_update AFTER UPDATE ON users FOR EACH ROW
        WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.is_superuser IS DISTINCT FROM NEW.is_superuser
              OR OLD.email IS DISTINCT FROM NEW.email)
        EXECUTE FUNCTION agenthub_notify_access()`);
    for (const table of ['agent_api_keys', 'agents', 'users']) {
      this.addSql(`
        CREATE TRIGGER trg_${table}_access_delete AFTER DELETE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION agenthub_notify_access()`);
      this.addSql(`
        CREATE TRIGGER trg_${table}_access_truncate AFTER TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION agenthub_notify_access()`);
    }
  }

  override async down(): Promise<void> {
    for (const table of ['agent_api_keys', 'agents', 'users']) {
      for (const event of ['update', 'delete', 'truncate'])
        this.addSql(`DROP TRIGGER IF EXISTS trg_${table}_access_${event} ON ${table}`);
    }
    this.addSql(`DROP FUNCTION IF EXISTS agenthub_notify_access()`);
  }
}
