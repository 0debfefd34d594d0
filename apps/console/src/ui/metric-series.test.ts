import {
  allowedBuckets,
  defaultBucket,
  displayUnit,
  durationRows,
  effectiveBucket,
  formatTick,
  formatValue,
  fromLocalInput,
  isolatedPoint,
  mergeAgentSeries,
  overallSuccess,
  readMetricsView,
  resolveRange,
  successRows,
  timeTicks,
  withGaps,
  writeMetricsView,
  type MetricBucket,
} from './metric-series';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const bucket = (start: string, fields: Partial<MetricBucket> = {}): MetricBucket => ({
  start,
  count: 1,
  avg: 1,
  min: 1,
  max: 1,
  p50: 1,
  p95: 1,
  ...fields,
});

describe('buckets for a range', () => {
  it('offers only the widths the API accepts (at most 10 000 buckets) and no wider than the range', () => {
    expect(allowedBuckets(HOUR)).toEqual(['1m', '5m', '15m', '30m', '1h']);
    expect(allowedBuckets(30 * DAY)).toEqual(['5m', '15m', '30m', '1h', '6h', '12h', '1d']);
    // 1m over 7 days: 10 080 buckets, refused by the API
    expect(allowedBuckets(7 * DAY)).not.toContain('1m');
    // a range shorter than a minute still has a bucket
    expect(allowedBuckets(20_000)).toEqual(['1m']);
  });

  it('picks a width that gives a readable number of points for each preset', () => {
    expect(defaultBucket(HOUR)).toBe('1m');
    expect(defaultBucket(DAY)).toBe('15m');
    expect(defaultBucket(7 * DAY)).toBe('1h');
    expect(defaultBucket(30 * DAY)).toBe('6h');
  });

  it('keeps a chosen width while the range allows it, else falls back', () => {
    const view = readMetricsView(new URLSearchParams('range=7d&bucket=5m'));
    expect(effectiveBucket(view, 7 * DAY)).toBe('5m');
    expect(effectiveBucket({ ...view, bucket: '1m' }, 7 * DAY)).toBe('1h');
    expect(effectiveBucket({ ...view, bucket: null }, 7 * DAY)).toBe('1h');
  });
});

describe('the view in the URL', () => {
  it('reads defaults from an empty query and ignores values it does not know', () => {
    expect(readMetricsView(new URLSearchParams('range=2y&bucket=3m&metric=x'))).toEqual({
      range: '24h',
      from: null,
      to: null,
      bucket: null,
      agent: null,
      durationMetric: 'task.duration_seconds',
    });
  });

  it('writes only what differs from the defaults, and from/to only for a custom range', () => {
    const params = new URLSearchParams('tab=x');
    const view = readMetricsView(params);
    expect(writeMetricsView(params, view).toString()).toBe('tab=x');
    const custom = writeMetricsView(params, {
      ...view,
      range: 'custom',
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
      agent: 'a1',
      durationMetric: 'message.ack_latency_seconds',
    });
    expect(Object.fromEntries(custom)).toEqual({
      tab: 'x',
      range: 'custom',
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
      agent: 'a1',
      metric: 'message.ack_latency_seconds',
    });
    const back = writeMetricsView(custom, { ...readMetricsView(custom), range: '7d' });
    expect(back.has('from')).toBe(false);
    expect(back.get('range')).toBe('7d');
  });
});

describe('the range asked for', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  const base = readMetricsView(new URLSearchParams());

  it('ends a preset now', () => {
    const range = resolveRange({ ...base, range: '7d' }, now);
    expect(range).toEqual({
      ok: true,
      from: new Date('2026-11-25T12:00:00Z'),
      to: new Date(now),
      ms: 7 * DAY,
    });
  });

  it('takes a custom range as given, and refuses one that ends before it starts', () => {
    const ok = resolveRange(
      { ...base, range: 'custom', from: '2026-12-01T00:00:00Z', to: '2026-12-01T06:00:00Z' },
      now,
    );
    expect(ok.ok && ok.ms).toBe(6 * HOUR);
    const backwards = resolveRange(
      { ...base, range: 'custom', from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' },
      now,
    );
    expect(backwards).toEqual({
      ok: false,
      problem: 'The end (To) must come after the start (From).',
    });
    expect(resolveRange({ ...base, range: 'custom', from: null, to: null }, now).ok).toBe(false);
  });

  it('turns a local date-time input into an instant, and nothing into null', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('nonsense')).toBeNull();
    expect(fromLocalInput('2026-12-01T10:30')).toBe(new Date(2026, 11, 1, 10, 30).toISOString());
  });
});

