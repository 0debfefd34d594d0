import { useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { Empty, ErrorNotice, Loading, Pager, StatusBadge, Time } from '../ui/components';
import { useDebouncedParam } from '../ui/search-params';
import { statusLabel, statusTone } from '../ui/status';
import { useProjectStats } from '../ui/task-queries';
import {
  EXECUTION_STATUSES,
  WORKFLOW_STATUSES,
  durationLabel,
  progressLabel,
  shortId,
  type Execution,
  type ExecutionStatus,
  type Workflow,
} from '../ui/workflow-model';
import {
  EXECUTIONS_PAGE_SIZE,
  WORKFLOWS_PAGE_SIZE,
  executionListQuery,
  useListParam,
  workflowListQuery,
  workflowsViewFromParams,
} from '../ui/workflow-params';
import { useProjectExecutions, useWorkflowList, useWorkflowsById } from '../ui/workflow-queries';
import './workflows.css';

/** The project's workflow definitions, and its executions, newest first. */
export function WorkflowsPage() {
  const { projectId = '' } = useParams();
  const [params] = useSearchParams();
  const view = workflowsViewFromParams(params);
  const [search, setSearch] = useDebouncedParam('q');
  const [tagText, setTagText] = useDebouncedParam('tag');
  const [, setStatus] = useListParam('status');
  const [, setOffset] = useListParam('offset');

  const workflows = useWorkflowList(workflowListQuery(projectId, view));
  const filtered = Boolean(view.q || view.status || view.tag);

  return (
    <div className="workflows-page">
      <h1>Workflows</h1>

      <section aria-labelledby="definitions-heading">
        <h2 id="definitions-heading">Definitions</h2>
        <div className="toolbar" role="search" aria-label="Definitions">
          <label>
            Search
            <input
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="Name or description"
              size={26}
            />
          </label>
          <label>
            Status
            <select value={view.status ?? ''} onChange={(e) => setStatus(e.target.value || null)}>
              <option value="">Any</option>
              {WORKFLOW_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {statusLabel(s)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Tag
            <input
              type="text"
              value={tagText}
              onChange={(e) => setTagText(e.target.value)}
              placeholder="e.g. nightly"
              size={14}
            />
          </label>
        </div>

        <ErrorNotice error={workflows.error} />
        {workflows.isPending && <Loading what="workflows" />}
        {workflows.data && workflows.data.items.length === 0 && (
          <Empty>
            {filtered
              ? 'No workflow matches.'
              : 'No workflows in this project yet: define one with POST /api/v1/workflows.'}
          </Empty>
        )}
        {workflows.data && workflows.data.items.length > 0 && (
          <>
            <WorkflowTable workflows={workflows.data.items} />
            {workflows.data.total > WORKFLOWS_PAGE_SIZE && (
              <Pager
                offset={view.offset}
                limit={WORKFLOWS_PAGE_SIZE}
                total={workflows.data.total}
                onOffset={setOffset}
              />
            )}
          </>
        )}
      </section>

      <ProjectExecutions
        projectId={projectId}
        status={view.executionStatus}
        offset={view.executionOffset}
      />
    </div>
  );
}

export function WorkflowTable({ workflows }: { workflows: readonly Workflow[] }) {
  const { projectId = '' } = useParams();
  return (
    <div className="table-scroll">
      <table className="workflows-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Version</th>
            <th scope="col">Steps</th>
            <th scope="col">Tags</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {workflows.map((w) => (
            <tr key={w.id} data-workflow-id={w.id}>
              <td>
                <Link to={`/projects/${projectId}/workflows/${w.id}`} className="wf-name">
                  {w.name}
                </Link>
                {w.description && <div className="wf-description muted">{w.description}</div>}
              </td>
              <td>
                <StatusBadge status={w.status} />
              </td>
              <td>v{w.version}</td>
              <td>{w.definition.steps.length}</td>
              <td>
                <Tags tags={w.tags} />
              </td>
              <td>
                <Time value={w.updated_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Tags({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="wf-tags" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag}>{tag}</li>
      ))}
    </ul>
  );
}

/** Buttons that filter executions by status, each with the project's count. */
export function ExecutionStatusFilter({
  status,
  counts,
  onStatus,
}: {
  status: ExecutionStatus | undefined;
  counts?: { total: number; by_status?: Record<ExecutionStatus, number> };
  onStatus(status: ExecutionStatus | null): void;
}) {
  return (
    <ul className="wf-status-filter" aria-label="Executions by status">
      <li>
        <button type="button" aria-pressed={!status} onClick={() => onStatus(null)}>
          all{counts && <span className="wf-count">{counts.total}</span>}
        </button>
      </li>
      {EXECUTION_STATUSES.map((s) => (
        <li key={s}>
          <button
            type="button"
            aria-pressed={status === s}
            onClick={() => onStatus(status === s ? null : s)}
            className={`tone-${statusTone(s)}`}
            data-filter-status={s}
          >
            <span className="wf-dot" aria-hidden="true" />
            {statusLabel(s)}
            {counts?.by_status && <span className="wf-count">{counts.by_status[s]}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}

function ProjectExecutions({
  projectId,
  status,
  offset,
}: {
  projectId: string;
  status: ExecutionStatus | undefined;
  offset: number;
}) {
  const [, setStatus] = useListParam('estatus');
  const [, setOffset] = useListParam('eoffset');
  const executions = useProjectExecutions(executionListQuery(projectId, status, offset));
  const stats = useProjectStats(projectId);
  const ids = useMemo(
    () => [...new Set((executions.data?.items ?? []).map((e) => e.workflow_id))],
    [executions.data],
  );
  const names = useWorkflowsById(ids);

  return (
    <section aria-labelledby="executions-heading">
      <h2 id="executions-heading">Recent executions</h2>
      <ExecutionStatusFilter
        status={status}
        counts={stats.data?.executions}
        onStatus={(s) => setStatus(s)}
      />
      <ErrorNotice error={executions.error} />
      {executions.isPending && <Loading what="executions" />}
      {executions.data && executions.data.items.length === 0 && (
        <Empty>
          {status
            ? `No ${statusLabel(status)} execution.`
            : 'No executions yet: open a workflow and start one.'}
        </Empty>
      )}
      {executions.data && executions.data.items.length > 0 && (
        <>
          <ExecutionTable
            executions={executions.data.items}
            workflowName={(id) => names.get(id)?.name}
          />
          {executions.data.total > EXECUTIONS_PAGE_SIZE && (
            <Pager
              offset={offset}
              limit={EXECUTIONS_PAGE_SIZE}
              total={executions.data.total}
              onOffset={setOffset}
            />
          )}
        </>
      )}
    </section>
  );
}

/**
 * Executions, newest first: each links to its page; with `workflowName`, the workflow's
 * name links to the workflow.
 */
export function ExecutionTable({
  executions,
  workflowName,
}: {
  executions: readonly Execution[];
  workflowName?(id: string): string | undefined;
}) {
  const { projectId = '' } = useParams();
  const base = `/projects/${projectId}`;
  return (
    <div className="table-scroll">
      <table className="executions-table">
        <thead>
          <tr>
            <th scope="col">Execution</th>
            {workflowName && <th scope="col">Workflow</th>}
            <th scope="col">Status</th>
            <th scope="col">Steps</th>
            <th scope="col">Started</th>
            <th scope="col">Took</th>
          </tr>
        </thead>
        <tbody>
          {executions.map((e) => (
            <tr key={e.id} data-execution-id={e.id}>
              <td>
                <Link to={`${base}/executions/${e.id}`} className="wf-id" title={e.id}>
                  {shortId(e.id)}
                </Link>
                <span className="muted"> · v{e.workflow_version}</span>
              </td>
              {workflowName && (
                <td>
                  <Link to={`${base}/workflows/${e.workflow_id}`}>
                    {workflowName(e.workflow_id) ?? shortId(e.workflow_id)}
                  </Link>
                </td>
              )}
              <td>
                <StatusBadge status={e.status} />
              </td>
              <td>
                <StepDots steps={e.steps} />
                <div className="muted wf-progress">{progressLabel(e.steps)}</div>
                {e.error_message && <div className="wf-error">{e.error_message}</div>}
              </td>
              <td>
                <Time value={e.started_at} />
              </td>
              <td>{e.status === 'running' ? '—' : durationLabel(e.started_at, e.completed_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const MAX_DOTS = 40;

/** One dot per step (the first 40), coloured by its status (the words are in the progress next to it). */
export function StepDots({ steps }: { steps: Execution['steps'] }) {
  return (
    <span className="wf-step-dots" aria-hidden="true">
      {steps.slice(0, MAX_DOTS).map((s) => (
        <span key={s.key} className={`wf-dot tone-${statusTone(s.status)}`} title={s.key} />
      ))}
    </span>
  );
}
