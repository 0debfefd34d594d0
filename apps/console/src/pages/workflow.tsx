import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { unwrap } from '../api/problem';
import { useClient } from '../api/session';
import { Empty, ErrorNotice, Loading, Pager, StatusBadge, Time } from '../ui/components';
import { StepGraph } from '../ui/step-graph';
import {
  EXECUTION_STATUSES,
  definitionGraphSteps,
  parseContext,
  type DefinitionStep,
  type Workflow,
  type WorkflowStatus,
} from '../ui/workflow-model';
import { EXECUTIONS_PAGE_SIZE, useListParam } from '../ui/workflow-params';
import { useWorkflow, useWorkflowExecutions, useWorkflowVersions } from '../ui/workflow-queries';
import { ExecutionStatusFilter, ExecutionTable, Tags } from './workflows';
import './workflows.css';
import './workflow.css';

const positive = (value: string | null): number | undefined => {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
};

/** A workflow definition: its versions, its step graph, a start, its executions. */
export function WorkflowPage() {
  const { projectId = '', workflowId = '' } = useParams();
  const [params] = useSearchParams();
  const [, setVersion] = useListParam('version');
  const [stepParam, setStep] = useListParam('step');
  const version = positive(params.get('version'));

  const workflow = useWorkflow(workflowId, version);
  const versions = useWorkflowVersions(workflowId);
  const data = workflow.data;
  const steps = useMemo(() => definitionGraphSteps(data?.definition), [data]);
  const selected = data?.definition.steps.find((s) => s.key === stepParam) ?? null;

  if (workflow.isPending) return <Loading what="the workflow" />;
  if (!data) return <ErrorNotice error={workflow.error} />;

  // The version shown: the one asked for, or the current one.
  const shown = data.version;
  const current = versions.data?.items[0]?.version;
  const isCurrent = version === undefined || shown === current;

  return (
    <div className="workflow-page">
      <p className="wf-crumbs">
        <Link to={`/projects/${projectId}/workflows`}>Workflows</Link> /
      </p>
      <header className="wf-head">
        <h1>{data.name}</h1>
        <StatusBadge status={data.status} />
        <StatusActions workflow={data} />
      </header>
      <ErrorNotice error={workflow.error} />
      {data.description && <p className="wf-about">{data.description}</p>}

      <div className="wf-summary">
        <dl className="facts">
          <dt>Version</dt>
          <dd>
            v{shown}
            {isCurrent ? ' (current)' : current ? ` (current: v${current})` : ''}
          </dd>
          <dt>Steps</dt>
          <dd>{data.definition.steps.length}</dd>
          <dt>Tags</dt>
          <dd>
            <Tags tags={data.tags} />
          </dd>
          <dt>Created</dt>
          <dd>
            <Time value={data.created_at} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <Time value={data.updated_at} />
          </dd>
        </dl>
        <label className="wf-version-picker">
          Version
          <select
            value={shown}
            onChange={(e) => {
              const n = Number(e.target.value);
              setVersion(n === current ? null : n);
            }}
            disabled={!versions.data}
          >
            {(versions.data?.items ?? [{ version: shown, created_at: data.updated_at }]).map(
              (v, i) => (
                <option key={v.version} value={v.version}>
                  v{v.version}
                  {i === 0 && versions.data ? ' (current)' : ''} ·{' '}
                  {new Date(v.created_at).toLocaleString()}
                </option>
              ),
            )}
          </select>
        </label>
      </div>
      <ErrorNotice error={versions.error} />

      <section aria-labelledby="graph-heading">
        <h2 id="graph-heading">Steps of v{shown}</h2>
        <p className="muted wf-hint">
          Each arrow points from a step to one that waits for it. Choose a step to see its settings.
        </p>
        <div className="wf-graph-layout">
          <StepGraph
            steps={steps}
            selected={selected?.key ?? null}
            onSelect={(key) => setStep(key === selected?.key ? null : key)}
          />
          {selected && <DefinitionStepPanel step={selected} onClose={() => setStep(null)} />}
        </div>
        <DefinitionStepsTable steps={data.definition.steps} />
      </section>

      <StartExecution workflow={data} version={isCurrent ? undefined : shown} />
      <WorkflowExecutions workflowId={workflowId} />
    </div>
  );
}

/** Activate a draft or paused workflow, pause an active one. */
function StatusActions({ workflow }: { workflow: Workflow }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (status: WorkflowStatus) =>
      unwrap(
        client.PATCH('/api/v1/workflows/{id}', {
          params: { path: { id: workflow.id } },
          body: { status },
        }),
      ),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['workflow'] }),
        queryClient.invalidateQueries({ queryKey: ['workflows'] }),
      ]);
    },
  });
  return (
    <div className="wf-actions">
      {workflow.status !== 'active' && (
        <button type="button" disabled={change.isPending} onClick={() => change.mutate('active')}>
          Activate
        </button>
      )}
      {workflow.status === 'active' && (
        <button type="button" disabled={change.isPending} onClick={() => change.mutate('paused')}>
          Pause
        </button>
      )}
      <ErrorNotice error={change.error} />
    </div>
  );
}

