import type { components } from '@agenthub/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError, unwrap } from '../api/problem';
import { useClient, useSession } from '../api/session';
import { ErrorNotice } from '../ui/components';
import { effectiveStatus, useSecondTick, type Agent } from '../ui/agent-liveness';
import type { Task } from '../ui/task-queries';
import { statusLabel } from '../ui/status';
import { taskActions } from './task-model';

type AssignBody = components['schemas']['AssignTaskDto'];

/** The select's value for "let AgentHub pick". */
const AUTO = 'auto';
const ME = 'me';

/** The assign request for what the select says: `auto`, `me`, or an agent's id. */
export function assignBody(choice: string, myUserId: string): AssignBody {
  if (choice === AUTO) return { auto: true };
  if (choice === ME) return { assigned_to: myUserId, assigned_to_type: 'user' };
  return { assigned_to: choice, assigned_to_type: 'agent' };
}

/** What a 409 means for the operator, in the API's words plus what to do next. */
function conflictHint(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.code === 'TASK.VERSION_CONFLICT')
    return 'The task changed since this page read it; it has been read again. Check it and try again.';
  return null;
}

/**
 * The actions the lifecycle allows now: assign (an agent, the best one, or oneself),
 * unassign, cancel, reopen, delete. Each is a request of its own; its refusal is shown as
 * the API words it.
 */
export function TaskActionsPanel({ task, agents }: { task: Task; agents: readonly Agent[] }) {
  const { user } = useSession();
  const client = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const allowed = taskActions(task);
  const [choice, setChoice] = useState(AUTO);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['task', task.id] });
    void queryClient.invalidateQueries({ queryKey: ['tasks'] });
    void queryClient.invalidateQueries({ queryKey: ['stats'] });
  };
  const onError = (error: unknown) => {
    // A conflict means what this page shows is stale: read it again.
    if (error instanceof ApiError && error.status === 409) refresh();
  };

  const assign = useMutation({
    mutationFn: (body: AssignBody) =>
      unwrap(client.POST('/api/v1/tasks/{id}/assign', { params: { path: { id: task.id } }, body })),
    onSuccess: refresh,
    onError,
  });
  const setStatus = useMutation({
    mutationFn: (status: 'cancelled' | 'pending') =>
      unwrap(
        client.PATCH('/api/v1/tasks/{id}', {
          params: { path: { id: task.id } },
          // The version read: a change made meanwhile is refused, not overwritten.
          body: { status, version: task.version },
        }),
      ),
    onSuccess: refresh,
    onError,
  });
  const remove = useMutation({
    mutationFn: (force: boolean) =>
      unwrap(
        client.DELETE('/api/v1/tasks/{id}', {
          params: { path: { id: task.id }, query: force ? { force: true } : {} },
        }),
      ),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: ['task', task.id] });
      void queryClient.invalidateQueries({ queryKey: ['tasks'] });
      void queryClient.invalidateQueries({ queryKey: ['stats'] });
      void navigate(`/projects/${task.project_id}/queue`);
    },
  });

  const error = assign.error ?? setStatus.error ?? remove.error;
  const hasDependents =
    remove.error instanceof ApiError && remove.error.code === 'TASK.HAS_DEPENDENTS';
  const reset = () => {
    assign.reset();
    setStatus.reset();
    remove.reset();
  };
  const submitAssign = (event: FormEvent) => {
    event.preventDefault();
    reset();
    assign.mutate(assignBody(choice, user.id));
  };
  const busy = assign.isPending || setStatus.isPending || remove.isPending;
  const now = useSecondTick();
  const candidates = agents.filter((a) => a.is_active).sort((a, b) => a.name.localeCompare(b.name));

  return (
    <section className="task-actions" aria-label="Actions">
      {allowed.assign && (
        <form className="task-assign" onSubmit={submitAssign}>
          <label>
            Assign to
            <select value={choice} onChange={(e) => setChoice(e.target.value)}>
              <option value={AUTO}>Auto — best agent</option>
              <option value={ME}>Me ({user.name})</option>
              <optgroup label="Agents">
                {candidates.map((agent) => (
                  <option key={agent.id} value={agent.id}>
                    {agent.name} ({statusLabel(effectiveStatus(agent, now))})
                  </option>
                ))}
              </optgroup>
            </select>
          </label>
          <button type="submit" disabled={busy}>
            Assign
          </button>
        </form>
      )}
      <div className="task-buttons">
        {allowed.unassign && (
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              reset();
              assign.mutate({ assigned_to: null });
            }}
          >
            Unassign
          </button>
        )}
        {allowed.cancel && (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => {
              reset();
              setStatus.mutate('cancelled');
            }}
          >
            Cancel task
          </button>
        )}
        {allowed.reopen && (
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              reset();
              setStatus.mutate('pending');
            }}
          >
            Reopen
          </button>
        )}
        {allowed.retryExecution && task.workflow_execution_id && (
          <span className="muted task-note">
            A workflow step is not reopened on its own:{' '}
            <Link to={`/projects/${task.project_id}/executions/${task.workflow_execution_id}`}>
              retry its execution
            </Link>
            .
          </span>
        )}
        {allowed.delete && !confirmDelete && (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => {
              reset();
              setConfirmDelete(true);
            }}
          >
            Delete…
          </button>
        )}
      </div>
      {confirmDelete && (
        <div className="notice task-confirm" role="group" aria-label="Confirm delete">
          <span>Delete this task for good?</span>
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => remove.mutate(hasDependents)}
          >
            {hasDependents ? 'Delete anyway' : 'Delete task'}
          </button>
          <button
            type="button"
            onClick={() => {
              setConfirmDelete(false);
              remove.reset();
            }}
          >
            Keep it
          </button>
        </div>
      )}
      <ErrorNotice error={error} />
      {conflictHint(error) && <p className="muted">{conflictHint(error)}</p>}
      {hasDependents && (
        <p className="muted">
          “Delete anyway” deletes it and removes it from the dependencies of the tasks named above.
        </p>
      )}
    </section>
  );
}
