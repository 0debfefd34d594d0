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

export const REFERENCE_CHECKS: readonly ReferenceCheck[] = [
  // seed 000's two checks
  { table: 'chat_participants', column: 'agent_id', references: { table: 'agents', column: 'id' } },
  { table: 'agent_api_keys', column: 'agent_id', references: { table: 'agents', column: 'id' } },
  // ownership
  { table: 'projects', column: 'owner_id', references: { table: 'users', column: 'id' } },
  { table: 'agents', column: 'project_id', references: { table: 'projects', column: 'id' } },
  { table: 'tasks', column: 'project_id', references: { table: 'projects', column: 'id' } },
  { table: 'chat_rooms', column: 'project_id', references: { table: 'projects', column: 'id' } },
  // task assignees are an agent or a user, told apart by assigned_to_type
  {
    table: 'tasks',
    column: 'assigned_to',
    references: { table: 'agents', column: 'id' },
    where: `assigned_to_type = 'agent'`,
    whereColumns: ['assigned_to_type'],
  },
  {
    table: 'tasks',
    column: 'assigned_to',
    references: { table: 'users', column: 'id' },
    where: `assigned_to_type = 'user'`,
    whereColumns: ['assigned_to_type'],
  },
  { table: 'tasks', column: 'room_id', references: { table: 'chat_rooms', column: 'id' } },
  // the dependency graph
  { table: 'task_dependencies', column: 'task_id', references: { table: 'tasks', column: 'id' } },
  { table: 'task_dependencies', column: 'depends_on_id', references: { table: 'tasks', column: 'id' } },
  // rooms and messages
  { table: 'chat_participants', column: 'room_id', references: { table: 'chat_rooms', column: 'id' } },
  { table: 'chat_participants', column: 'user_id', references: { table: 'users', column: 'id' } },
  { table: 'messages', column: 'room_id', references: { table: 'chat_rooms', column: 'id' } },
];
