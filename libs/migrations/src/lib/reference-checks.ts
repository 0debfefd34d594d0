/**
 * One reference `verify` checks: rows of `table` whose `column` is set (and, with `where`, only
 * those rows) must name an existing `references.table`.`references.column`: the broker's
 * migration guide runs such checks by hand ("no orphaned agent_ids remain"); here they are
 * data, and a feature that adds a reference adds one line. A check whose tables or columns do
 * not exist (an older schema) is reported as skipped, not failed.
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

/** `ref('tasks.room_id', 'chat_rooms.id')`: rows of tasks whose room_id is set name a room. */
function ref(from: string, to: string): ReferenceCheck {
  const [table, column] = from.split('.');
  const [toTable, toColumn] = to.split('.');
  return { table, column, references: { table: toTable, column: toColumn } };
}

/**
 * Every reference of the schema as the migrations create it. In the migrated schema each is
 * also a foreign key (integrity.spec.ts holds the two lists together); `verify` is for data
 * that got in around them (imports, restores into a hand-made schema,
 * `session_replication_role = replica`).
 */
export const REFERENCE_CHECKS: readonly ReferenceCheck[] = [
  // identity
  ref('projects.owner_id', 'users.id'),
  ref('audit_log.project_id', 'projects.id'),
  // agents
  ref('agents.project_id', 'projects.id'),
  ref('agent_capabilities.agent_id', 'agents.id'),
  ref('agent_api_keys.agent_id', 'agents.id'),
  ref('agent_api_keys.created_by', 'users.id'),
  // tasks: the assignee and the creator are each a user or an agent, one column per kind
  ref('tasks.project_id', 'projects.id'),
  ref('tasks.assigned_agent_id', 'agents.id'),
  ref('tasks.assigned_user_id', 'users.id'),
  ref('tasks.created_by_agent_id', 'agents.id'),
  ref('tasks.created_by_user_id', 'users.id'),
  // the dependency graph
  ref('task_dependencies.task_id', 'tasks.id'),
  ref('task_dependencies.depends_on_id', 'tasks.id'),
  // rooms and messages (the broker's chat tables) and agent-to-agent messages (the phase-2
  // PostgreSQL design of the phase-1 SQLite platform)
  ref('tasks.room_id', 'chat_rooms.id'),
  ref('chat_rooms.project_id', 'projects.id'),
  ref('chat_rooms.created_by', 'users.id'),
  ref('chat_participants.room_id', 'chat_rooms.id'),
  ref('chat_participants.agent_id', 'agents.id'),
  ref('chat_participants.user_id', 'users.id'),
  ref('chat_messages.room_id', 'chat_rooms.id'),
  ref('chat_messages.sender_agent_id', 'agents.id'),
  ref('chat_messages.sender_user_id', 'users.id'),
  ref('agent_messages.project_id', 'projects.id'),
  // the sender is an agent or a user, one column per kind
  ref('agent_messages.sender_agent_id', 'agents.id'),
  ref('agent_messages.sender_user_id', 'users.id'),
  ref('agent_messages.recipient_id', 'agents.id'),
  ref('agent_messages.reply_to', 'agent_messages.id'),
  // workflows, their versions and executions (the phase-2 design), and tasks as steps
  ref('workflows.project_id', 'projects.id'),
  ref('workflows.created_by_user_id', 'users.id'),
  ref('workflows.created_by_agent_id', 'agents.id'),
  ref('workflow_versions.workflow_id', 'workflows.id'),
  ref('workflow_versions.created_by_user_id', 'users.id'),
  ref('workflow_versions.created_by_agent_id', 'agents.id'),
  ref('workflow_executions.workflow_id', 'workflows.id'),
  // (workflow_id, workflow_version) is one key of workflow_versions; checked column by column
  ref('workflow_executions.workflow_id', 'workflow_versions.workflow_id'),
  ref('workflow_executions.workflow_version', 'workflow_versions.version'),
  ref('workflow_executions.started_by_user_id', 'users.id'),
  ref('workflow_executions.started_by_agent_id', 'agents.id'),
  ref('tasks.workflow_id', 'workflows.id'),
  ref('tasks.workflow_execution_id', 'workflow_executions.id'),
  // a step's workflow is its execution's (the key is (project_id, workflow_id, execution))
  {
    ...ref('tasks.workflow_id', 'workflow_executions.workflow_id'),
    where: 'workflow_execution_id IS NOT NULL',
    whereColumns: ['workflow_execution_id'],
  },
  // agent performance (the phase-2 design's agent_performance): the key is (project_id, agent_id)
  ref('agent_performance.agent_id', 'agents.id'),
  // MCP sessions: each a user's or an agent's, and the resources each subscribed to
  ref('mcp_sessions.user_id', 'users.id'),
  ref('mcp_sessions.agent_id', 'agents.id'),
  ref('mcp_session_subscriptions.session_id', 'mcp_sessions.id'),
  // the event log
  ref('events.project_id', 'projects.id'),
  ref('events.agent_id', 'agents.id'),
  ref('events.room_id', 'chat_rooms.id'),
];
