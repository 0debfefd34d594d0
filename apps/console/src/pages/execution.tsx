import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { unwrap } from '../api/problem';
import { useClient, useSession } from '../api/session';
import { Empty, ErrorNotice, JsonView, Loading, StatusBadge, Time } from '../ui/components';
import { StepGraph } from '../ui/step-graph';
import { useTask } from '../ui/task-queries';
import {
  canCancel,
  canRetry,
  currentStep,
  durationLabel,
  executionGraphSteps,
  progressLabel,
  shortId,
  type Execution,
  type GraphStep,
} from '../ui/workflow-model';
import { useListParam } from '../ui/workflow-params';
import { useAgentName } from '../ui/agent-queries';
import { useExecution, useWorkflow } from '../ui/workflow-queries';
import { policyLabel } from './workflow';
import { StepDots } from './workflows';
import './workflows.css';
import './workflow.css';
import './execution.css';

/** One execution: its status, its steps as a graph that follows them live, cancel and retry. */
export function ExecutionPage() {
  const { projectId = '', executionId = '' } = useParams();
  const [stepParam, setStep] = useListParam('step');
  const execution = useExecution(executionId);
  const data = execution.data;
  // The version it runs gives the steps' titles and what each waits for.
  const workflow = useWorkflow(data?.workflow_id, data?.workflow_version);
  const definition = workflow.data?.version === data?.workflow_version ? workflow.data : undefined;
  const steps = useMemo(
    () => (data ? executionGraphSteps(data.steps, definition?.definition) : []),
    [data, definition],
  );
  const selected = steps.find((s) => s.key === stepParam) ?? null;

  if (execution.isPending) return <Loading what="the execution" />;
  if (!data) return <ErrorNotice error={execution.error} />;

  const base = `/projects/${projectId}`;
  const current = currentStep(data);
  const currentTitle = current && steps.find((s) => s.key === current.key)?.title;

  return (
    <div className="execution-page">
      <p className="wf-crumbs">
        <Link to={`${base}/workflows`}>Workflows</Link> /{' '}
        <Link to={`${base}/workflows/${data.workflow_id}`}>
          {workflow.data?.name ?? 'workflow'}
        </Link>{' '}
        /
      </p>
      <header className="wf-head" data-execution-status={data.status}>
        <h1>
          Execution <span className="wf-id">{shortId(data.id)}</span>
        </h1>
        <StatusBadge status={data.status} />
        <ExecutionActions execution={data} />
      </header>
      <ErrorNotice error={execution.error} />
      <ErrorNotice error={workflow.error} />
      {data.error_message && (
        <p className="notice notice-error wf-execution-error">{data.error_message}</p>
      )}

      <dl className="facts wf-execution-facts">
        <dt>Workflow</dt>
        <dd>
          <Link to={`${base}/workflows/${data.workflow_id}?version=${data.workflow_version}`}>
            {workflow.data?.name ?? shortId(data.workflow_id)}
          </Link>{' '}
          v{data.workflow_version}
        </dd>
        <dt>Progress</dt>
        <dd>
          <StepDots steps={data.steps} /> {progressLabel(data.steps)}
        </dd>
        <dt>Current step</dt>
        <dd>
          {current ? (
            <>
              <span className="wf-key">{current.key}</span>
              {currentTitle && ` · ${currentTitle}`} ({(data.current_step ?? 0) + 1} of{' '}
              {data.steps.length} in step order)
            </>
          ) : (
            <span className="muted">none: every step is final</span>
          )}
        </dd>
        <dt>Started</dt>
        <dd>
          <Time value={data.started_at} /> <StartedBy execution={data} />
        </dd>
        <dt>Completed</dt>
        <dd>
          <Time value={data.completed_at} />
        </dd>
        <dt>{data.completed_at ? 'Took' : 'Running for'}</dt>
        <dd>{durationLabel(data.started_at, data.completed_at)}</dd>
        <dt>Id</dt>
        <dd className="wf-id">{data.id}</dd>
      </dl>

      <section aria-labelledby="graph-heading">
        <h2 id="graph-heading">Steps</h2>
        <p className="muted wf-hint">
          Colours follow each step&rsquo;s status as it changes. Choose a step (Tab, then Enter) to
          see its inputs and result.
        </p>
        <div className="wf-graph-layout">
          <StepGraph
            steps={steps}
            selected={selected?.key ?? null}
            onSelect={(key) => setStep(key === selected?.key ? null : key)}
          />
          {selected?.taskId ? (
            <ExecutionStepPanel
              key={selected.key}
              step={selected}
              steps={steps}
              onClose={() => setStep(null)}
            />
          ) : null}
        </div>
        <StepsTable steps={steps} selected={selected?.key ?? null} />
      </section>

      <div className="grid-2 wf-data">
        <section aria-labelledby="context-heading">
          <h2 id="context-heading">Context</h2>
          <p className="muted wf-hint">What it was started with; every step gets it.</p>
          <JsonView value={data.context_data} />
        </section>
        <section aria-labelledby="result-heading">
          <h2 id="result-heading">Result</h2>
          <p className="muted wf-hint">Each completed step&rsquo;s result, once it has ended.</p>
          {data.status === 'running' ? (
            <Empty>Not ended yet.</Empty>
          ) : (
            <JsonView value={data.result_data} />
          )}
        </section>
      </div>
    </div>
  );
}

