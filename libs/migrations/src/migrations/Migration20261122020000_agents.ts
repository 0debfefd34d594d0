import { Migration } from '@mikro-orm/migrations';

/**
 * The agent registry: agents (the broker's columns, plus system_prompt and model_* of the
 * phase-1 SQLite platform and last_heartbeat of its phase-2 PostgreSQL design), per-capability
 * details (that design's agent_capabilities) and the agents' own API keys. Needs the identity
 * migration (projects, users).
 */
export class Migration20261122020000_agents extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE agents (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        name varchar(255) NOT NULL,
        nickname varchar(255),
        agent_type varchar(100) NOT NULL DEFAULT 'generic',
        status varchar(20) NOT NULL DEFAULT 'offline',
        capabilities jsonb NOT NULL DEFAULT '[]'::jsonb,
        config jsonb,
        system_prompt text,
        model_provider varchar(100),
        model_name varchar(255),
        is_active boolean NOT NULL DEFAULT true,
        last_heartbeat timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_agents_project_name UNIQUE (project_id, name),
        CONSTRAINT ck_agents_status CHECK (status IN ('offline', 'online', 'idle', 'active', 'busy', 'error')),
        CONSTRAINT ck_agents_name_not_blank CHECK (btrim(name) <> ''),
        CONSTRAINT ck_agents_capabilities_array CHECK (jsonb_typeof(capabilities) = 'array')
      )`);
    // uq_agents_project_name already serves "WHERE project_id = ?"; this one serves the
    // per-project list, newest first.
    this.addSql(
      `CREATE INDEX idx_agents_project_created ON agents (project_id, created_at DESC, id DESC)`,
    );
    this.addSql(`CREATE INDEX idx_agents_created ON agents (created_at DESC, id DESC)`);
    this.addSql(`CREATE INDEX idx_agents_status ON agents (status)`);
    this.addSql(`CREATE INDEX idx_agents_is_active ON agents (is_active)`);
    this.addSql(`CREATE INDEX idx_agents_type_status ON agents (agent_type, status)`);
    this.addSql(`CREATE INDEX idx_agents_last_heartbeat ON agents (last_heartbeat)`);
    // "capabilities @> '["x"]'" (the capability filter, and task matching) uses this.
    this.addSql(
      `CREATE INDEX idx_agents_capabilities ON agents USING gin (capabilities jsonb_path_ops)`,
    );

    this.addSql(`
      CREATE TABLE agent_capabilities (
        id uuid PRIMARY KEY,
        agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        capability_name varchar(100) NOT NULL,
        confidence_score numeric(3, 2) NOT NULL DEFAULT 0.5,
        description text,
        input_schema jsonb,
        output_schema jsonb,
        usage_count integer NOT NULL DEFAULT 0,
        last_used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_agent_capabilities_agent_name UNIQUE (agent_id, capability_name),
        CONSTRAINT ck_agent_capabilities_confidence CHECK (confidence_score >= 0 AND confidence_score <= 1),
        CONSTRAINT ck_agent_capabilities_usage CHECK (usage_count >= 0)
      )`);
    this.addSql(`CREATE INDEX idx_agent_capabilities_name ON agent_capabilities (capability_name)`);

    this.addSql(`
      CREATE TABLE agent_api_keys (
        id uuid PRIMARY KEY,
        agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        name varchar(255),
        key_hash varchar(64) NOT NULL,
        key_prefix varchar(32) NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'active',
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_agent_api_keys_key_hash UNIQUE (key_hash),
        CONSTRAINT ck_agent_api_keys_status CHECK (status IN ('active', 'revoked')),
        CONSTRAINT ck_agent_api_keys_key_hash CHECK (key_hash ~ '^[0-9a-f]{64}$')
      )`);
    this.addSql(
      `CREATE INDEX idx_agent_api_keys_agent ON agent_api_keys (agent_id, created_at DESC)`,
    );
    // Deleting a user sets created_by to NULL: without an index that is a full scan.
    this.addSql(`CREATE INDEX idx_agent_api_keys_created_by ON agent_api_keys (created_by)`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TABLE IF EXISTS agent_api_keys`);
    this.addSql(`DROP TABLE IF EXISTS agent_capabilities`);
    this.addSql(`DROP TABLE IF EXISTS agents`);
  }
}
