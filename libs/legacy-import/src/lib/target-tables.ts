import type { Column, TargetTable } from './sql-writer';

/*
 * Every table an import writes, with the row each source builds for it: the column lists give
 * the order rows are staged and inserted in and say which property each column takes, so one
 * list serves the COPY, the INSERT … SELECT and the ON CONFLICT … DO UPDATE SET.
 * target-tables.spec.ts checks every list against the migrated schema.
 */

/** JSON text of a jsonb column's value; NULL for none. */
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

interface Timestamps {
  /** null when the source had none (or an unreadable one): the import time, see nowIfNull */
  createdAt: string | null;
  updatedAt: string | null;
}

function timestampColumns<R extends Timestamps>(): Column<R>[] {
  return [
    { name: 'created_at', type: 'timestamptz', nowIfNull: true, value: (r) => r.createdAt },
    { name: 'updated_at', type: 'timestamptz', nowIfNull: true, value: (r) => r.updatedAt },
  ];
}

/** A row with the legacy row it came from (named when two rows land on one id). */
interface FromLegacyRow {
  id: string;
  legacyId: string;
}
const legacyId = (row: FromLegacyRow) => row.legacyId;

export interface AgentRow extends FromLegacyRow, Timestamps {
  /** the source table (or JSON array) the row came from, named when two rows collide */
  sourceTable: string;
  projectId: string;
  name: string;
  nickname?: string | null;
  agentType: string;
  status: string;
  capabilities: string[];
  config: Record<string, unknown> | null;
  systemPrompt?: string | null;
  modelProvider?: string | null;
  modelName?: string | null;
  isActive: boolean;
  /** its agent_capabilities rows */
  details: {
    name: string;
    confidence?: number;
    description?: string | null;
    inputSchema?: unknown;
    outputSchema?: unknown;
  }[];
}

export const AGENTS: TargetTable<AgentRow> = {
  name: 'agents',
  legacyId,
  columns: [
    { name: 'id', type: 'uuid', value: (a) => a.id },
    { name: 'project_id', type: 'uuid', value: (a) => a.projectId },
    { name: 'name', type: 'text', value: (a) => a.name },
    { name: 'nickname', type: 'text', value: (a) => a.nickname ?? null },
    { name: 'agent_type', type: 'text', value: (a) => a.agentType },
    { name: 'status', type: 'text', value: (a) => a.status },
    { name: 'capabilities', type: 'jsonb', value: (a) => json(a.capabilities) },
    { name: 'config', type: 'jsonb', value: (a) => json(a.config) },
    { name: 'system_prompt', type: 'text', value: (a) => a.systemPrompt ?? null },
    { name: 'model_provider', type: 'text', value: (a) => a.modelProvider ?? null },
    { name: 'model_name', type: 'text', value: (a) => a.modelName ?? null },
    { name: 'is_active', type: 'boolean', value: (a) => a.isActive },
    ...timestampColumns<AgentRow>(),
  ],
};

/** A capability of an agent: a name in its capabilities list, with the details a source had. */
export interface AgentCapabilityRow {
  id: string;
  agentId: string;
  name: string;
  confidence: number;
  description: string | null;
  inputSchema: unknown;
  outputSchema: unknown;
}

export const AGENT_CAPABILITIES: TargetTable<AgentCapabilityRow> = {
  name: 'agent_capabilities',
  columns: [
    { name: 'id', type: 'uuid', value: (c) => c.id },
    { name: 'agent_id', type: 'uuid', value: (c) => c.agentId },
    { name: 'capability_name', type: 'text', value: (c) => c.name },
    { name: 'confidence_score', type: 'numeric', value: (c) => c.confidence },
    { name: 'description', type: 'text', value: (c) => c.description },
    { name: 'input_schema', type: 'jsonb', value: (c) => json(c.inputSchema) },
    { name: 'output_schema', type: 'jsonb', value: (c) => json(c.outputSchema) },
  ],
};

export interface TaskRow extends FromLegacyRow, Timestamps {
  projectId: string;
  roomId?: string | null;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  assignedAgentId: string | null;
  assignedUserId?: string | null;
  createdByUserId?: string | null;
  createdByAgentId?: string | null;
  result: Record<string, unknown> | null;
  dueDate?: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
}