function StartedBy({ execution }: { execution: Execution }) {
  const { user } = useSession();
  const agent = useAgentName(
    execution.started_by_type === 'agent' ? execution.started_by : undefined,
  );
  if (!execution.started_by) return null;
  const who =
    execution.started_by_type === 'agent'
      ? `agent ${agent.data ?? shortId(execution.started_by)}`
      : execution.started_by === user.id
        ? user.name
        : `user ${shortId(execution.started_by)}`;
  return <span className="muted">by {who}</span>;
}

/** Cancel while it runs, retry once it failed or was cancelled; the API's refusal shown. */
function ExecutionActions({ execution }: { execution: Execution }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const settle = async (updated: Execution) => {
    queryClient.setQueryData(['execution', updated.id], updated);
    await Promise.all(
      ['executions', 'execution', 'task', 'tasks', 'stats'].map((root) =>
        queryClient.invalidateQueries({ queryKey: [root] }),
      ),
    );
  };
  const path = { params: { path: { id: execution.id } } };
  const cancel = useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/workflow-executions/{id}/cancel', path)),
    onSuccess: settle,
  });
  const retry = useMutation({
    mutationFn: () => unwrap(client.POST('/api/v1/workflow-executions/{id}/retry', path)),
    onSuccess: settle,
  });
  const busy = cancel.isPending || retry.isPending;
  return (
    <div className="wf-actions wf-execution-actions">
      <button
        type="button"
        className="danger"
        disabled={busy || !canCancel(execution.status)}
        title={
          canCancel(execution.status) ? undefined : 'Only a running execution can be cancelled'
        }
        onClick={() => {
          retry.reset();
          cancel.mutate();
        }}
      >
        Cancel execution
      </button>
      <button
        type="button"
        disabled={busy || !canRetry(execution.status)}
        title={
          canRetry(execution.status)
            ? 'Runs the failed and cancelled steps again; completed ones keep their results'
            : 'Only a failed or cancelled execution can be retried'
        }
        onClick={() => {
          cancel.reset();
          retry.mutate();
        }}
      >
        Retry execution
      </button>
      <div className="wf-action-errors">
        <ErrorNotice error={cancel.error ?? retry.error} />
      </div>
    </div>
  );
}

