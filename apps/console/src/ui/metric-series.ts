import type { components } from '@agenthub/client';

export type MetricBucket = components['schemas']['MetricBucketDto'];
export type MetricSummary = components['schemas']['MetricSummaryResponseDto'];
export type GroupedMetricSummary = components['schemas']['GroupedMetricSummaryResponseDto'];
export type AgentSeries = components['schemas']['AgentMetricSeriesDto'];
export type BucketWidth = MetricSummary['bucket'];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The bucket widths the summaries take, narrowest first. */
export const BUCKETS: readonly { id: BucketWidth; ms: number; label: string }[] = [
  { id: '1m', ms: MINUTE, label: '1 minute' },
  { id: '5m', ms: 5 * MINUTE, label: '5 minutes' },
  { id: '15m', ms: 15 * MINUTE, label: '15 minutes' },
  { id: '30m', ms: 30 * MINUTE, label: '30 minutes' },
  { id: '1h', ms: HOUR, label: '1 hour' },
  { id: '6h', ms: 6 * HOUR, label: '6 hours' },
  { id: '12h', ms: 12 * HOUR, label: '12 hours' },
  { id: '1d', ms: DAY, label: '1 day' },
];

export const bucketMs = (id: BucketWidth): number => BUCKETS.find((b) => b.id === id)?.ms ?? HOUR;

/** The API refuses a range of more buckets than this. */
export const MAX_BUCKETS = 10_000;
/** Buckets a chart reads well with, at most, when the bucket is chosen for the user. */
const COMFORTABLE_BUCKETS = 200;

export type RangePreset = '1h' | '24h' | '7d' | '30d';
export type RangeChoice = RangePreset | 'custom';

export const RANGE_PRESETS: readonly { id: RangePreset; ms: number; label: string }[] = [
  { id: '1h', ms: HOUR, label: 'Last hour' },
  { id: '24h', ms: DAY, label: 'Last 24 hours' },
  { id: '7d', ms: 7 * DAY, label: 'Last 7 days' },
  { id: '30d', ms: 30 * DAY, label: 'Last 30 days' },
];

/**
 * How many buckets a range touches at most: a range not on a boundary cuts a bucket at each
 * end (the API counts every bucket touched).
 */
export const bucketsTouched = (rangeMs: number, widthMs: number): number =>
  Math.ceil(rangeMs / widthMs) + 1;

/** The widths the API accepts for a range, narrowest first; a range shorter than a bucket gets 1m. */
export function allowedBuckets(rangeMs: number): BucketWidth[] {
  const allowed = BUCKETS.filter(
    (b) => bucketsTouched(rangeMs, b.ms) <= MAX_BUCKETS && (b.ms <= rangeMs || b.id === '1m'),
  ).map((b) => b.id);
  return allowed.length > 0 ? allowed : ['1d'];
}

/** The narrowest width that keeps the chart readable (≤ 200 buckets), else the widest allowed. */
export function defaultBucket(rangeMs: number): BucketWidth {
  const allowed = allowedBuckets(rangeMs);
  return (
    allowed.find((id) => bucketsTouched(rangeMs, bucketMs(id)) - 1 <= COMFORTABLE_BUCKETS) ??
    allowed[allowed.length - 1]
  );
}

/** What the page's search parameters say about the charts. */
export interface MetricsView {
  range: RangeChoice;
  /** For a custom range: RFC 3339 instants. */
  from: string | null;
  to: string | null;
  /** The bucket asked for, or `null` for the range's default. */
  bucket: BucketWidth | null;
  agent: string | null;
  durationMetric: string;
}

export const DURATION_METRICS: readonly { id: string; label: string }[] = [
  { id: 'task.duration_seconds', label: 'Task duration' },
  { id: 'message.ack_latency_seconds', label: 'Message acknowledgement latency' },
];
export const SUCCESS_METRIC = 'task.succeeded';

const isRange = (v: string | null): v is RangeChoice =>
  v === 'custom' || RANGE_PRESETS.some((r) => r.id === v);
const isBucket = (v: string | null): v is BucketWidth => BUCKETS.some((b) => b.id === v);

export function readMetricsView(params: URLSearchParams): MetricsView {
  const range = params.get('range');
  const bucket = params.get('bucket');
  const metric = params.get('metric');
  return {
    range: isRange(range) ? range : '24h',
    from: params.get('from'),
    to: params.get('to'),
    bucket: isBucket(bucket) ? bucket : null,
    agent: params.get('agent'),
    durationMetric: DURATION_METRICS.some((m) => m.id === metric)
      ? (metric as string)
      : DURATION_METRICS[0].id,
  };
}

