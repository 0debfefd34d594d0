import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { unwrap } from '../api/problem';
import { useClient } from '../api/session';
import { SERIES_COLOURS, TimeLineChart } from '../ui/chart-line';
import { ErrorNotice, Loading } from '../ui/components';
import { useAgentNames } from '../ui/agent-queries';
import {
  allowedBuckets,
  BUCKETS,
  bucketMs,
  displayUnit,
  DURATION_METRICS,
  durationRows,
  effectiveBucket,
  fromLocalInput,
  maxP95,
  mergeAgentSeries,
  overallSuccess,
  RANGE_PRESETS,
  rangeSpan,
  readMetricsView,
  resolveRange,
  SUCCESS_METRIC,
  successRows,
  toLocalInput,
  writeMetricsView,
  type BucketWidth,
  type GroupedMetricSummary,
  type MetricsView,
  type MetricSummary,
  type RangeChoice,
} from '../ui/metric-series';
import './metrics.css';

type Scope = { kind: 'project' | 'agent'; id: string };

/** How often a range that ends now is read again (points keep coming). */
const refreshEvery = (view: MetricsView): number | false =>
  view.range === 'custom' ? false : view.range === '1h' ? 30_000 : 60_000;

const rangeKey = (view: MetricsView) =>
  view.range === 'custom' ? `${view.from ?? ''}/${view.to ?? ''}` : view.range;

type Summary = MetricSummary | GroupedMetricSummary;

/** One metric's summary for the project (pooled, or per agent) or one agent, over the view's range. */
function useSummaryQuery(
  scope: Scope | null,
  metric: string,
  view: MetricsView,
  bucket: BucketWidth,
  groupByAgent: boolean,
) {
  const client = useClient();
  return useQuery({
    queryKey: [
      'metrics',
      scope?.kind,
      scope?.id,
      metric,
      rangeKey(view),
      bucket,
      groupByAgent ? 'agent' : 'pooled',
    ],
    enabled: scope !== null && rangeSpan(view).ok,
    placeholderData: keepPreviousData,
    refetchInterval: refreshEvery(view),
    queryFn: async ({ signal }): Promise<Summary> => {
      // A range that ends now is resolved at each read, so a re-read moves with the clock.
      const range = resolveRange(view, Date.now());
      if (!range.ok) throw new Error(range.problem);
      if (!scope) throw new Error('Pick an agent.');
      const query = {
        metric_name: metric,
        from: range.from.toISOString(),
        to: range.to.toISOString(),
        bucket,
      };
      if (scope.kind === 'agent')
        return unwrap(
          client.GET('/api/v1/agents/{id}/metrics/summary', {
            params: { path: { id: scope.id }, query },
            signal,
          }),
        );
      return unwrap(
        client.GET('/api/v1/projects/{id}/metrics/summary', {
          params: {
            path: { id: scope.id },
            query: groupByAgent ? { ...query, group_by: 'agent' as const } : query,
          },
          signal,
        }),
      );
    },
  });
}

const pooled = (data: Summary | undefined): MetricSummary | undefined =>
  data && 'buckets' in data ? data : undefined;
const grouped = (data: Summary | undefined): GroupedMetricSummary | undefined =>
  data && 'agents' in data ? data : undefined;