export const TASKS: TargetTable<TaskRow> = {
  name: 'tasks',
  legacyId,
  columns: [
    { name: 'id', type: 'uuid', value: (t) => t.id },
    { name: 'project_id', type: 'uuid', value: (t) => t.projectId },
    { name: 'room_id', type: 'uuid', value: (t) => t.roomId ?? null },
    { name: 'title', type: 'text', value: (t) => t.title },
    { name: 'description', type: 'text', value: (t) => t.description },
    { name: 'status', type: 'text', value: (t) => t.status },
    { name: 'priority', type: 'text', value: (t) => t.priority },
    { name: 'assigned_agent_id', type: 'uuid', value: (t) => t.assignedAgentId },
    { name: 'assigned_user_id', type: 'uuid', value: (t) => t.assignedUserId ?? null },
    { name: 'created_by_user_id', type: 'uuid', value: (t) => t.createdByUserId ?? null },
    { name: 'created_by_agent_id', type: 'uuid', value: (t) => t.createdByAgentId ?? null },
    { name: 'result', type: 'jsonb', value: (t) => json(t.result) },
    { name: 'due_date', type: 'timestamptz', value: (t) => t.dueDate ?? null },
    { name: 'started_at', type: 'timestamptz', value: (t) => t.startedAt ?? null },
    { name: 'completed_at', type: 'timestamptz', value: (t) => t.completedAt ?? null },
    ...timestampColumns<TaskRow>(),
  ],
};

export interface TaskDependencyRow {
  projectId: string;
  taskId: string;
  dependsOnId: string;
}

export const TASK_DEPENDENCIES: TargetTable<TaskDependencyRow> = {
  name: 'task_dependencies',
  conflict: ['task_id', 'depends_on_id'],
  columns: [
    { name: 'project_id', type: 'uuid', value: (d) => d.projectId },
    { name: 'task_id', type: 'uuid', value: (d) => d.taskId },
    { name: 'depends_on_id', type: 'uuid', value: (d) => d.dependsOnId },
  ],
};

// The broker's own tables (agent-com).

/** Broker fields with no column of their own, kept in the row's `legacy` jsonb column (or null). */
type LegacyFields = Record<string, unknown> | null;

export interface UserRow extends FromLegacyRow, Timestamps {
  email: string;
  passwordHash: string;
  name: string;
  isSuperuser: boolean;
  isActive: boolean;
  legacy: LegacyFields;
}

export const USERS: TargetTable<UserRow> = {
  name: 'users',
  legacyId,
  columns: [
    { name: 'id', type: 'uuid', value: (u) => u.id },
    { name: 'email', type: 'text', value: (u) => u.email },
    { name: 'password_hash', type: 'text', insertOnly: true, value: (u) => u.passwordHash },
    { name: 'name', type: 'text', value: (u) => u.name },
    { name: 'is_superuser', type: 'boolean', value: (u) => u.isSuperuser },
    { name: 'is_active', type: 'boolean', value: (u) => u.isActive },
    { name: 'legacy', type: 'jsonb', value: (u) => json(u.legacy) },
    ...timestampColumns<UserRow>(),
  ],
};

export interface ProjectRow extends FromLegacyRow, Timestamps {
  name: string;
  description: string | null;
  ownerId: string;
  legacy: LegacyFields;
}

export const PROJECTS: TargetTable<ProjectRow> = {
  name: 'projects',
  legacyId,
  columns: [
    { name: 'id', type: 'uuid', value: (p) => p.id },
    { name: 'name', type: 'text', value: (p) => p.name },
    { name: 'description', type: 'text', value: (p) => p.description },
    { name: 'owner_id', type: 'uuid', value: (p) => p.ownerId },
    { name: 'legacy', type: 'jsonb', value: (p) => json(p.legacy) },
    ...timestampColumns<ProjectRow>(),
  ],
};

export interface RoomRow extends FromLegacyRow, Timestamps {
  projectId: string;
  name: string;
  description: string | null;
  createdBy: string | null;
}