/** The chosen step: its task's inputs, result, assignee, attempts, lease and failure policy. */
function ExecutionStepPanel({
  step,
  steps,
  onClose,
}: {
  step: GraphStep;
  steps: readonly GraphStep[];
  onClose(): void;
}) {
  const { projectId = '' } = useParams();
  const task = useTask(step.taskId ?? '');
  const t = task.data;
  const agent = useAgentName(t?.assigned_to_type === 'agent' ? t.assigned_to : undefined);
  const { user } = useSession();
  const statusOf = new Map(steps.map((s) => [s.key, s.status]));

  const assignee = !t?.assigned_to
    ? 'nobody yet'
    : t.assigned_to_type === 'agent'
      ? `agent ${agent.data ?? shortId(t.assigned_to)}`
      : t.assigned_to === user.id
        ? user.name
        : `user ${shortId(t.assigned_to)}`;
  const final = (status: string | undefined) =>
    status === 'completed' || status === 'failed' || status === 'cancelled';
  // Until then its inputs are only the context.
  const waiting = t?.status === 'pending' && step.dependencies.some((k) => !final(statusOf.get(k)));

  return (
    <aside className="panel wf-step-panel" aria-label={`Step ${step.key}`} aria-live="polite">
      <div className="wf-panel-head">
        <h3>{step.title ?? t?.title ?? step.key}</h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="wf-panel-status">
        <StatusBadge status={step.status} />{' '}
        <Link to={`/projects/${projectId}/queue/${step.taskId}`}>Open its task</Link>
      </p>
      <ErrorNotice error={task.error} />
      {task.isPending && <Loading what="the step's task" />}
      <dl className="facts">
        <dt>Key</dt>
        <dd className="wf-key">{step.key}</dd>
        <dt>Waits for</dt>
        <dd>
          {step.dependencies.length === 0 ? (
            'nothing'
          ) : (
            <ul className="wf-deps">
              {step.dependencies.map((key) => (
                <li key={key}>
                  <span className="wf-key">{key}</span> <StatusBadge status={statusOf.get(key)} />
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>If one fails</dt>
        <dd>{policyLabel(t?.on_dependency_failure)}</dd>
        {t && (
          <>
            <dt>Assignee</dt>
            <dd>{assignee}</dd>
            <dt>Attempts</dt>
            <dd>
              {t.attempts} of {t.max_attempts}
            </dd>
            <dt>Lease</dt>
            <dd>
              {t.lease_expires_at ? (
                <>
                  until <Time value={t.lease_expires_at} />
                </>
              ) : (
                <span className="muted">none</span>
              )}
            </dd>
            <dt>Started</dt>
            <dd>
              <Time value={t.started_at} />
            </dd>
            <dt>Completed</dt>
            <dd>
              <Time value={t.completed_at} />
            </dd>
            <dt>Priority</dt>
            <dd>{t.priority}</dd>
            <dt>Capabilities</dt>
            <dd>{t.required_capabilities.length ? t.required_capabilities.join(', ') : '—'}</dd>
          </>
        )}
      </dl>
      {t && (
        <>
          <h4>Inputs</h4>
          {waiting && (
            <p className="muted wf-hint">
              Its dependencies&rsquo; results are added once every one of them is final.
            </p>
          )}
          <JsonView value={t.inputs} />
          <h4>Result</h4>
          <JsonView value={t.result} />
        </>
      )}
    </aside>
  );
}

/** The steps as a list too: for reading out, and a way to choose one. */
function StepsTable({ steps, selected }: { steps: readonly GraphStep[]; selected: string | null }) {
  const { projectId = '' } = useParams();
  return (
    <div className="table-scroll">
      <table className="wf-steps-table">
        <caption className="muted">Every step, in step order</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Title</th>
            <th scope="col">Status</th>
            <th scope="col">Waits for</th>
            <th scope="col">Task</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => (
            <tr key={s.key} className={s.key === selected ? 'selected' : undefined}>
              <th scope="row">
                <Link
                  to={{ search: `?step=${encodeURIComponent(s.key)}` }}
                  replace
                  className="wf-key"
                  aria-current={s.key === selected ? 'true' : undefined}
                >
                  {s.key}
                </Link>
              </th>
              <td>{s.title ?? <span className="muted">—</span>}</td>
              <td>
                <StatusBadge status={s.status} />
              </td>
              <td>{s.dependencies.join(', ') || '—'}</td>
              <td>
                {s.taskId && (
                  <Link to={`/projects/${projectId}/queue/${s.taskId}`} title={s.taskId}>
                    {shortId(s.taskId)}
                  </Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
