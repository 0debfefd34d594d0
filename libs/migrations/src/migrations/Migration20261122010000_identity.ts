import { Migration } from '@mikro-orm/migrations';

/**
 * Identity and access: users, projects, the login throttle's failed attempts, and the
 * append-only audit log.
 */
export class Migration20261122010000_identity extends Migration {
  override async up(): Promise<void> {
    // Emails are unique case-insensitively: the CHECK admits only the normal form
    // (lowercased, trimmed; the API normalises what users type), so for every row
    // lower(email) = email and a plain unique index on email is a unique index on
    // lower(email) — one that equality lookups and ON CONFLICT (email) can use as is.
    // A row written by another tool with capitals is refused, not silently duplicated.
    this.addSql(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(254) NOT NULL CONSTRAINT users_email_normalised CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%'),
        password_hash text NOT NULL CONSTRAINT users_password_hash_phc CHECK (password_hash LIKE '$%'),
        name varchar(255) NOT NULL CONSTRAINT users_name_not_blank CHECK (btrim(name) <> ''),
        is_superuser boolean NOT NULL DEFAULT false,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`CREATE UNIQUE INDEX users_email_key ON users (email)`);

    // A user who still owns projects cannot be deleted by accident: hand the projects
    // over or delete them first (deleting a project cascades to everything in it).
    this.addSql(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(255) NOT NULL CONSTRAINT projects_name_not_blank CHECK (btrim(name) <> ''),
        description text NULL,
        owner_id uuid NOT NULL CONSTRAINT projects_owner_id_fkey REFERENCES users (id) ON DELETE RESTRICT,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(
      `CREATE INDEX projects_owner_id_created_at_idx ON projects (owner_id, created_at DESC)`,
    );
    this.addSql(`CREATE INDEX projects_created_at_idx ON projects (created_at DESC)`);

    // Keyed by the lowercased email, not by user: unknown emails are throttled too, so
    // the throttle does not reveal which accounts exist. Shared by every API process.
    this.addSql(`
      CREATE TABLE login_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        email varchar(254) NOT NULL,
        ip varchar(64) NULL,
        attempted_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(
      `CREATE INDEX login_attempts_email_attempted_at_idx ON login_attempts (email, attempted_at DESC)`,
    );
    this.addSql(`CREATE INDEX login_attempts_attempted_at_idx ON login_attempts (attempted_at)`);

    // actor_id has no foreign key on purpose: actors are users or agents (another table),
    // and the record of what someone did must outlive them.
    this.addSql(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        actor_type varchar(16) NOT NULL CONSTRAINT audit_log_actor_type_check CHECK (actor_type IN ('user', 'agent', 'anonymous', 'system')),
        actor_id uuid NULL,
        action varchar(100) NOT NULL CONSTRAINT audit_log_action_not_blank CHECK (btrim(action) <> ''),
        resource_type varchar(50) NOT NULL,
        resource_id varchar(100) NULL,
        project_id uuid NULL CONSTRAINT audit_log_project_id_fkey REFERENCES projects (id) ON DELETE CASCADE,
        request_id varchar(128) NULL,
        CONSTRAINT audit_log_actor_id_check CHECK ((actor_type IN ('anonymous', 'system')) = (actor_id IS NULL))
      )`);
    this.addSql(
      `CREATE INDEX audit_log_project_id_occurred_at_idx ON audit_log (project_id, occurred_at DESC, id DESC)`,
    );
    this.addSql(`CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at)`);

    // Append-only, enforced by the database whatever client writes to it:
    // - UPDATE is always refused;
    // - DELETE is refused, except (a) the ON DELETE CASCADE of a project's deletion: the
    //   row is removed from inside the foreign key's trigger (depth > 1) and its project
    //   is already gone, and (b) a retention run, which says so with
    //   SET LOCAL agenthub.audit_retention = 'on' in its transaction;
    // - TRUNCATE (which skips row triggers) is refused unless retention is on.
    this.addSql(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF current_setting('agenthub.audit_retention', true) = 'on' THEN
            RETURN OLD;
          END IF;
          IF pg_trigger_depth() > 1 AND OLD.project_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM projects WHERE id = OLD.project_id) THEN
            RETURN OLD;
          END IF;
        ELSIF TG_OP = 'TRUNCATE' AND current_setting('agenthub.audit_retention', true) = 'on' THEN
          RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'Rows leave the audit log only with their project, or in a retention run (SET LOCAL agenthub.audit_retention = ''on'').';
      END
      $$`);
    this.addSql(`
      CREATE TRIGGER audit_log_append_only_rows BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    this.addSql(`
      CREATE TRIGGER audit_log_append_only_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TABLE audit_log`);
    this.addSql(`DROP FUNCTION audit_log_append_only()`);
    this.addSql(`DROP TABLE login_attempts`);
    this.addSql(`DROP TABLE projects`);
    this.addSql(`DROP TABLE users`);
  }
}