export const CHAT_ROOMS: TargetTable<RoomRow> = {
  name: 'chat_rooms',
  legacyId,
  columns: [
    { name: 'id', type: 'uuid', value: (r) => r.id },
    { name: 'project_id', type: 'uuid', value: (r) => r.projectId },
    { name: 'name', type: 'text', value: (r) => r.name },
    { name: 'description', type: 'text', value: (r) => r.description },
    { name: 'created_by', type: 'uuid', value: (r) => r.createdBy },
    ...timestampColumns<RoomRow>(),
  ],
};

/** A member of a room: an agent or a user. */
export interface ParticipantRow extends FromLegacyRow {
  roomId: string;
  agentId: string | null;
  userId: string | null;
  joinedAt: string | null;
}

export const CHAT_PARTICIPANTS: TargetTable<ParticipantRow> = {
  name: 'chat_participants',
  legacyId,
  columns: [
    { name: 'id', type: 'uuid', value: (p) => p.id },
    { name: 'room_id', type: 'uuid', value: (p) => p.roomId },
    { name: 'agent_id', type: 'uuid', value: (p) => p.agentId },
    { name: 'user_id', type: 'uuid', value: (p) => p.userId },
    { name: 'joined_at', type: 'timestamptz', nowIfNull: true, value: (p) => p.joinedAt },
  ],
};

export interface MessageRow extends FromLegacyRow {
  roomId: string;
  senderType: 'agent' | 'user' | 'system';
  senderAgentId: string | null;
  senderUserId: string | null;
  content: string;
  messageType: string;
  meta: Record<string, unknown> | null;
  createdAt: string | null;
}

export const CHAT_MESSAGES: TargetTable<MessageRow> = {
  name: 'chat_messages',
  legacyId,
  columns: [
    { name: 'id', type: 'uuid', value: (m) => m.id },
    { name: 'room_id', type: 'uuid', value: (m) => m.roomId },
    { name: 'sender_type', type: 'text', value: (m) => m.senderType },
    { name: 'sender_agent_id', type: 'uuid', value: (m) => m.senderAgentId },
    { name: 'sender_user_id', type: 'uuid', value: (m) => m.senderUserId },
    { name: 'content', type: 'text', value: (m) => m.content },
    { name: 'message_type', type: 'text', value: (m) => m.messageType },
    { name: 'meta', type: 'jsonb', value: (m) => json(m.meta) },
    { name: 'created_at', type: 'timestamptz', nowIfNull: true, value: (m) => m.createdAt },
  ],
};

export interface ApiKeyRow extends FromLegacyRow, Timestamps {
  agentId: string;
  createdBy: string | null;
  name: string | null;
  keyHash: string;
  keyPrefix: string;
  status: string;
  expiresAt: string | null;
  revokedAt: string | null;
  legacy: LegacyFields;
}

export const AGENT_API_KEYS: TargetTable<ApiKeyRow> = {
  name: 'agent_api_keys',
  legacyId,
  columns: [
    { name: 'id', type: 'uuid', value: (k) => k.id },
    { name: 'agent_id', type: 'uuid', value: (k) => k.agentId },
    { name: 'created_by', type: 'uuid', value: (k) => k.createdBy },
    { name: 'name', type: 'text', value: (k) => k.name },
    { name: 'key_hash', type: 'text', value: (k) => k.keyHash },
    { name: 'key_prefix', type: 'text', value: (k) => k.keyPrefix },
    { name: 'status', type: 'text', value: (k) => k.status },
    { name: 'expires_at', type: 'timestamptz', value: (k) => k.expiresAt },
    { name: 'revoked_at', type: 'timestamptz', value: (k) => k.revokedAt },
    { name: 'legacy', type: 'jsonb', value: (k) => json(k.legacy) },
    ...timestampColumns<ApiKeyRow>(),
  ],
};

/** Every table above: all an import writes. */
export const TARGET_TABLES: readonly TargetTable<never>[] = [
  USERS,
  PROJECTS,
  AGENTS,
  AGENT_CAPABILITIES,
  CHAT_ROOMS,
  CHAT_PARTICIPANTS,
  CHAT_MESSAGES,
  AGENT_API_KEYS,
  TASKS,
  TASK_DEPENDENCIES,
];
