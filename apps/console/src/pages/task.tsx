import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { useSession } from '../api/session';
import { ErrorNotice, JsonView, Loading, StatusBadge, Time } from '../ui/components';
import { Ago } from '../ui/agent-ago';
import { useSecondTick } from '../ui/agent-liveness';
import { useAgents } from '../ui/agent-queries';
import { Assignee, assigneeLabel } from '../ui/task-assignee';
import { PriorityTag } from '../ui/task-priority';
import { useTask, useTasksById, type Task } from '../ui/task-queries';
import { TaskActionsPanel } from './task-actions';
import { openDependencies } from './task-model';
import './task.css';

/** One task: every field, its dependencies, lease, result, and what may be done with it. */
export function TaskPage() {
  const { projectId = '', taskId = '' } = useParams();
  const task = useTask(taskId);
  const agents = useAgents(projectId);
  const agentsById = useMemo(
    () => new Map((agents.data ?? []).map((a) => [a.id, a])),
    [agents.data],
  );
  const queue = `/projects/${projectId}/queue`;

  return (
    <div className="task-page">
      <nav className="task-crumbs" aria-label="Breadcrumb">
        <Link to={queue}>Queue</Link> <span aria-hidden="true">/</span>{' '}
        <span className="muted">{task.data?.title ?? 'Task'}</span>
      </nav>
      <ErrorNotice error={task.error} />
      {task.isPending && <Loading what="the task" />}
      {task.data && (
        <TaskView task={task.data} agents={agentsById} agentsList={agents.data ?? []} />
      )}
    </div>
  );
}

