import { Migration } from '@mikro-orm/migrations';

/**
 * Messaging: chat rooms of a project, their participants (an agent or a user), the room's
 * messages, and the direct agent-to-agent messages of the phase-1 SQLite platform's phase-2
 * PostgreSQL design. Also closes the foreign key the tasks migration left open on
 * tasks.room_id. Needs the identity, agents and tasks migrations.
 */
export class Migration20261122040000_messaging extends Migration {
  override async up(): Promise<void> {
    // No UNIQUE (project_id, name): the legacy broker never enforced it, and legacy rooms
    // must import without renames. (project_id, id) is what tasks refer to, so a task's room
    // is always in the task's project.
    this.addSql(`
      CREATE TABLE chat_rooms (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        name varchar(255) NOT NULL,
        description text,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_chat_rooms_project_id UNIQUE (project_id, id),
        CONSTRAINT ck_chat_rooms_name_not_blank CHECK (btrim(name) <> '')
      )`);
    this.addSql(
      `CREATE INDEX idx_chat_rooms_project_created ON chat_rooms (project_id, created_at DESC, id DESC)`,
    );
    this.addSql(`CREATE INDEX idx_chat_rooms_created ON chat_rooms (created_at DESC, id DESC)`);
    this.addSql(
      `CREATE INDEX idx_chat_rooms_created_by ON chat_rooms (created_by) WHERE created_by IS NOT NULL`,
    );

    // A participant is exactly one of an agent or a user; deleting either removes the
    // participation (as in the broker, where deleting an agent cascades to them).
    this.addSql(`
      CREATE TABLE chat_participants (
        id uuid PRIMARY KEY,
        room_id uuid NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
        agent_id uuid REFERENCES agents (id) ON DELETE CASCADE,
        user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        joined_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_chat_participants_one_member CHECK (num_nonnulls(agent_id, user_id) = 1)
      )`);
    // Each doubles as the index for "WHERE room_id = ?" (leading column) and for the lookup
    // "is X in room R".
    this.addSql(
      `CREATE UNIQUE INDEX uq_chat_participants_room_agent ON chat_participants (room_id, agent_id) WHERE agent_id IS NOT NULL`,
    );
    this.addSql(
      `CREATE UNIQUE INDEX uq_chat_participants_room_user ON chat_participants (room_id, user_id) WHERE user_id IS NOT NULL`,
    );
    this.addSql(
      `CREATE INDEX idx_chat_participants_room_joined ON chat_participants (room_id, joined_at, id)`,
    );
    // The ON DELETE CASCADE from agents and users (a full scan without them).
    this.addSql(
      `CREATE INDEX idx_chat_participants_agent ON chat_participants (agent_id) WHERE agent_id IS NOT NULL`,
    );
    this.addSql(
      `CREATE INDEX idx_chat_participants_user ON chat_participants (user_id) WHERE user_id IS NOT NULL`,
    );

    // A message outlives its sender: deleting the agent or user nulls the sender column
    // (SET NULL), so the check allows the matching column to be null; it never allows the
    // other one to be set. System messages have no sender.
    this.addSql(`
      CREATE TABLE chat_messages (
        id uuid PRIMARY KEY,
        room_id uuid NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
        sender_type varchar(20) NOT NULL,
        sender_agent_id uuid REFERENCES agents (id) ON DELETE SET NULL,
        sender_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        content text NOT NULL,
        message_type varchar(50) NOT NULL DEFAULT 'text',
        meta jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_chat_messages_sender_type CHECK (sender_type IN ('agent', 'user', 'system')),
        CONSTRAINT ck_chat_messages_sender CHECK (
          CASE sender_type
            WHEN 'agent' THEN sender_user_id IS NULL
            WHEN 'user' THEN sender_agent_id IS NULL
            ELSE sender_agent_id IS NULL AND sender_user_id IS NULL
          END
        ),
        CONSTRAINT ck_chat_messages_meta_object CHECK (meta IS NULL OR jsonb_typeof(meta) = 'object')
      )`);
    this.addSql(
      `CREATE INDEX idx_chat_messages_room_created ON chat_messages (room_id, created_at, id)`,
    );
    this.addSql(
      `CREATE INDEX idx_chat_messages_sender_agent ON chat_messages (sender_agent_id) WHERE sender_agent_id IS NOT NULL`,
    );
    this.addSql(
      `CREATE INDEX idx_chat_messages_sender_user ON chat_messages (sender_user_id) WHERE sender_user_id IS NOT NULL`,
    );

    // The phase-2 design's agent_messages, plus project_id (deleting a project deletes its
    // messages, and an owner lists a project's messages) and updated_at. sender_type /
    // recipient_type stay for the legacy import ('agent' today).
    this.addSql(`
      CREATE TABLE agent_messages (
        id uuid PRIMARY KEY,
        message_id uuid NOT NULL DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        correlation_id uuid,
        conversation_id uuid,
        sender_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        recipient_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        sender_type varchar(50) NOT NULL DEFAULT 'agent',
        recipient_type varchar(50) NOT NULL DEFAULT 'agent',
        message_type varchar(50) NOT NULL,
        priority varchar(20) NOT NULL DEFAULT 'normal',
        status varchar(20) NOT NULL DEFAULT 'pending',
        subject varchar(500),
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        retry_count integer NOT NULL DEFAULT 0,
        max_retries integer NOT NULL DEFAULT 3,
        expires_at timestamptz,
        delivered_at timestamptz,
        acknowledged_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_agent_messages_message_id UNIQUE (message_id),
        CONSTRAINT ck_agent_messages_priority CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
        CONSTRAINT ck_agent_messages_status CHECK (status IN ('pending', 'sent', 'delivered', 'acknowledged', 'failed', 'expired')),
        CONSTRAINT ck_agent_messages_retries CHECK (retry_count >= 0 AND max_retries >= 0)
      )`);
    // The phase-2 design's indexes.
    this.addSql(
      `CREATE INDEX idx_messages_recipient_status ON agent_messages (recipient_id, status)`,
    );
    this.addSql(
      `CREATE INDEX idx_messages_sender_type ON agent_messages (sender_id, message_type)`,
    );
    this.addSql(
      `CREATE INDEX idx_messages_correlation ON agent_messages (correlation_id) WHERE correlation_id IS NOT NULL`,
    );
    // The owner's per-project list and conversation threads.
    this.addSql(
      `CREATE INDEX idx_agent_messages_project_created ON agent_messages (project_id, created_at DESC, id DESC)`,
    );
    this.addSql(
      `CREATE INDEX idx_agent_messages_conversation ON agent_messages (conversation_id) WHERE conversation_id IS NOT NULL`,
    );

    // The foreign key the tasks migration left open. Composite, so that a task's room is in
    // the task's project; on room deletion only room_id is nulled (PostgreSQL 15+ column
    // list). Room ids that point nowhere (rooms did not exist until now) are cleared first.
    this.addSql(`
      UPDATE tasks t SET room_id = NULL
       WHERE room_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM chat_rooms r WHERE r.id = t.room_id AND r.project_id = t.project_id)`);
    this.addSql(`
      ALTER TABLE tasks ADD CONSTRAINT fk_tasks_room FOREIGN KEY (project_id, room_id)
        REFERENCES chat_rooms (project_id, id) ON DELETE SET NULL (room_id)`);
  }

  override async down(): Promise<void> {
    // room_id values cleared by up() cannot come back (they named no room).
    this.addSql(`ALTER TABLE tasks DROP CONSTRAINT IF EXISTS fk_tasks_room`);
    this.addSql(`DROP TABLE IF EXISTS agent_messages`);
    this.addSql(`DROP TABLE IF EXISTS chat_messages`);
    this.addSql(`DROP TABLE IF EXISTS chat_participants`);
    this.addSql(`DROP TABLE IF EXISTS chat_rooms`);
  }
}
