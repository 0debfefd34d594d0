/**
 * One reference `verify` checks: rows of `table` whose `column` is set (and, with `where`, only
 * those rows) must name an existing `references.table`.`references.column`. Seed 000's
 * integrity report, data-driven: a feature that adds a reference adds one line here. A check
 * whose tables or columns do not exist (yet) is reported as skipped, not failed.
 */
export interface ReferenceCheck {
  table: string;
  column: string;
  references: { table: string; column: string };
  /** SQL condition on the referencing row (alias-free column names of `table`). */
  where?: string;
  /** Columns `where` reads, so a check is skipped rather than broken when they do not exist. */
  whereColumns?: string[];
}

/**
 * Every reference of the schema as the migrations create it (identity, agents, tasks, rooms
 * and messages). A check whose table is missing (an older schema) is reported as skipped.
 * In the migrated schema each of these is
 * also a foreign key; `verify` is for data that got in around them (imports, restores into
 * a hand-made schema, `session_replication_role = replica`).
 */
export const REFERENCE_CHECKS: readonly ReferenceCheck[] = [
  // identity
  { table: 'projects', column: 'owner_id', references: { table: 'users', column: 'id' } },
  { table: 'audit_log', column: 'project_id', references: { table: 'projects', column: 'id' } },
  // agents
  { table: 'agents', column: 'project_id', references: { table: 'projects', column: 'id' } },
  {
    table: 'agent_capabilities',
    column: 'agent_id',
    references: { table: 'agents', column: 'id' },
  },
  { table: 'agent_api_keys', column: 'agent_id', references: { table: 'agents', column: 'id' } },
  { table: 'agent_api_keys', column: 'created_by', references: { table: 'users', column: 'id' } },
  // tasks: the assignee and the creator are each a user or an agent, one column per kind
  { table: 'tasks', column: 'project_id', references: { table: 'projects', column: 'id' } },
  { table: 'tasks', column: 'assigned_agent_id', references: { table: 'agents', column: 'id' } },
  { table: 'tasks', column: 'assigned_user_id', references: { table: 'users', column: 'id' } },
  { table: 'tasks', column: 'created_by_agent_id', references: { table: 'agents', column: 'id' } },
  { table: 'tasks', column: 'created_by_user_id', references: { table: 'users', column: 'id' } },
  // the dependency graph
  { table: 'task_dependencies', column: 'task_id', references: { table: 'tasks', column: 'id' } },
  {
    table: 'task_dependencies',
    column: 'depends_on_id',
    references: { table: 'tasks', column: 'id' },
  },
  // rooms and messages (seed 000's chat tables) and agent-to-agent messages (seed 002)
  { table: 'tasks', column: 'room_id', references: { table: 'chat_rooms', column: 'id' } },
  { table: 'chat_rooms', column: 'project_id', references: { table: 'projects', column: 'id' } },
  { table: 'chat_rooms', column: 'created_by', references: { table: 'users', column: 'id' } },
  {
    table: 'chat_participants',
    column: 'room_id',
    references: { table: 'chat_rooms', column: 'id' },
  },
  { table: 'chat_participants', column: 'agent_id', references: { table: 'agents', column: 'id' } },
  { table: 'chat_participants', column: 'user_id', references: { table: 'users', column: 'id' } },
  { table: 'chat_messages', column: 'room_id', references: { table: 'chat_rooms', column: 'id' } },
  {
    table: 'chat_messages',
    column: 'sender_agent_id',
    references: { table: 'agents', column: 'id' },
  },
  {
    table: 'chat_messages',
    column: 'sender_user_id',
    references: { table: 'users', column: 'id' },
  },
  {
    table: 'agent_messages',
    column: 'project_id',
    references: { table: 'projects', column: 'id' },
  },
  { table: 'agent_messages', column: 'sender_id', references: { table: 'agents', column: 'id' } },
  {
    table: 'agent_messages',
    column: 'recipient_id',
    references: { table: 'agents', column: 'id' },
  },
];
