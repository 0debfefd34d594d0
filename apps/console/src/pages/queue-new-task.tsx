import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState, type FormEvent } from 'react';
import { unwrap } from '../api/problem';
import { useClient } from '../api/session';
import { ErrorNotice } from '../ui/components';
import type { Agent } from '../ui/agent-liveness';
import { TASK_PRIORITIES, useTaskList, type Task, type TaskPriority } from '../ui/task-queries';
import { statusLabel } from '../ui/status';
import { EMPTY_NEW_TASK, newTaskRequest, parseList, type NewTaskForm } from './queue-form';

/** The form for a new task: POST /api/v1/tasks, the API's refusal shown as it says it. */
export function NewTaskPanel({
  projectId,
  agents,
  onCreated,
  onCancel,
}: {
  projectId: string;
  agents: readonly Agent[];
  onCreated(task: Task): void;
  onCancel(): void;
}) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<NewTaskForm>(EMPTY_NEW_TASK);
  const [problem, setProblem] = useState<string | null>(null);
  const set = <K extends keyof NewTaskForm>(key: K, value: NewTaskForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const headingId = useId();

  // Tasks to wait for: the project's latest, finished or not.
  const candidates = useTaskList({ project_id: projectId, limit: 200, sort: '-created_at' });
  const byId = useMemo(
    () => new Map((candidates.data?.items ?? []).map((t) => [t.id, t])),
    [candidates.data],
  );
  const known = useMemo(
    () => [...new Set(agents.flatMap((a) => a.capabilities))].sort().slice(0, 40),
    [agents],
  );
  const chosen = parseList(form.capabilities);

  const create = useMutation({
    mutationFn: (body: NonNullable<ReturnType<typeof newTaskRequest>['body']>) =>
      unwrap(client.POST('/api/v1/tasks', { body })),
    onSuccess: (task) => {
      void queryClient.invalidateQueries({ queryKey: ['tasks'] });
      void queryClient.invalidateQueries({ queryKey: ['stats'] });
      setForm(EMPTY_NEW_TASK);
      onCreated(task);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const request = newTaskRequest(projectId, form);
    setProblem(request.problem ?? null);
    if (request.body) create.mutate(request.body);
  };

  const toggleCapability = (name: string) => {
    const next = chosen.includes(name) ? chosen.filter((c) => c !== name) : [...chosen, name];
    set('capabilities', next.join(', '));
  };

  return (
    <section className="panel queue-new" aria-labelledby={headingId}>
      <h2 id={headingId}>New task</h2>
      <form onSubmit={submit} className="queue-form">
        <label className="queue-wide">
          Title
          <input
            value={form.title}
            onChange={(e) => set('title', e.target.value)}
            required
            maxLength={500}
          />
        </label>
        <label className="queue-wide">
          Description
          <textarea
            value={form.description}
            onChange={(e) => set('description', e.target.value)}
            rows={3}
          />
        </label>
        <label>
          Priority
          <select
            value={form.priority}
            onChange={(e) => set('priority', e.target.value as TaskPriority)}
          >
            {TASK_PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Max attempts
          <input
            type="number"
            min={1}
            max={100}
            value={form.maxAttempts}
            onChange={(e) => set('maxAttempts', e.target.value)}
            className="queue-narrow"
          />
        </label>
        <div className="queue-wide">
          <label>
            Required capabilities (comma list)
            <input
              value={form.capabilities}
              onChange={(e) => set('capabilities', e.target.value)}
              placeholder="build, typescript"
            />
          </label>
          {known.length > 0 && (
            <div className="queue-chips" role="group" aria-label="Capabilities agents have">
              {known.map((name) => (
                <button
                  key={name}
                  type="button"
                  className="chip"
                  aria-pressed={chosen.includes(name)}
                  onClick={() => toggleCapability(name)}
                >
                  {name}
                </button>
              ))}
            </div>
          )}
        </div>
        <div className="queue-wide">
          <label>
            Dependencies
            <select
              value=""
              onChange={(e) => {
                const id = e.target.value;
                if (id && !form.dependencies.includes(id))
                  set('dependencies', [...form.dependencies, id]);
              }}
            >
              <option value="">Add a task to wait for…</option>
              {(candidates.data?.items ?? [])
                .filter((t) => !form.dependencies.includes(t.id))
                .map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.title} ({statusLabel(t.status)})
                  </option>
                ))}
            </select>
          </label>
          {form.dependencies.length > 0 && (
            <ul className="queue-deps">
              {form.dependencies.map((id) => (
                <li key={id}>
                  <span>{byId.get(id)?.title ?? id}</span>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() =>
                      set(
                        'dependencies',
                        form.dependencies.filter((d) => d !== id),
                      )
                    }
                    aria-label={`Remove dependency ${byId.get(id)?.title ?? id}`}
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          <label>
            …or paste task ids
            <input
              value={form.pastedDependencies}
              onChange={(e) => set('pastedDependencies', e.target.value)}
              placeholder="3f2a…, 9c1b…"
            />
          </label>
        </div>
        <label className="queue-check queue-wide">
          <input
            type="checkbox"
            checked={form.autoAssign}
            onChange={(e) => set('autoAssign', e.target.checked)}
          />
          <span>
            Assign automatically{' '}
            <span className="muted">
              — to the online agent with these capabilities most likely to succeed
            </span>
          </span>
        </label>
        <div className="queue-wide">
          {problem && (
            <div className="notice notice-error" role="alert">
              {problem}
            </div>
          )}
          <ErrorNotice error={create.error} />
          <div className="queue-actions">
            <button type="submit" className="primary" disabled={create.isPending}>
              {create.isPending ? 'Creating…' : 'Create task'}
            </button>
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </div>
      </form>
    </section>
  );
}
