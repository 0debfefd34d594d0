import { Migration } from '@mikro-orm/migrations';

/**
 * Agent messages get their delivery cycle (sent/failed stamps, the visibility window, the
 * last error, replies, user senders), and the event log that the live stream replays.
 */
export class Migration20261201000000_message_delivery_events extends Migration {
  override async up(): Promise<void> {
    // (project_id, id) is what a message's recipient refers to, so that the recipient is an
    // agent of the message's project.
    this.addSql(`ALTER TABLE agents ADD CONSTRAINT uq_agents_project_id UNIQUE (project_id, id)`);

    // A sender is an agent or a user who manages the project: one column each, so both are
    // real foreign keys (deleting either deletes what it sent, as deleting a recipient does).
    this.addSql(`ALTER TABLE agent_messages RENAME COLUMN sender_id TO sender_agent_id`);
    this.addSql(`ALTER TABLE agent_messages ALTER COLUMN sender_agent_id DROP NOT NULL`);
    this.addSql(`
      ALTER TABLE agent_messages
        ADD COLUMN sender_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        ADD COLUMN reply_to uuid REFERENCES agent_messages (id) ON DELETE SET NULL,
        ADD COLUMN ack_timeout_seconds integer NOT NULL DEFAULT 30,
        ADD COLUMN visible_until timestamptz,
        ADD COLUMN sent_at timestamptz,
        ADD COLUMN failed_at timestamptz,
        ADD COLUMN last_error text,
        ADD CONSTRAINT ck_agent_messages_sender_type CHECK (sender_type IN ('agent', 'user')),
        ADD CONSTRAINT ck_agent_messages_sender CHECK (
          (sender_type = 'agent' AND sender_agent_id IS NOT NULL AND sender_user_id IS NULL) OR
          (sender_type = 'user' AND sender_user_id IS NOT NULL AND sender_agent_id IS NULL)),
        ADD CONSTRAINT ck_agent_messages_recipient_type CHECK (recipient_type = 'agent'),
        ADD CONSTRAINT ck_agent_messages_ack_timeout CHECK (ack_timeout_seconds BETWEEN 1 AND 43200),
        -- A message handed over (sent or delivered) always has its window's deadline.
        ADD CONSTRAINT ck_agent_messages_window CHECK (
          status NOT IN ('sent', 'delivered') OR visible_until IS NOT NULL)`);
    this.addSql(
      `ALTER TABLE agent_messages DROP CONSTRAINT IF EXISTS agent_messages_recipient_id_fkey`,
    );
    this.addSql(`
      ALTER TABLE agent_messages ADD CONSTRAINT fk_agent_messages_recipient
        FOREIGN KEY (project_id, recipient_id) REFERENCES agents (project_id, id) ON DELETE CASCADE`);
    this.addSql(
      `ALTER TABLE agent_messages RENAME CONSTRAINT agent_messages_sender_id_fkey TO agent_messages_sender_agent_id_fkey`,
    );
    this.addSql(`DROP INDEX IF EXISTS idx_messages_sender_type`);
    this.addSql(
      `CREATE INDEX idx_messages_sender_type ON agent_messages (sender_agent_id, message_type)`,
    );
    this.addSql(
      `CREATE INDEX idx_agent_messages_sender_user ON agent_messages (sender_user_id) WHERE sender_user_id IS NOT NULL`,
    );
    this.addSql(
      `CREATE INDEX idx_agent_messages_reply_to ON agent_messages (reply_to) WHERE reply_to IS NOT NULL`,
    );
    // The inbox's pick order: urgent first, then oldest (the same rank as tasks' priority_rank).
    this.addSql(`
      ALTER TABLE agent_messages ADD COLUMN priority_rank smallint GENERATED ALWAYS AS (
        CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END) STORED`);
    this.addSql(`
      CREATE INDEX idx_agent_messages_inbox_pending ON agent_messages
        (recipient_id, priority_rank DESC, created_at, id) WHERE status = 'pending'`);
    // The sweepers: windows that pass, expiries that pass, final messages to purge.
    this.addSql(`
      CREATE INDEX idx_agent_messages_window ON agent_messages (visible_until)
        WHERE status IN ('sent', 'delivered')`);
    this.addSql(`
      CREATE INDEX idx_agent_messages_expiry ON agent_messages (expires_at)
        WHERE expires_at IS NOT NULL AND status IN ('pending', 'sent', 'delivered')`);
    this.addSql(`
      CREATE INDEX idx_agent_messages_final ON agent_messages (updated_at)
        WHERE status IN ('acknowledged', 'failed', 'expired')`);

    // The event log. A row is written in the transaction of the change it describes. Readers
    // follow (tx_id, position): tx_id is the writing transaction's id, position a sequence
    // value. A reader only reads rows whose tx_id is below every transaction of this database
    // still in progress (see the events library), so a row that commits late can never fall
    // behind a cursor that has already moved on.
    this.addSql(`
      CREATE TABLE events (
        tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        position bigint GENERATED ALWAYS AS IDENTITY,
        type varchar(64) NOT NULL,
        project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        -- Who besides the project's managers sees it: every agent of the project, one agent,
        -- the agents taking part in one room, or nobody else.
        audience varchar(16) NOT NULL,
        agent_id uuid REFERENCES agents (id) ON DELETE CASCADE,
        room_id uuid REFERENCES chat_rooms (id) ON DELETE CASCADE,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        data jsonb NOT NULL,
        CONSTRAINT pk_events PRIMARY KEY (tx_id, position),
        CONSTRAINT ck_events_audience CHECK (
          (audience = 'project' AND agent_id IS NULL AND room_id IS NULL) OR
          (audience = 'agent' AND agent_id IS NOT NULL AND room_id IS NULL) OR
          (audience = 'room' AND room_id IS NOT NULL AND agent_id IS NULL) OR
          (audience = 'managers' AND agent_id IS NULL AND room_id IS NULL)),
        CONSTRAINT ck_events_type CHECK (type ~ '^[a-z_]+(\\.[a-z_]+)+$')
      )`);
    this.addSql(`CREATE INDEX idx_events_occurred_at ON events (occurred_at)`);
    this.addSql(`CREATE INDEX idx_events_project ON events (project_id)`);
    this.addSql(`CREATE INDEX idx_events_agent ON events (agent_id) WHERE agent_id IS NOT NULL`);
    this.addSql(`CREATE INDEX idx_events_room ON events (room_id) WHERE room_id IS NOT NULL`);
    // How far the retention purge has deleted: a cursor below it missed events for good.
    this.addSql(`
      CREATE TABLE event_log_state (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        purged_through_tx xid8,
        purged_through_position bigint
      )`);
    this.addSql(`INSERT INTO event_log_state DEFAULT VALUES`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TABLE IF EXISTS event_log_state`);
    this.addSql(`DROP TABLE IF EXISTS events`);
    // Messages sent by users cannot be kept by the older schema (sender_id named an agent).
    this.addSql(`DELETE FROM agent_messages WHERE sender_type = 'user'`);
    this.addSql(`DROP INDEX IF EXISTS idx_agent_messages_final`);
    this.addSql(`DROP INDEX IF EXISTS idx_agent_messages_expiry`);
    this.addSql(`DROP INDEX IF EXISTS idx_agent_messages_window`);
    this.addSql(`DROP INDEX IF EXISTS idx_agent_messages_inbox_pending`);
    this.addSql(`DROP INDEX IF EXISTS idx_agent_messages_reply_to`);
    this.addSql(`DROP INDEX IF EXISTS idx_agent_messages_sender_user`);
    this.addSql(`DROP INDEX IF EXISTS idx_messages_sender_type`);
    this.addSql(`
      ALTER TABLE agent_messages
        DROP CONSTRAINT IF EXISTS ck_agent_messages_window,
        DROP CONSTRAINT IF EXISTS ck_agent_messages_ack_timeout,
        DROP CONSTRAINT IF EXISTS ck_agent_messages_recipient_type,
        DROP CONSTRAINT IF EXISTS ck_agent_messages_sender,
        DROP CONSTRAINT IF EXISTS ck_agent_messages_sender_type,
        DROP CONSTRAINT IF EXISTS fk_agent_messages_recipient,
        DROP COLUMN IF EXISTS priority_rank,
        DROP COLUMN IF EXISTS last_error,
        DROP COLUMN IF EXISTS failed_at,
        DROP COLUMN IF EXISTS sent_at,
        DROP COLUMN IF EXISTS visible_until,
        DROP COLUMN IF EXISTS ack_timeout_seconds,
        DROP COLUMN IF EXISTS reply_to,
        DROP COLUMN IF EXISTS sender_user_id`);
    this.addSql(
      `ALTER TABLE agent_messages RENAME CONSTRAINT agent_messages_sender_agent_id_fkey TO agent_messages_sender_id_fkey`,
    );
    this.addSql(`ALTER TABLE agent_messages ALTER COLUMN sender_agent_id SET NOT NULL`);
    this.addSql(`ALTER TABLE agent_messages RENAME COLUMN sender_agent_id TO sender_id`);
    this.addSql(`
      ALTER TABLE agent_messages ADD CONSTRAINT agent_messages_recipient_id_fkey
        FOREIGN KEY (recipient_id) REFERENCES agents (id) ON DELETE CASCADE`);
    this.addSql(
      `CREATE INDEX idx_messages_sender_type ON agent_messages (sender_id, message_type)`,
    );
    this.addSql(`ALTER TABLE agents DROP CONSTRAINT IF EXISTS uq_agents_project_id`);
  }
}
