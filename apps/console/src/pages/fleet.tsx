import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { Link, useParams } from 'react-router';
import { Empty, ErrorNotice, Loading, StatusBadge } from '../ui/components';
import { Ago } from '../ui/agent-ago';
import {
  AGENT_STATUSES,
  countByStatus,
  effectiveStatus,
  heartbeatExpiry,
  relativeTime,
  useLivenessClock,
  useSecondTick,
  type Agent,
  type AgentStatus,
} from '../ui/agent-liveness';
import { useAgentCapabilities, useAgents, type AgentCapabilities } from '../ui/agent-queries';
import { useDebouncedParam, useParam } from '../ui/search-params';
import { LeaseLeft } from '../ui/task-lease';
import { useAllTasksWithStatus, type Task } from '../ui/task-queries';
import { statusLabel, statusTone } from '../ui/status';
import {
  agentsWithFinishedWork,
  holders,
  modelLabel,
  percent,
  tasksByAgent,
  visibleAgents,
} from './fleet-model';
import './fleet.css';

/** The project's agents: who is alive, what each can do and how well, what each is doing. */
export function FleetPage() {
  const { projectId = '' } = useParams();
  const queryClient = useQueryClient();
  const [search, setSearch] = useDebouncedParam('q');
  const [q] = useParam('q');
  const [statusParam, setStatus] = useParam('status');
  const status = AGENT_STATUSES.find((s) => s === statusParam) ?? null;

  // The whole fleet, for the counts; the search's matches, for the table.
  const fleet = useAgents(projectId);
  const matches = useAgents(projectId, q || undefined);
  const working = useAllTasksWithStatus(projectId, 'in_progress');

  // No event says that a heartbeat ran out: read the fleet again just before it does and
  // when it does, and read statuses at the clock's time.
  const refresh = useCallback(
    () => void queryClient.invalidateQueries({ queryKey: ['agents', projectId] }),
    [queryClient, projectId],
  );
  const now = useLivenessClock(fleet.data, refresh);

  const shown = useMemo(
    () => visibleAgents(matches.data ?? [], status, now),
    [matches.data, status, now],
  );
  const capabilities = useAgentCapabilities(useMemo(() => shown.map((a) => a.id), [shown]));
  const byAgent = useMemo(() => tasksByAgent(working.data ?? []), [working.data]);
  useRelearnedCapabilities(working.data);

  const counts = fleet.data ? countByStatus(fleet.data, now) : null;
  return (
    <div className="fleet">
      <div className="page-head">
        <h1>Fleet</h1>
        {counts && (
          <p className="muted">
            {plural(fleet.data?.length ?? 0, 'agent')} · {plural(working.data?.length ?? 0, 'task')}{' '}
            in progress
          </p>
        )}
      </div>

      {counts && (
        <ul className="fleet-summary" aria-label="Agents by status">
          <li>
            <button
              type="button"
              aria-pressed={status === null}
              onClick={() => setStatus(null)}
              className="fleet-count"
            >
              <span className="fleet-count-n">{fleet.data?.length ?? 0}</span>
              <span className="fleet-count-label">all</span>
            </button>
          </li>
          {AGENT_STATUSES.map((s) => (
            <li key={s}>
              <button
                type="button"
                aria-pressed={status === s}
                onClick={() => setStatus(status === s ? null : s)}
                className={`fleet-count tone-${statusTone(s)}`}
                data-count-status={s}
              >
                <span className="fleet-count-n">{counts[s]}</span>
                <span className="fleet-count-label">
                  <StatusDot status={s} /> {statusLabel(s)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}

      <div className="toolbar" role="search">
        <label>
          Search
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Name, nickname or capability"
            size={30}
          />
        </label>
        <label>
          Status
          <select value={status ?? ''} onChange={(e) => setStatus(e.target.value || null)}>
            <option value="">Any</option>
            {AGENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
      </div>

      <ErrorNotice error={fleet.error ?? matches.error} />
      <ErrorNotice error={working.error ?? capabilities.error} />
      {matches.isPending && <Loading what="agents" />}
      {matches.data && shown.length === 0 && (
        <Empty>
          {fleet.data?.length === 0
            ? 'No agents in this project yet: create one with POST /api/v1/agents.'
            : 'No agent matches.'}
        </Empty>
      )}
      {shown.length > 0 && (
        <FleetTable agents={shown} now={now} capabilities={capabilities.byAgent} tasks={byAgent} />
      )}
    </div>
  );
}

/**
 * Confidence learns when a task ends: when a task in progress leaves the list, its agent's
 * capabilities are read again.
 */
function useRelearnedCapabilities(working: Task[] | undefined) {
  const queryClient = useQueryClient();
  const before = useRef<Map<string, string> | null>(null);
  useEffect(() => {
    if (!working) return;
    if (before.current)
      for (const agentId of agentsWithFinishedWork(before.current, working))
        void queryClient.invalidateQueries({ queryKey: ['capabilities', agentId] });
    before.current = holders(working);
  }, [working, queryClient]);
}

function StatusDot({ status }: { status: AgentStatus }) {
  return <span className={`fleet-dot tone-${statusTone(status)}`} aria-hidden="true" />;
}

export function FleetTable({
  agents,
  now,
  capabilities,
  tasks,
}: {
  agents: readonly Agent[];
  /** When statuses are read (the liveness clock). */
  now: number;
  capabilities: ReadonlyMap<string, AgentCapabilities>;
  tasks: ReadonlyMap<string, Task[]>;
}) {
  return (
    <div className="table-scroll">
      <table className="fleet-table">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Status</th>
            <th scope="col">Last heartbeat</th>
            <th scope="col">Capabilities</th>
            <th scope="col">In progress</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => (
            <AgentRow
              key={agent.id}
              agent={agent}
              status={effectiveStatus(agent, now)}
              capabilities={capabilities.get(agent.id)}
              tasks={tasks.get(agent.id) ?? []}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AgentRow({
  agent,
  status,
  capabilities,
  tasks,
}: {
  agent: Agent;
  status: AgentStatus;
  capabilities: AgentCapabilities | undefined;
  tasks: Task[];
}) {
  const model = modelLabel(agent);
  return (
    <tr data-agent-id={agent.id} className={status === 'offline' ? 'fleet-row-offline' : ''}>
      <th scope="row" className="fleet-agent">
        <span className="fleet-name">{agent.name}</span>
        {agent.nickname && <span className="fleet-nickname"> “{agent.nickname}”</span>}
        {!agent.is_active && <span className="fleet-tag">inactive</span>}
        <span className="fleet-meta muted">
          {agent.agent_type}
          {model && ` · ${model}`}
        </span>
      </th>
      <td data-label="Status">
        <StatusBadge status={status} />
      </td>
      <td data-label="Last heartbeat">
        <Ago value={agent.last_heartbeat} empty="never" />
        {status !== 'offline' && <ExpiresIn agent={agent} />}
      </td>
      <td data-label="Capabilities">
        <CapabilityList agent={agent} details={capabilities} />
      </td>
      <td data-label="In progress">
        {tasks.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="fleet-tasks">
            {tasks.map((task) => (
              <li key={task.id}>
                <Link to={`/projects/${task.project_id}/queue/${task.id}`}>{task.title}</Link>
                {task.lease_expires_at && (
                  <span className="muted">
                    {' '}
                    · lease <LeaseLeft at={task.lease_expires_at} />
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

/** "offline in 42 s": how long the agent's last heartbeat still holds. */
function ExpiresIn({ agent }: { agent: Agent }) {
  const now = useSecondTick();
  const expiry = heartbeatExpiry(agent);
  if (expiry === null || expiry <= now || !agent.heartbeat_expires_at) return null;
  return (
    <span className="fleet-expires muted">
      offline {relativeTime(agent.heartbeat_expires_at, now)}
    </span>
  );
}

interface CapabilityRow {
  capability_name: string;
  confidence_score?: number;
  usage_count?: number;
  description?: string | null;
}

function CapabilityList({
  agent,
  details,
}: {
  agent: Agent;
  details: AgentCapabilities | undefined;
}) {
  if (agent.capabilities.length === 0) return <span className="muted">none</span>;
  // Until the details arrive, the names alone.
  const rows: CapabilityRow[] =
    details?.capabilities ?? agent.capabilities.map((name) => ({ capability_name: name }));
  return (
    <ul className="fleet-caps">
      {rows.map((cap) => {
        const score = cap.confidence_score ?? null;
        const uses = cap.usage_count ?? null;
        const description = cap.description ?? null;
        return (
          <li key={cap.capability_name} title={description ?? undefined}>
            <span className="fleet-cap-name">{cap.capability_name}</span>
            {score !== null && (
              <>
                <span className="fleet-bar" aria-hidden="true">
                  <span style={{ width: percent(score) }} />
                </span>
                <span className="fleet-cap-score">{percent(score)}</span>
              </>
            )}
            {uses !== null && (
              <span className="fleet-cap-uses muted">
                {uses} {uses === 1 ? 'use' : 'uses'}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