describe('chart rows', () => {
  it('draws p50 and p95 per bucket in the unit chosen, with a gap for a bucket without points', () => {
    const rows = durationRows(
      [
        bucket('2026-12-01T10:00:00.000Z', { p50: 0.25, p95: 0.5, count: 4 }),
        bucket('2026-12-01T11:00:00.000Z', { p50: 0.3, p95: 0.9, count: 2 }),
        bucket('2026-12-01T13:00:00.000Z', { p50: 0.2, p95: 0.4, count: 1 }),
      ],
      HOUR,
      displayUnit('seconds', 0.9),
    );
    expect(rows).toEqual([
      { t: Date.parse('2026-12-01T10:00:00Z'), p50: 250, p95: 500, count: 4 },
      { t: Date.parse('2026-12-01T11:00:00Z'), p50: 300, p95: 900, count: 2 },
      { t: Date.parse('2026-12-01T12:00:00Z'), p50: null, p95: null, count: null },
      { t: Date.parse('2026-12-01T13:00:00Z'), p50: 200, p95: 400, count: 1 },
    ]);
  });

  it('computes the success rate from task.succeeded means, per bucket and overall', () => {
    const buckets = [
      bucket('2026-12-01T10:00:00.000Z', { avg: 0.75, count: 4 }),
      bucket('2026-12-01T10:15:00.000Z', { avg: 0, count: 1 }),
      bucket('2026-12-01T10:30:00.000Z', { avg: 1, count: 5 }),
    ];
    expect(successRows(buckets, 15 * MIN).map((r) => r.rate)).toEqual([75, 0, 100]);
    // 3 + 0 + 5 successes of 10 outcomes, not the mean of the three rates
    expect(overallSuccess(buckets)).toBe(80);
    expect(overallSuccess([])).toBeNull();
  });

  it('puts one gap row after each bucket before a gap when a full grid would be too long', () => {
    const rows = withGaps(
      [
        { t: 0, v: 1 },
        { t: 10_000 * MIN, v: 2 },
      ],
      MIN,
      ['v'],
    );
    expect(rows).toEqual([
      { t: 0, v: 1 },
      { t: MIN, v: null },
      { t: 10_000 * MIN, v: 2 },
    ]);
  });

  it('lines up agents on the same bucket times, each breaking where it has no point', () => {
    const rows = mergeAgentSeries(
      [
        {
          agent_id: 'a',
          agent_name: 'atlas',
          buckets: [
            bucket('2026-12-01T10:00:00.000Z', { p95: 2 }),
            bucket('2026-12-01T12:00:00.000Z', { p95: 3 }),
          ],
        },
        {
          agent_id: 'b',
          agent_name: 'borealis',
          buckets: [
            bucket('2026-12-01T10:00:00.000Z', { p95: 5 }),
            bucket('2026-12-01T11:00:00.000Z', { p95: 6 }),
            bucket('2026-12-01T12:00:00.000Z', { p95: 7 }),
          ],
        },
      ],
      HOUR,
      (b) => b.p95,
    );
    expect(rows.map((r) => [r.a, r.b])).toEqual([
      [2, 5],
      [null, 6],
      [3, 7],
    ]);
    expect(isolatedPoint(rows, 0, 'a')).toBe(true);
    expect(isolatedPoint(rows, 1, 'b')).toBe(false);
    expect(isolatedPoint(rows, 1, 'a')).toBe(false);
  });
});

describe('units and labels', () => {
  it('shows sub-second durations in ms, long ones in minutes, others in seconds', () => {
    expect(displayUnit('seconds', 0.4)).toEqual({ label: 'ms', factor: 1000 });
    expect(displayUnit('seconds', 12)).toEqual({ label: 's', factor: 1 });
    expect(displayUnit('seconds', 600).label).toBe('min');
    expect(displayUnit('ms', 2500)).toEqual({ label: 's', factor: 0.001 });
    expect(displayUnit('ms', 120)).toEqual({ label: 'ms', factor: 1 });
    // a unit that is no time stays as it is, and none is none
    expect(displayUnit('tokens', 3000)).toEqual({ label: 'tokens', factor: 1 });
    expect(displayUnit(null, 1)).toEqual({ label: '', factor: 1 });
    // nothing measured: seconds
    expect(displayUnit('seconds', 0).label).toBe('s');
  });

  it('formats values with their unit and sensible precision', () => {
    expect(formatValue(1.2345, 's')).toMatch(/^1[.,]23 s$/);
    expect(formatValue(85, '%')).toBe('85 %');
    expect(formatValue(1834.4, 'ms')).toMatch(/^1[,.\s]?834 ms$/);
    expect(formatValue(3, '')).toBe('3');
  });

  it('puts time ticks on round local times, at most the number asked for', () => {
    const from = Date.parse('2026-12-01T10:07:00Z');
    const to = from + DAY;
    const { ticks, stepMs } = timeTicks(from, to, 6, 0);
    expect(stepMs).toBe(6 * HOUR);
    expect(ticks.map((t) => new Date(t).toISOString())).toEqual([
      '2026-12-01T12:00:00.000Z',
      '2026-12-01T18:00:00.000Z',
      '2026-12-02T00:00:00.000Z',
      '2026-12-02T06:00:00.000Z',
    ]);
    // a zone two hours east: local midnights are 22:00Z
    const week = timeTicks(from, from + 7 * DAY, 8, 120);
    expect(week.stepMs).toBe(DAY);
    expect(new Date(week.ticks[0]).toISOString()).toBe('2026-12-01T22:00:00.000Z');
    expect(timeTicks(from, from + HOUR, 6, 0).stepMs).toBe(10 * MIN);
  });

  it('labels ticks by the time of day within a day, by date beyond', () => {
    const t = Date.parse('2026-12-01T18:00:00Z');
    expect(formatTick(t, HOUR, 'UTC')).toMatch(/(18:00|06:00\s?PM)/);
    expect(formatTick(t, DAY, 'UTC')).toMatch(/Dec\s1|1\sDec/);
  });
});