function DefinitionStepPanel({ step, onClose }: { step: DefinitionStep; onClose(): void }) {
  return (
    <aside className="panel wf-step-panel" aria-label={`Step ${step.key}`}>
      <div className="wf-panel-head">
        <h3>{step.title}</h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="facts">
        <dt>Key</dt>
        <dd className="wf-key">{step.key}</dd>
        <dt>Waits for</dt>
        <dd>{step.depends_on?.length ? step.depends_on.join(', ') : 'nothing'}</dd>
        <dt>If one fails</dt>
        <dd>{policyLabel(step.on_dependency_failure)}</dd>
        <dt>Priority</dt>
        <dd>{step.priority ?? 'medium'}</dd>
        <dt>Capabilities</dt>
        <dd>{step.required_capabilities?.length ? step.required_capabilities.join(', ') : '—'}</dd>
        <dt>Attempts</dt>
        <dd>{step.max_attempts ?? 3} at most</dd>
      </dl>
      {step.description && <p className="wf-step-description">{step.description}</p>}
    </aside>
  );
}

/** `on_dependency_failure` in words. */
export function policyLabel(policy: string | null | undefined): string {
  return policy === 'continue'
    ? 'continue: runs once every dependency is final'
    : 'cancel: cancelled with it (the default)';
}

function DefinitionStepsTable({ steps }: { steps: readonly DefinitionStep[] }) {
  return (
    <div className="table-scroll">
      <table className="wf-steps-table">
        <caption className="muted">Every step, in the order the definition lists them</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Title</th>
            <th scope="col">Waits for</th>
            <th scope="col">If one fails</th>
            <th scope="col">Priority</th>
            <th scope="col">Capabilities</th>
            <th scope="col">Attempts</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => (
            <tr key={s.key}>
              <th scope="row" className="wf-key">
                {s.key}
              </th>
              <td>{s.title}</td>
              <td>{s.depends_on?.join(', ') || '—'}</td>
              <td>{s.on_dependency_failure ?? 'cancel'}</td>
              <td>{s.priority ?? 'medium'}</td>
              <td>{s.required_capabilities?.join(', ') || '—'}</td>
              <td>{s.max_attempts ?? 3}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Starts an execution of the version shown (the current one unless another is picked), with
 * an optional context; then opens it.
 */
function StartExecution({ workflow, version }: { workflow: Workflow; version?: number }) {
  const { projectId = '' } = useParams();
  const client = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const hintId = useId();
  const errorId = useId();

  const start = useMutation({
    mutationFn: (context: Record<string, unknown> | undefined) =>
      unwrap(
        client.POST('/api/v1/workflows/{id}/executions', {
          params: { path: { id: workflow.id } },
          body: {
            ...(context && { context_data: context }),
            ...(version !== undefined && { version }),
          },
        }),
      ),
    onSuccess: async (execution) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['executions'] }),
        queryClient.invalidateQueries({ queryKey: ['stats'] }),
      ]);
      await navigate(`/projects/${projectId}/executions/${execution.id}`);
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseContext(text);
    if (!parsed.ok) {
      setInvalid(parsed.message);
      return;
    }
    setInvalid(null);
    start.mutate(parsed.value);
  };

  return (
    <section aria-labelledby="start-heading" className="panel wf-start">
      <h2 id="start-heading">Start an execution</h2>
      {workflow.status !== 'active' && (
        <p className="notice">
          This workflow is {workflow.status}: only an active workflow can start. Activate it first.
        </p>
      )}
      <form onSubmit={onSubmit} noValidate>
        <label className="wf-context">
          Context (JSON)
          <textarea
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              if (invalid) setInvalid(null);
            }}
            rows={5}
            spellCheck={false}
            placeholder='{"url": "https://example.com"}'
            aria-describedby={invalid ? `${errorId} ${hintId}` : hintId}
            aria-invalid={invalid ? true : undefined}
          />
        </label>
        <p id={hintId} className="muted wf-hint">
          Optional: a JSON object every step receives as <code>inputs.context</code>. Runs v
          {version ?? workflow.version}
          {version === undefined ? ' (current)' : ''}.
        </p>
        {invalid && (
          <div id={errorId} className="notice notice-error" role="alert">
            {invalid}
          </div>
        )}
        <ErrorNotice error={start.error} />
        <button type="submit" className="primary" disabled={start.isPending}>
          Start execution
        </button>
      </form>
    </section>
  );
}

function WorkflowExecutions({ workflowId }: { workflowId: string }) {
  const [params] = useSearchParams();
  const [, setStatus] = useListParam('estatus');
  const [, setOffset] = useListParam('eoffset');
  const status = EXECUTION_STATUSES.find((s) => s === params.get('estatus'));
  const offset = positive(params.get('eoffset')) ?? 0;
  const executions = useWorkflowExecutions(workflowId, {
    ...(status && { status }),
    limit: EXECUTIONS_PAGE_SIZE,
    offset,
  });
  return (
    <section aria-labelledby="executions-heading">
      <h2 id="executions-heading">Executions</h2>
      <ExecutionStatusFilter status={status} onStatus={(s) => setStatus(s)} />
      <ErrorNotice error={executions.error} />
      {executions.isPending && <Loading what="executions" />}
      {executions.data?.items.length === 0 && (
        <Empty>{status ? `No ${status} execution.` : 'Not started yet.'}</Empty>
      )}
      {executions.data && executions.data.items.length > 0 && (
        <>
          <ExecutionTable executions={executions.data.items} />
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
