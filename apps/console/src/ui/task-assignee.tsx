import { Link } from 'react-router';
import { useSession } from '../api/session';
import type { Agent } from './agent-liveness';
import type { Task } from './task-queries';

/** Who a task is assigned to, as words: the agent's name, "you", or the user's id. */
export function assigneeLabel(
  task: Pick<Task, 'assigned_to' | 'assigned_to_type'>,
  agents: ReadonlyMap<string, Pick<Agent, 'name'>>,
  myUserId: string,
): string | null {
  if (!task.assigned_to) return null;
  if (task.assigned_to_type === 'agent')
    return agents.get(task.assigned_to)?.name ?? `agent ${task.assigned_to.slice(0, 8)}`;
  if (task.assigned_to === myUserId) return 'you';
  return `user ${task.assigned_to.slice(0, 8)}`;
}

/** The assignee of a task; an agent links to the fleet, filtered to find it. */
export function Assignee({
  task,
  agents,
}: {
  task: Pick<Task, 'assigned_to' | 'assigned_to_type' | 'project_id'>;
  agents: ReadonlyMap<string, Pick<Agent, 'name'>>;
}) {
  const { user } = useSession();
  const label = assigneeLabel(task, agents, user.id);
  if (!label) return <span className="muted">unassigned</span>;
  if (task.assigned_to_type === 'agent' && agents.has(task.assigned_to ?? ''))
    return (
      <Link to={`/projects/${task.project_id}/fleet?q=${encodeURIComponent(label)}`}>{label}</Link>
    );
  return <span title={task.assigned_to ?? undefined}>{label}</span>;
}