/** The search parameters for `view`, leaving defaults out (and other parameters as they are). */
export function writeMetricsView(params: URLSearchParams, view: MetricsView): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (name: string, value: string | null, fallback?: string) => {
    if (value === null || value === '' || value === fallback) next.delete(name);
    else next.set(name, value);
  };
  set('range', view.range, '24h');
  set('from', view.range === 'custom' ? view.from : null);
  set('to', view.range === 'custom' ? view.to : null);
  set('bucket', view.bucket);
  set('agent', view.agent);
  set('metric', view.durationMetric, DURATION_METRICS[0].id);
  return next;
}

export type ResolvedRange =
  { ok: true; from: Date; to: Date; ms: number } | { ok: false; problem: string };

/** How long a view's range is (no clock needed), or why it is no range. */
export function rangeSpan(
  view: MetricsView,
): { ok: true; ms: number } | { ok: false; problem: string } {
  const range = resolveRange(view, 0);
  return range.ok ? { ok: true, ms: range.ms } : range;
}

/** The instants a view covers at `now`: a preset ends now, a custom range is as given. */
export function resolveRange(view: MetricsView, now: number): ResolvedRange {
  if (view.range !== 'custom') {
    const ms = RANGE_PRESETS.find((r) => r.id === view.range)?.ms ?? DAY;
    return { ok: true, from: new Date(now - ms), to: new Date(now), ms };
  }
  const from = view.from ? new Date(view.from) : null;
  const to = view.to ? new Date(view.to) : null;
  if (!from || Number.isNaN(from.getTime())) return { ok: false, problem: 'Give a start (From).' };
  if (!to || Number.isNaN(to.getTime())) return { ok: false, problem: 'Give an end (To).' };
  if (to.getTime() <= from.getTime())
    return { ok: false, problem: 'The end (To) must come after the start (From).' };
  return { ok: true, from, to, ms: to.getTime() - from.getTime() };
}

/** The bucket to ask for: the one chosen when the range allows it, else the range's default. */
export function effectiveBucket(view: MetricsView, rangeMs: number): BucketWidth {
  if (view.bucket && allowedBuckets(rangeMs).includes(view.bucket)) return view.bucket;
  return defaultBucket(rangeMs);
}

/** One row of a chart: its time (ms since the epoch) and a value per series (`null`: a gap). */
export interface ChartRow {
  t: number;
  [series: string]: number | null;
}

/** Rows beyond which a chart no longer gets a row for every empty bucket. */
const MAX_GRID_ROWS = 3000;

/**
 * The rows with the empty buckets put back as gaps: the API leaves them out, and a line
 * drawn straight across them would claim values nobody measured. Every bucket between the
 * first and the last gets a row (`null` where nothing was measured), so each line lifts its
 * pen where its own points stop; past 3000 rows, only one empty row follows each bucket
 * before a gap.
 */
export function withGaps(rows: ChartRow[], widthMs: number, keys: readonly string[]): ChartRow[] {
  if (rows.length < 2) return rows;
  const empty = (t: number): ChartRow => {
    const row: ChartRow = { t };
    for (const key of keys) row[key] = null;
    return row;
  };
  const sorted = [...rows].sort((a, b) => a.t - b.t);
  const first = sorted[0].t;
  const last = sorted[sorted.length - 1].t;
  const out: ChartRow[] = [];
  if ((last - first) / widthMs + 1 <= MAX_GRID_ROWS) {
    const byTime = new Map(sorted.map((row) => [row.t, row]));
    for (let t = first; t <= last; t += widthMs) out.push(byTime.get(t) ?? empty(t));
    return out;
  }
  sorted.forEach((row, i) => {
    out.push(row);
    const next = sorted[i + 1];
    if (next && next.t - row.t > widthMs) out.push(empty(row.t + widthMs));
  });
  return out;
}

/** Whether the value at `index` stands alone (no value either side): a line would not show it. */
export function isolatedPoint(rows: readonly ChartRow[], index: number, key: string): boolean {
  const has = (i: number) => typeof rows[i]?.[key] === 'number';
  return has(index) && !has(index - 1) && !has(index + 1);
}

/** How a duration reads best: its unit for people and the factor from the API's unit. */
export interface DisplayUnit {
  label: string;
  factor: number;
}

const SECONDS = new Set(['s', 'sec', 'secs', 'second', 'seconds']);
const MILLISECONDS = new Set(['ms', 'millisecond', 'milliseconds']);

/**
 * The unit to show a series in, from the unit of its points and its largest value: sub-second
 * durations in ms, long ones in minutes; a unit that is no time as it is.
 */
export function displayUnit(unit: string | null, maxValue: number): DisplayUnit {
  const u = unit?.trim().toLowerCase() ?? '';
  const seconds = SECONDS.has(u) ? maxValue : MILLISECONDS.has(u) ? maxValue / 1000 : null;
  const perSecond = SECONDS.has(u) ? 1 : 1 / 1000;
  if (seconds === null) return { label: unit ?? '', factor: 1 };
  if (seconds > 0 && seconds < 1) return { label: 'ms', factor: perSecond * 1000 };
  if (seconds >= 180) return { label: 'min', factor: perSecond / 60 };
  return { label: 's', factor: perSecond };
}

