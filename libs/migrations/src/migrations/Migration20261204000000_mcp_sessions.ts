import { Migration } from '@mikro-orm/migrations';

/**
 * MCP sessions in the database rather than in one process's memory, so that a session begun
 * on one API process goes on when its next request lands on another: the session (whose it
 * is, what client opened it) and the resources it subscribed to. A session ends with its
 * DELETE, when it has been idle too long, or with its user or agent.
 */
export class Migration20261204000000_mcp_sessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE mcp_sessions (
        id uuid PRIMARY KEY,
        user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        agent_id uuid REFERENCES agents (id) ON DELETE CASCADE,
        client_info jsonb NOT NULL,
        protocol_version varchar(32) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_mcp_sessions_one_principal CHECK ((user_id IS NULL) <> (agent_id IS NULL)),
        CONSTRAINT ck_mcp_sessions_client_info_object CHECK (jsonb_typeof(client_info) = 'object')
      )`);
    // The foreign keys' cascades, and the idle sessions' purge.
    this.addSql(
      `CREATE INDEX idx_mcp_sessions_user ON mcp_sessions (user_id) WHERE user_id IS NOT NULL`,
    );
    this.addSql(
      `CREATE INDEX idx_mcp_sessions_agent ON mcp_sessions (agent_id) WHERE agent_id IS NOT NULL`,
    );
    this.addSql(`CREATE INDEX idx_mcp_sessions_last_seen ON mcp_sessions (last_seen_at)`);

    this.addSql(`
      CREATE TABLE mcp_session_subscriptions (
        session_id uuid NOT NULL REFERENCES mcp_sessions (id) ON DELETE CASCADE,
        uri varchar(300) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (session_id, uri)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TABLE IF EXISTS mcp_session_subscriptions`);
    this.addSql(`DROP TABLE IF EXISTS mcp_sessions`);
  }
}
