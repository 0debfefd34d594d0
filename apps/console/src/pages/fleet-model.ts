import { effectiveStatus, type Agent, type AgentStatus } from '../ui/agent-liveness';
import type { Task } from '../ui/task-queries';

/** The agents shown: those reading as `status` at `now` (all without), by name. */
export function visibleAgents(
  agents: readonly Agent[],
  status: AgentStatus | null,
  now: number,
): Agent[] {
  return agents
    .filter((agent) => status === null || effectiveStatus(agent, now) === status)
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** Tasks by the agent they are assigned to (tasks assigned to users or to no one are left out). */
export function tasksByAgent(tasks: readonly Task[]): Map<string, Task[]> {
  const byAgent = new Map<string, Task[]>();
  for (const task of tasks) {
    if (task.assigned_to_type !== 'agent' || !task.assigned_to) continue;
    const list = byAgent.get(task.assigned_to) ?? [];
    list.push(task);
    byAgent.set(task.assigned_to, list);
  }
  return byAgent;
}

/**
 * The agents whose capabilities may have learned since the last reading: those that held a
 * task in progress that is no longer in progress (it ended, and confidence moves with its
 * outcome).
 */
export function agentsWithFinishedWork(
  before: ReadonlyMap<string, string>,
  now: readonly Task[],
): string[] {
  const still = new Set(now.map((t) => t.id));
  const agents = new Set<string>();
  for (const [taskId, agentId] of before) if (!still.has(taskId)) agents.add(agentId);
  return [...agents];
}

/** Task id → agent id of the tasks in progress assigned to agents. */
export function holders(tasks: readonly Task[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const task of tasks)
    if (task.assigned_to_type === 'agent' && task.assigned_to) map.set(task.id, task.assigned_to);
  return map;
}

/** A confidence score (0–1) as a whole percentage. */
export const percent = (score: number): string => `${Math.round(score * 100)}%`;

/** `anthropic / claude-sonnet-4`, either alone, or nothing. */
export function modelLabel(agent: Pick<Agent, 'model_provider' | 'model_name'>): string {
  return [agent.model_provider, agent.model_name].filter(Boolean).join(' / ');
}