function TaskView({
  task,
  agents,
  agentsList,
}: {
  task: Task;
  agents: ReadonlyMap<string, { name: string }>;
  agentsList: Parameters<typeof TaskActionsPanel>[0]['agents'];
}) {
  const { user } = useSession();
  const creator =
    task.created_by_type === 'agent' || task.created_by_type === 'user'
      ? assigneeLabel(
          { assigned_to: task.created_by, assigned_to_type: task.created_by_type },
          agents,
          user.id,
        )
      : null;
  return (
    <>
      <header className="task-head">
        <h1>{task.title}</h1>
        <div className="task-badges">
          <StatusBadge status={task.status} />
          <PriorityTag priority={task.priority} />
          {task.step_key && <span className="task-step-tag">step {task.step_key}</span>}
        </div>
      </header>
      <p className="task-id muted">
        <code>{task.id}</code>
      </p>

      <TaskActionsPanel task={task} agents={agentsList} />

      <div className="grid-2">
        <section className="panel" aria-labelledby="task-facts">
          <h2 id="task-facts">Details</h2>
          <dl className="facts">
            <dt>Assignee</dt>
            <dd>
              <Assignee task={task} agents={agents} />
            </dd>
            <dt>Attempts</dt>
            <dd>
              <span className={task.attempts >= task.max_attempts ? 'task-warn' : ''}>
                {task.attempts} of {task.max_attempts}
              </span>
              {task.attempts >= task.max_attempts && task.status === 'in_progress' && (
                <span className="muted"> · the last one: an expired lease fails it</span>
              )}
            </dd>
            <dt>Lease</dt>
            <dd>
              {task.lease_expires_at ? (
                <LeaseCountdown at={task.lease_expires_at} />
              ) : (
                <span className="muted">none</span>
              )}
            </dd>
            <dt>Required capabilities</dt>
            <dd>
              {task.required_capabilities.length > 0 ? (
                <ul className="task-inline-list">
                  {task.required_capabilities.map((c) => (
                    <li key={c}>
                      <code>{c}</code>
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="muted">none</span>
              )}
            </dd>
            <dt>Created</dt>
            <dd>
              <Time value={task.created_at} />
              {creator && <span className="muted"> by {creator}</span>}
            </dd>
            <dt>Started</dt>
            <dd>
              <Time value={task.started_at} />
            </dd>
            <dt>Completed</dt>
            <dd>
              <Time value={task.completed_at} />
            </dd>
            <dt>Updated</dt>
            <dd>
              <Ago value={task.updated_at} />
            </dd>
            {task.due_date && (
              <>
                <dt>Due</dt>
                <dd>
                  <Ago value={task.due_date} />
                </dd>
              </>
            )}
            <dt>Version</dt>
            <dd>{task.version}</dd>
            {task.room_id && (
              <>
                <dt>Room</dt>
                <dd>
                  <code>{task.room_id}</code>
                </dd>
              </>
            )}
          </dl>
        </section>

        <div>
          <Dependencies task={task} />
          {task.workflow_execution_id && (
            <section className="panel" aria-labelledby="task-step">
              <h2 id="task-step">Workflow step</h2>
              <dl className="facts">
                <dt>Execution</dt>
                <dd>
                  <Link
                    to={`/projects/${task.project_id}/executions/${task.workflow_execution_id}`}
                  >
                    {task.workflow_execution_id}
                  </Link>
                </dd>
                <dt>Step</dt>
                <dd>
                  <code>{task.step_key}</code>
                  {task.step_order !== null && (
                    <span className="muted"> · order {task.step_order}</span>
                  )}
                </dd>
                <dt>If a dependency fails</dt>
                <dd>{task.on_dependency_failure ?? 'cancel'}</dd>
                {task.workflow_id && (
                  <>
                    <dt>Workflow</dt>
                    <dd>
                      <Link to={`/projects/${task.project_id}/workflows/${task.workflow_id}`}>
                        definition
                      </Link>
                    </dd>
                  </>
                )}
              </dl>
            </section>
          )}
          {!task.workflow_execution_id && task.workflow_id && (
            <p className="muted">
              Of workflow{' '}
              <Link to={`/projects/${task.project_id}/workflows/${task.workflow_id}`}>
                {task.workflow_id}
              </Link>
              {task.step_order !== null && `, order ${task.step_order}`}.
            </p>
          )}
        </div>
      </div>

      <section className="panel" aria-labelledby="task-description">
        <h2 id="task-description">Description</h2>
        {task.description ? (
          <p className="task-description">{task.description}</p>
        ) : (
          <p className="muted">No description.</p>
        )}
      </section>

      <div className="grid-2">
        <section className="panel" aria-labelledby="task-inputs">
          <h2 id="task-inputs">Inputs</h2>
          {task.inputs === null && task.parts === null ? (
            <p className="muted">None.</p>
          ) : (
            <>
              {task.inputs !== null && <JsonView value={task.inputs} />}
              {task.parts !== null && (
                <>
                  <h3>Parts</h3>
                  <JsonView value={task.parts} />
                </>
              )}
            </>
          )}
        </section>
        <section className="panel" aria-labelledby="task-result">
          <h2 id="task-result">Result</h2>
          {task.result === null ? (
            <p className="muted">
              {task.status === 'completed' || task.status === 'failed'
                ? 'No result was reported.'
                : 'None yet.'}
            </p>
          ) : (
            <JsonView value={task.result} />
          )}
        </section>
      </div>
    </>
  );
}

/** The lease's end, counting down; past it, the task goes back to the queue (or fails). */
function LeaseCountdown({ at }: { at: string }) {
  const now = useSecondTick();
  return (
    <span className="task-lease">
      <Ago value={at} />
      {Date.parse(at) <= now && (
        <span className="muted"> · ran out: the platform takes it back within seconds</span>
      )}
    </span>
  );
}

function Dependencies({ task }: { task: Task }) {
  const reads = useTasksById(task.dependencies);
  const open = openDependencies(
    reads.map((r) => r.data),
    task.on_dependency_failure,
  );
  return (
    <section className="panel" aria-labelledby="task-deps">
      <h2 id="task-deps">Dependencies</h2>
      {task.dependencies.length === 0 ? (
        <p className="muted">None: it may start at once.</p>
      ) : (
        <>
          {task.status === 'pending' && (
            <p className={open > 0 ? 'task-blocked' : 'muted'}>
              {open > 0
                ? `Waiting for ${open} of ${task.dependencies.length} to ${task.on_dependency_failure === 'continue' ? 'finish' : 'complete'}.`
                : 'All done: it may start.'}
            </p>
          )}
          <ul className="task-deps">
            {task.dependencies.map((id, i) => {
              const dep = reads[i];
              return (
                <li key={id} data-dependency-id={id}>
                  {dep.data ? (
                    <>
                      <StatusBadge status={dep.data.status} />
                      <Link to={`/projects/${task.project_id}/queue/${id}`}>{dep.data.title}</Link>
                    </>
                  ) : dep.error ? (
                    <>
                      <span className="muted">{id}</span>
                      <ErrorNotice error={dep.error} />
                    </>
                  ) : (
                    <span className="muted">{id}</span>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