const round = (value: number, digits = 3) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** p50 and p95 per bucket, in the display unit; with the bucket's count for the tooltip. */
export function durationRows(
  buckets: readonly MetricBucket[],
  widthMs: number,
  unit: DisplayUnit,
): ChartRow[] {
  const rows = buckets.map((b) => ({
    t: Date.parse(b.start),
    p50: round(b.p50 * unit.factor),
    p95: round(b.p95 * unit.factor),
    count: b.count,
  }));
  return withGaps(rows, widthMs, ['p50', 'p95', 'count']);
}

/**
 * Success rate per bucket from `task.succeeded` points (1 completed, 0 failed): their mean,
 * as a percentage of the bucket's outcomes.
 */
export function successRows(buckets: readonly MetricBucket[], widthMs: number): ChartRow[] {
  const rows = buckets.map((b) => ({
    t: Date.parse(b.start),
    rate: round(b.avg * 100, 1),
    count: b.count,
  }));
  return withGaps(rows, widthMs, ['rate', 'count']);
}

/** The overall success rate of a range (% of all outcomes), or `null` without any. */
export function overallSuccess(buckets: readonly MetricBucket[]): number | null {
  const count = buckets.reduce((n, b) => n + b.count, 0);
  if (count === 0) return null;
  const successes = buckets.reduce((n, b) => n + b.avg * b.count, 0);
  return round((successes / count) * 100, 1);
}

/** The largest p95 of some buckets (0 without any), to pick a display unit. */
export const maxP95 = (buckets: readonly MetricBucket[]): number =>
  buckets.reduce((m, b) => Math.max(m, b.p95), 0);

/**
 * One row per bucket over several agents' series, a column per agent id: `pick` says what of
 * a bucket to draw. Each agent's line breaks where it has no bucket.
 */
export function mergeAgentSeries(
  agents: readonly AgentSeries[],
  widthMs: number,
  pick: (bucket: MetricBucket) => number,
): ChartRow[] {
  const keys = agents.map((a) => a.agent_id);
  const byTime = new Map<number, ChartRow>();
  for (const agent of agents)
    for (const bucket of agent.buckets) {
      const t = Date.parse(bucket.start);
      let row = byTime.get(t);
      if (!row) {
        row = { t };
        for (const key of keys) row[key] = null;
        byTime.set(t, row);
      }
      row[agent.agent_id] = round(pick(bucket));
    }
  return withGaps([...byTime.values()], widthMs, keys);
}

/** Steps for time ticks, narrowest first. */
const TICK_STEPS = [
  MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
];

/**
 * Ticks on round local times across [from, to]: at most `most` of them, on multiples of a
 * step (whole hours, local midnights) in the time zone `offsetMinutes` east of UTC.
 */
export function timeTicks(
  fromMs: number,
  toMs: number,
  most = 6,
  offsetMinutes = -new Date(fromMs).getTimezoneOffset(),
): { ticks: number[]; stepMs: number } {
  const span = Math.max(toMs - fromMs, 1);
  const step = TICK_STEPS.find((s) => span / s <= most) ?? TICK_STEPS[TICK_STEPS.length - 1];
  const offset = offsetMinutes * MINUTE;
  // weeks start on a local midnight like days do; that is round enough
  const first = Math.ceil((fromMs + offset) / step) * step - offset;
  const ticks: number[] = [];
  for (let t = first; t <= toMs; t += step) ticks.push(t);
  return { ticks, stepMs: step };
}

/** A tick's text: a time of day within a day's ticks, a date (and time) beyond. */
export function formatTick(ms: number, stepMs: number, timeZone?: string): string {
  const options: Intl.DateTimeFormatOptions =
    stepMs >= DAY
      ? { month: 'short', day: 'numeric' }
      : stepMs >= 6 * HOUR
        ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
        : { hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(undefined, { ...options, timeZone }).format(ms);
}

/** The tooltip's heading: the bucket's start, with the date. */
export function formatBucketTime(ms: number, timeZone?: string): string {
  return new Intl.DateTimeFormat(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  }).format(ms);
}

/** A value with its unit for people: `1.25 s`, `85 %`, `3 tokens`. */
export function formatValue(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString(undefined, { maximumFractionDigits: digits });
  return unit ? `${text} ${unit}` : text;
}

/** `Date` → the value of an `<input type="datetime-local">` (local time, to the minute). */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** An `<input type="datetime-local">` value → RFC 3339 in UTC, or `null` when empty or invalid. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
