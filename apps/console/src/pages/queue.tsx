import { useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { Empty, ErrorNotice, Loading, Pager, StatusBadge } from '../ui/components';
import { Ago } from '../ui/agent-ago';
import { useAgents } from '../ui/agent-queries';
import { queueViewFromParams, SORT_LABELS, taskListQuery, TASK_SORTS } from '../ui/queue-params';
import { useDebouncedParam, withParam } from '../ui/search-params';
import { Assignee } from '../ui/task-assignee';
import { LeaseLeft } from '../ui/task-lease';
import { PriorityTag } from '../ui/task-priority';
import {
  TASK_PRIORITIES,
  TASK_STATUSES,
  useProjectStats,
  useTaskList,
  type Task,
} from '../ui/task-queries';
import { statusLabel, statusTone } from '../ui/status';
import { NewTaskPanel } from './queue-new-task';
import './queue.css';

/** The project's tasks: filter, search, sort, page; create one. */
export function QueuePage() {
  const { projectId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const view = queueViewFromParams(params);
  const [search, setSearch] = useDebouncedParam('q');
  const list = useTaskList(taskListQuery(projectId, view));
  const stats = useProjectStats(projectId);
  const agents = useAgents(projectId);
  const agentsById = useMemo(
    () => new Map((agents.data ?? []).map((a) => [a.id, a])),
    [agents.data],
  );
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Task | null>(null);

  const set = (name: string, value: string | number | null) =>
    setParams((current) => withParam(current, name, value), { replace: name !== 'offset' });

  const byStatus = stats.data?.tasks.by_status;
  const filtered = Boolean(view.status || view.priority || view.q);
  return (
    <div className="queue">
      <div className="queue-head">
        <h1>Queue</h1>
        <button
          type="button"
          className="primary"
          aria-expanded={creating}
          onClick={() => {
            setCreating((c) => !c);
            setCreated(null);
          }}
        >
          New task
        </button>
      </div>

      {created && (
        <div className="notice" role="status">
          Created <Link to={created.id}>{created.title}</Link>
          {created.assigned_to && (
            <>
              {' '}
              — assigned to <Assignee task={created} agents={agentsById} />
            </>
          )}
          .
        </div>
      )}
      {creating && (
        <NewTaskPanel
          projectId={projectId}
          agents={agents.data ?? []}
          onCreated={(task) => {
            setCreated(task);
            setCreating(false);
          }}
          onCancel={() => setCreating(false)}
        />
      )}

      {byStatus && (
        <ul className="queue-counts" aria-label="Tasks by status">
          <li>
            <button type="button" aria-pressed={!view.status} onClick={() => set('status', null)}>
              <span className="queue-count-n">{stats.data?.tasks.total}</span> all
            </button>
          </li>
          {TASK_STATUSES.map((s) => (
            <li key={s}>
              <button
                type="button"
                aria-pressed={view.status === s}
                onClick={() => set('status', view.status === s ? null : s)}
                data-count-status={s}
              >
                <span className={`queue-dot tone-${statusTone(s)}`} aria-hidden="true" />
                <span className="queue-count-n">{byStatus[s]}</span> {statusLabel(s)}
              </button>
            </li>
          ))}
        </ul>
      )}

      <div className="toolbar" role="search">
        <label className="queue-search">
          Search
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder='Title and description: deploy, "exact phrase", -word'
          />
        </label>
        <label>
          Status
          <select value={view.status ?? ''} onChange={(e) => set('status', e.target.value)}>
            <option value="">Any</option>
            {TASK_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <select value={view.priority ?? ''} onChange={(e) => set('priority', e.target.value)}>
            <option value="">Any</option>
            {TASK_PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort
          <select value={view.sort ?? ''} onChange={(e) => set('sort', e.target.value)}>
            <option value="">{view.q ? 'Best match' : SORT_LABELS['-created_at']}</option>
            {TASK_SORTS.filter((s) => view.q || s !== '-created_at').map((s) => (
              <option key={s} value={s}>
                {SORT_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button type="button" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            Clear filters
          </button>
        )}
      </div>

      <ErrorNotice error={list.error} />
      <ErrorNotice error={stats.error ?? agents.error} />
      {list.isPending && <Loading what="tasks" />}
      {list.data && list.data.items.length === 0 && (
        <Empty>
          {filtered ? 'No task matches.' : 'The queue is empty: create a task with “New task”.'}
        </Empty>
      )}
      {list.data && list.data.items.length > 0 && (
        <>
          <div className={`table-scroll${list.isPlaceholderData ? ' queue-stale' : ''}`}>
            <table className="queue-table">
              <thead>
                <tr>
                  <th scope="col">Title</th>
                  <th scope="col">Status</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Assignee</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Lease</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((task) => (
                  <tr key={task.id} data-task-id={task.id}>
                    <td className="queue-title">
                      <Link to={task.id}>{task.title}</Link>
                      {(task.required_capabilities.length > 0 || task.step_key) && (
                        <span className="queue-sub muted">
                          {task.step_key && `step ${task.step_key}`}
                          {task.step_key && task.required_capabilities.length > 0 && ' · '}
                          {task.required_capabilities.join(', ')}
                        </span>
                      )}
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={task.status} />
                    </td>
                    <td data-label="Priority">
                      <PriorityTag priority={task.priority} />
                    </td>
                    <td data-label="Assignee">
                      <Assignee task={task} agents={agentsById} />
                    </td>
                    <td data-label="Attempts" className="queue-num">
                      {task.attempts}/{task.max_attempts}
                    </td>
                    <td data-label="Lease">
                      {task.lease_expires_at ? (
                        <LeaseLeft at={task.lease_expires_at} />
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td data-label="Updated">
                      <Ago value={task.updated_at} exact={false} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            offset={view.offset}
            limit={list.data.limit}
            total={list.data.total}
            onOffset={(offset) => set('offset', offset)}
          />
        </>
      )}
    </div>
  );
}
