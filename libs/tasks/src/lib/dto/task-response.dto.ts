import type { Task } from '../entities/task.entity';
import type { TaskStatus } from '../task-lifecycle';
import type { TaskPriority } from '../task-priority';
import type { AssigneeType } from './assign-task.dto';

/**
 * A task on the wire: the broker's TaskDB fields, workflow_id and step_order from the phase-1
 * SQLite platform's phase-2 PostgreSQL design, and the claiming state.
 */
export interface TaskResponse {
  id: string;
  project_id: string;
  room_id: string | null;
  workflow_id: string | null;
  step_order: number | null;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  assigned_to: string | null;
  assigned_to_type: AssigneeType | null;
  created_by: string | null;
  created_by_type: AssigneeType | null;
  /** Ids of the tasks this one waits for. */
  dependencies: string[];
  required_capabilities: string[];
  result: Record<string, unknown> | null;
  attempts: number;
  max_attempts: number;
  lease_expires_at: string | null;
  version: number;
  due_date: string | null;
  started_at: string | null;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function toTaskResponse(task: Task, dependencies: string[]): TaskResponse {
  return {
    id: task.id,
    project_id: task.projectId,
    room_id: task.roomId,
    workflow_id: task.workflowId,
    step_order: task.stepOrder,
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    assigned_to: task.assignedAgentId ?? task.assignedUserId,
    assigned_to_type: task.assignedAgentId ? 'agent' : task.assignedUserId ? 'user' : null,
    created_by: task.createdByUserId ?? task.createdByAgentId,
    created_by_type: task.createdByUserId ? 'user' : task.createdByAgentId ? 'agent' : null,
    dependencies,
    required_capabilities: task.requiredCapabilities,
    result: task.result,
    attempts: task.attempts,
    max_attempts: task.maxAttempts,
    lease_expires_at: iso(task.leaseExpiresAt),
    version: task.version,
    due_date: iso(task.dueDate),
    started_at: iso(task.startedAt),
    completed_at: iso(task.completedAt),
    created_at: iso(task.createdAt) as string,
    updated_at: iso(task.updatedAt) as string,
  };
}