/** The clock, read again every `everyMs`. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** The project's figures now: a few numbers at the top. */
function Headline({ projectId }: { projectId: string }) {
  const client = useClient();
  const stats = useQuery({
    queryKey: ['stats', projectId],
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/v1/projects/{id}/stats', { params: { path: { id: projectId } }, signal }),
      ),
    refetchInterval: 60_000,
  });
  if (stats.error) return <ErrorNotice error={stats.error} />;
  if (!stats.data) return <Loading what="the project's figures" />;
  const { agents, tasks, messages, executions } = stats.data;
  const offline = agents.by_status?.offline ?? 0;
  const tiles: { label: string; value: number; of?: number; tone?: string }[] = [
    { label: 'Agents up', value: agents.total - offline, of: agents.total },
    { label: 'Tasks pending', value: tasks.by_status?.pending ?? 0 },
    { label: 'Tasks in progress', value: tasks.by_status?.in_progress ?? 0 },
    { label: 'Completed, last hour', value: tasks.completed_last_hour, tone: 'success' },
    {
      label: 'Failed, last hour',
      value: tasks.failed_last_hour,
      tone: tasks.failed_last_hour > 0 ? 'danger' : undefined,
    },
    { label: 'Messages waiting', value: messages.by_status?.pending ?? 0 },
    {
      label: 'Messages failed',
      value: messages.by_status?.failed ?? 0,
      tone: (messages.by_status?.failed ?? 0) > 0 ? 'danger' : undefined,
    },
    { label: 'Executions running', value: executions.by_status?.running ?? 0 },
  ];
  return (
    <dl className="headline" aria-label="The project now">
      {tiles.map((tile) => (
        <div key={tile.label} className={tile.tone ? `tile tile-${tile.tone}` : 'tile'}>
          <dt>{tile.label}</dt>
          <dd>
            {tile.value.toLocaleString()}
            {tile.of !== undefined && <span className="of"> / {tile.of.toLocaleString()}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Range, bucket and duration metric, kept in the URL. */
function Controls({ view, rangeMs }: { view: MetricsView; rangeMs: number | null }) {
  const [params, setParams] = useSearchParams();
  const update = (change: Partial<MetricsView>) =>
    setParams(writeMetricsView(params, { ...view, ...change }), { replace: false });
  const now = new Date();
  const [from, setFrom] = useState(() =>
    toLocalInput(view.from ? new Date(view.from) : new Date(now.getTime() - 24 * 3600_000)),
  );
  const [to, setTo] = useState(() => toLocalInput(view.to ? new Date(view.to) : now));
  const allowed = rangeMs !== null ? allowedBuckets(rangeMs) : BUCKETS.map((b) => b.id);
  const bucket = rangeMs !== null ? effectiveBucket(view, rangeMs) : (view.bucket ?? '1h');

  const applyCustom = (event: FormEvent) => {
    event.preventDefault();
    update({ range: 'custom', from: fromLocalInput(from), to: fromLocalInput(to) });
  };

  return (
    <div className="metrics-controls">
      <div className="toolbar">
        <label>
          Range
          <select
            value={view.range}
            onChange={(e) => {
              const range = e.target.value as RangeChoice;
              update(
                range === 'custom'
                  ? { range, from: fromLocalInput(from), to: fromLocalInput(to) }
                  : { range },
              );
            }}
          >
            {RANGE_PRESETS.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
            <option value="custom">Custom…</option>
          </select>
        </label>
        <label>
          Bucket
          <select
            value={bucket}
            onChange={(e) => update({ bucket: e.target.value as BucketWidth })}
          >
            {BUCKETS.filter((b) => allowed.includes(b.id)).map((b) => (
              <option key={b.id} value={b.id}>
                {b.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Duration of
          <select
            value={view.durationMetric}
            onChange={(e) => update({ durationMetric: e.target.value })}
          >
            {DURATION_METRICS.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {view.range === 'custom' && (
        <form className="toolbar custom-range" onSubmit={applyCustom} aria-label="Custom range">
          <label>
            From
            <input
              type="datetime-local"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              required
            />
          </label>
          <label>
            To
            <input
              type="datetime-local"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              required
            />
          </label>
          <button type="submit">Apply</button>
        </form>
      )}
    </div>
  );
}

interface ChartFrame {
  from: number;
  to: number;
  widthMs: number;
}

/** The x axis of a summary: the range it resolved to, else the one asked for. */
function frameOf(
  data: { from: string; to: string; bucket: BucketWidth } | undefined,
  fallback: ChartFrame,
): ChartFrame {
  if (!data) return fallback;
  return { from: Date.parse(data.from), to: Date.parse(data.to), widthMs: bucketMs(data.bucket) };
}

function DurationChart({
  caption,
  summary,
  frame,
  countNoun,
}: {
  caption: string;
  summary: MetricSummary | undefined;
  frame: ChartFrame;
  countNoun: string;
}) {
  const buckets = summary?.buckets ?? [];
  const unit = displayUnit(summary?.unit ?? 'seconds', maxP95(buckets));
  return (
    <TimeLineChart
      caption={caption}
      rows={durationRows(buckets, frame.widthMs, unit)}
      series={[
        { key: 'p50', name: 'p50', colour: SERIES_COLOURS[0] },
        { key: 'p95', name: 'p95', colour: SERIES_COLOURS[1], dashed: true },
      ]}
      unit={unit.label}
      from={frame.from}
      to={frame.to}
      countNoun={countNoun}
      emptyText="Nothing measured in this range."
    />
  );
}

function SuccessChart({
  caption,
  summary,
  frame,
}: {
  caption: string;
  summary: MetricSummary | undefined;
  frame: ChartFrame;
}) {
  const buckets = summary?.buckets ?? [];
  const overall = overallSuccess(buckets);
  const outcomes = buckets.reduce((n, b) => n + b.count, 0);
  return (
    <TimeLineChart
      caption={caption}
      note={
        overall === null
          ? undefined
          : `${overall} % of ${outcomes.toLocaleString()} ${outcomes === 1 ? 'task' : 'tasks'}`
      }
      rows={successRows(buckets, frame.widthMs)}
      series={[{ key: 'rate', name: 'Succeeded', colour: SERIES_COLOURS[2] }]}
      unit="%"
      yDomain={[0, 100]}
      from={frame.from}
      to={frame.to}
      countNoun="tasks ended"
      emptyText="No task ended in this range."
    />
  );
}

function ByAgentChart({
  caption,
  summary,
  frame,
  kind,
}: {
  caption: string;
  summary: GroupedMetricSummary | undefined;
  frame: ChartFrame;
  kind: 'p95' | 'success';
}) {
  const agents = summary?.agents ?? [];
  const unit =
    kind === 'success'
      ? { label: '%', factor: 100 }
      : displayUnit(
          summary?.unit ?? 'seconds',
          Math.max(0, ...agents.map((a) => maxP95(a.buckets))),
        );
  const rows = mergeAgentSeries(agents, frame.widthMs, (b) =>
    kind === 'success' ? b.avg * 100 : b.p95 * unit.factor,
  );
  return (
    <TimeLineChart
      caption={caption}
      rows={rows}
      series={agents.map((a, i) => ({
        key: a.agent_id,
        name: a.agent_name,
        colour: SERIES_COLOURS[i % SERIES_COLOURS.length],
        dashed: i >= SERIES_COLOURS.length,
      }))}
      unit={unit.label}
      yDomain={kind === 'success' ? [0, 100] : undefined}
      from={frame.from}
      to={frame.to}
      emptyText={
        kind === 'success' ? 'No task ended in this range.' : 'Nothing measured in this range.'
      }
      height={280}
    />
  );
}

/** Per project and per agent: p50/p95 durations and success rate over a chosen range. */
export function MetricsPage() {
  const { projectId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const view = readMetricsView(params);
  const now = useNow(refreshEvery(view) || 60_000);
  const range = resolveRange(view, now);
  const rangeMs = range.ok ? range.ms : null;
  const bucket = rangeMs !== null ? effectiveBucket(view, rangeMs) : '1h';
  // The axes while a summary is read: the range asked for.
  const fallback: ChartFrame = range.ok
    ? { from: range.from.getTime(), to: range.to.getTime(), widthMs: bucketMs(bucket) }
    : { from: now - 86_400_000, to: now, widthMs: bucketMs(bucket) };

  const names = useAgentNames(projectId);
  const agents = [...(names.data ?? new Map<string, string>()).entries()]
    .map(([id, name]) => ({ id, name }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const project: Scope = { kind: 'project', id: projectId };
  const metric = view.durationMetric;
  const metricLabel = DURATION_METRICS.find((m) => m.id === metric)?.label ?? metric;
  const countNoun = metric.startsWith('message.') ? 'acknowledgements' : 'tasks';

  const fleetDuration = useSummaryQuery(project, metric, view, bucket, false);
  const fleetSuccess = useSummaryQuery(project, SUCCESS_METRIC, view, bucket, false);
  const byAgentDuration = useSummaryQuery(project, metric, view, bucket, true);
  const byAgentSuccess = useSummaryQuery(project, SUCCESS_METRIC, view, bucket, true);

  // Unless one is chosen, the agent is the first (by name) that has points in the range.
  const agentId =
    view.agent ?? grouped(byAgentDuration.data)?.agents[0]?.agent_id ?? agents[0]?.id ?? null;
  const agentName = agents.find((a) => a.id === agentId)?.name ?? 'the agent';
  const agent: Scope | null = agentId ? { kind: 'agent', id: agentId } : null;
  const agentDuration = useSummaryQuery(agent, metric, view, bucket, false);
  const agentSuccess = useSummaryQuery(agent, SUCCESS_METRIC, view, bucket, false);

  return (
    <div className="metrics-page">
      <h1>Metrics</h1>
      <Headline projectId={projectId} />
      <Controls
        key={view.range === 'custom' ? rangeKey(view) : 'preset'}
        view={view}
        rangeMs={rangeMs}
      />
      {!range.ok && (
        <div className="notice notice-error" role="alert">
          {range.problem}
        </div>
      )}

      <section aria-labelledby="fleet-title">
        <h2 id="fleet-title">Fleet</h2>
        <ErrorNotice error={fleetDuration.error ?? fleetSuccess.error} />
        <div className="chart-grid">
          <DurationChart
            caption={`${metricLabel}, p50 and p95, fleet`}
            summary={pooled(fleetDuration.data)}
            frame={frameOf(fleetDuration.data, fallback)}
            countNoun={countNoun}
          />
          <SuccessChart
            caption="Task success rate, fleet"
            summary={pooled(fleetSuccess.data)}
            frame={frameOf(fleetSuccess.data, fallback)}
          />
        </div>
        <ErrorNotice error={byAgentDuration.error ?? byAgentSuccess.error} />
        <div className="chart-grid">
          <ByAgentChart
            caption={`${metricLabel}, p95 by agent`}
            summary={grouped(byAgentDuration.data)}
            frame={frameOf(byAgentDuration.data, fallback)}
            kind="p95"
          />
          <ByAgentChart
            caption="Task success rate by agent"
            summary={grouped(byAgentSuccess.data)}
            frame={frameOf(byAgentSuccess.data, fallback)}
            kind="success"
          />
        </div>
      </section>

      <section aria-labelledby="agent-title">
        <h2 id="agent-title">Agent</h2>
        <ErrorNotice error={names.error} />
        <div className="toolbar">
          <label>
            Agent
            <select
              value={agentId ?? ''}
              onChange={(e) =>
                setParams(writeMetricsView(params, { ...view, agent: e.target.value }))
              }
              disabled={agents.length === 0}
            >
              {agents.length === 0 && <option value="">No agents</option>}
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorNotice error={agentDuration.error ?? agentSuccess.error} />
        {agent && (
          <div className="chart-grid">
            <DurationChart
              caption={`${metricLabel}, p50 and p95, ${agentName}`}
              summary={pooled(agentDuration.data)}
              frame={frameOf(agentDuration.data, fallback)}
              countNoun={countNoun}
            />
            <SuccessChart
              caption={`Task success rate, ${agentName}`}
              summary={pooled(agentSuccess.data)}
              frame={frameOf(agentSuccess.data, fallback)}
            />
          </div>
        )}
      </section>
    </div>
  );
}
