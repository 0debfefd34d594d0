import type { TaskOutcome } from '@agenthub/performance';
import type { Task } from './entities/task.entity';

/**
 * What a task that just ended under `agentId` tells the performance recorder: completed is a
 * success, failed a failure; a cancelled task says nothing about its agent (null). The
 * duration runs from started_at (the last start) to completed_at.
 */
export function outcomeOf(task: Task, agentId: string | null): TaskOutcome | null {
  if (!agentId || (task.status !== 'completed' && task.status !== 'failed')) return null;
  const duration =
    task.startedAt && task.completedAt
      ? Math.max(0, new Date(task.completedAt).getTime() - new Date(task.startedAt).getTime()) /
        1000
      : null;
  return {
    taskId: task.id,
    projectId: task.projectId,
    agentId,
    workflowId: task.workflowId,
    succeeded: task.status === 'completed',
    durationSeconds: duration,
    attempts: task.attempts,
    capabilities: task.requiredCapabilities,
  };
}
