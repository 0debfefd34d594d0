import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { MetricRetentionSweeper } from '@agenthub/performance';
import {
  agentMetricSummary,
  createAgent,
  createAgentsWithKeys,
  createProject,
  expectProblem,
  GroupedMetricSummaryJson,
  listAgentMetrics,
  metricPoint,
  MetricPointInput,
  metricsGetRequest,
  projectMetricSummary,
  query,
  recordMetrics,
  recordMetricsRequest,
} from '@agenthub/testing';
import { accessCases, expectAccess, manage, READ, useWorld, World } from './world';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** percentile_cont: linear interpolation between the two closest ranks of ascending `sorted`. */
function percentileCont(sorted: number[], p: number): number {
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** What the summary must say for `points`, bucketed by `width` ms from the epoch (UTC). */
function expectedBuckets(points: { value: number; at: number }[], width: number) {
  const byStart = new Map<number, number[]>();
  for (const p of points) {
    const start = Math.floor(p.at / width) * width;
    byStart.set(start, [...(byStart.get(start) ?? []), p.value]);
  }
  return [...byStart.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return {
        start: new Date(start).toISOString(),
        count: values.length,
        avg: values.reduce((s, v) => s + v, 0) / values.length,
        min: sorted[0],
        max: sorted[sorted.length - 1],
        p50: percentileCont(sorted, 0.5),
        p95: percentileCont(sorted, 0.95),
      };
    });
}

/** Compares buckets field by field, floats to 9 digits (the database sums in its own order). */
function expectBuckets(
  actual: Record<string, unknown>[],
  expected: ReturnType<typeof expectedBuckets>,
) {
  expect(actual.map((b) => [b['start'], b['count']])).toEqual(
    expected.map((b) => [b.start, b.count]),
  );
  expected.forEach((e, i) => {
    for (const key of ['avg', 'min', 'max', 'p50', 'p95'] as const) {
      expect([i, key, actual[i][key]]).toEqual([i, key, expect.closeTo(e[key], 9)]);
    }
  });
}

/** A deterministic spread of values (no Math.random: a failure must replay). */
const valueAt = (i: number) => Math.round(((i * 7919) % 1000) * 1.37 * 100) / 100 - 200;

describe('agent metrics', () => {
  const w = useWorld();

  /** A project of its own with `n` agents and their keys, so counts are this test's only. */
  async function fleet(n = 1) {
    const project = (await createProject(w.t, w.owner, `Metrics ${randomUUID()}`)).id;
    return { project, agents: await createAgentsWithKeys(w.t, w.owner, project, n) };
  }

  /** A project of its own with agents of these names. */
  async function namedFleet(names: string[]) {
    const project = (await createProject(w.t, w.owner, `Metrics ${randomUUID()}`)).id;
    const agents = await Promise.all(
      names.map(async (name) => (await createAgent(w.t, w.owner, project, { name })).id),
    );
    return { project, agents };
  }

  /** Whole hours ago, on an hour boundary, so buckets are known. */
  const hoursAgo = (h: number) => Math.floor(Date.now() / HOUR) * HOUR - h * HOUR;

  describe('recording', () => {
    it('stores the points an agent records about itself, each field as given, newest first', async () => {
      const { project, agents } = await fleet(1);
      const [agent] = agents;
      const at = hoursAgo(2);
      const recorded = await recordMetrics(w.t, agent.key, agent.id, [
        metricPoint('latency.ms', 12.5, at, { metric_unit: 'ms', context: { model: 'x', n: 1 } }),
        metricPoint('latency.ms', -3, at + MINUTE),
        metricPoint('tokens', Number.MAX_VALUE, at + 2 * MINUTE, { metric_unit: null }),
      ]);
      expect(recorded).toBe(3);
      const page = await listAgentMetrics(w.t, w.owner, agent.id);
      expect(page).toMatchObject({ total: 3, limit: 50, offset: 0 });
      expect(page.items).toEqual([
        {
          id: expect.any(String),
          agent_id: agent.id,
          project_id: project,
          metric_name: 'tokens',
          metric_value: Number.MAX_VALUE,
          metric_unit: null,
          recorded_at: new Date(at + 2 * MINUTE).toISOString(),
          context: null,
        },
        expect.objectContaining({ metric_name: 'latency.ms', metric_value: -3, metric_unit: null }),
        expect.objectContaining({
          metric_value: 12.5,
          metric_unit: 'ms',
          recorded_at: new Date(at).toISOString(),
          context: { model: 'x', n: 1 },
        }),
      ]);
    });

    it("stamps a point without recorded_at with the database's now, and a manager may record for an agent", async () => {
      const { agents } = await fleet(1);
      const [{ now }] = await query<{ now: Date }>(w.db.url, 'SELECT now() AS now');
      for (const as of [w.owner, w.superuser]) {
        await recordMetrics(w.t, as, agents[0].id, [
          metricPoint('queue.depth', 4),
          { ...metricPoint('queue.depth', 5), recorded_at: null },
        ]);
      }
      const { items } = await listAgentMetrics(w.t, w.owner, agents[0].id);
      expect(items).toHaveLength(4);
      for (const item of items) {
        const at = Date.parse(item.recorded_at);
        expect(at).toBeGreaterThanOrEqual(now.getTime() - 1000);
        expect(at).toBeLessThanOrEqual(Date.now() + 1000);
      }
    });

    it('takes 1000 points in one request, and writes an audit row naming the agent and its project', async () => {
      const { project, agents } = await fleet(1);
      const at = hoursAgo(1);
      const points = Array.from({ length: 1000 }, (_, i) => metricPoint('bulk', i, at + i));
      expect(await recordMetrics(w.t, w.owner, agents[0].id, points)).toBe(1000);
      expect((await listAgentMetrics(w.t, w.owner, agents[0].id, { limit: 1 })).total).toBe(1000);
      const audit = await query(
        w.db.url,
        `SELECT action, resource_type, resource_id, project_id, actor_id FROM audit_log WHERE resource_id = $1`,
        [agents[0].id],
      );
      expect(audit).toContainEqual({
        action: 'agent.record_metrics',
        resource_type: 'agent',
        resource_id: agents[0].id,
        project_id: project,
        actor_id: w.ownerId,
      });
    });

    it('accepts a point up to 5 minutes ahead of the clock and at 1970-01-01', async () => {
      const { agents } = await fleet(1);
      const res = await recordMetricsRequest(w.t, w.owner, agents[0].id, {
        metrics: [
          metricPoint('skew', 1, Date.now() + 4 * MINUTE),
          metricPoint('skew', 2, '1970-01-01T00:00:00Z'),
          { ...metricPoint('skew', 3), recorded_at: '2026-01-03T10:00:00.5+02:00' },
        ],
      });
      expect(res.statusCode).toBe(201);
      const { items } = await listAgentMetrics(w.t, w.owner, agents[0].id);
      expect(items.map((i) => i.recorded_at)).toContain('2026-01-03T08:00:00.500Z');
    });
  });

  describe('validation', () => {
    const good = (): MetricPointInput => metricPoint('ok', 1);
    const longJson = { blob: 'x'.repeat(4100) };
    const cases: [string, unknown, string][] = [
      ['a missing metric_name', { metric_value: 1 }, 'metric_name'],
      ['an empty metric_name', { metric_name: '', metric_value: 1 }, 'metric_name'],
      ['an upper-case metric_name', { metric_name: 'Latency', metric_value: 1 }, 'metric_name'],
      [
        'a metric_name starting with a digit',
        { metric_name: '1x', metric_value: 1 },
        'metric_name',
      ],
      ['a metric_name with a dash', { metric_name: 'a-b', metric_value: 1 }, 'metric_name'],
      [
        'a metric_name of 101 characters',
        { metric_name: 'a'.repeat(101), metric_value: 1 },
        'metric_name',
      ],
      ['a number as metric_name', { metric_name: 42, metric_value: 1 }, 'metric_name'],
      ['a missing metric_value', { metric_name: 'x' }, 'metric_value'],
      ['a string metric_value', { metric_name: 'x', metric_value: '1' }, 'metric_value'],
      ['a null metric_value', { metric_name: 'x', metric_value: null }, 'metric_value'],
      ['a boolean metric_value', { metric_name: 'x', metric_value: true }, 'metric_value'],
      ['an object metric_value', { metric_name: 'x', metric_value: {} }, 'metric_value'],
      [
        'a metric_unit of 51 characters',
        { ...metricPoint('x', 1), metric_unit: 'u'.repeat(51) },
        'metric_unit',
      ],
      ['an empty metric_unit', { ...metricPoint('x', 1), metric_unit: '' }, 'metric_unit'],
      ['a number as metric_unit', { ...metricPoint('x', 1), metric_unit: 5 }, 'metric_unit'],
      [
        'a recorded_at that is no date',
        { ...metricPoint('x', 1), recorded_at: 'yesterday' },
        'recorded_at',
      ],
      [
        'a recorded_at without a time zone',
        { ...metricPoint('x', 1), recorded_at: '2026-12-03T10:00:00' },
        'recorded_at',
      ],
      [
        'a date-only recorded_at',
        { ...metricPoint('x', 1), recorded_at: '2026-12-03' },
        'recorded_at',
      ],
      [
        'a recorded_at on February 30',
        { ...metricPoint('x', 1), recorded_at: '2026-02-30T00:00:00Z' },
        'recorded_at',
      ],
      [
        'a recorded_at before 1970',
        { ...metricPoint('x', 1), recorded_at: '1969-12-31T23:59:59Z' },
        'recorded_at',
      ],
      [
        'a recorded_at 6 minutes ahead',
        metricPoint('x', 1, Date.now() + 6 * MINUTE),
        'recorded_at',
      ],
      [
        'a number as recorded_at',
        { ...metricPoint('x', 1), recorded_at: 1_700_000_000 },
        'recorded_at',
      ],
      ['an array as context', { ...metricPoint('x', 1), context: [1] }, 'context'],
      ['a string as context', { ...metricPoint('x', 1), context: 'x' }, 'context'],
      ['a context over 4096 bytes', { ...metricPoint('x', 1), context: longJson }, 'context'],
      ['an unknown field', { ...metricPoint('x', 1), weight: 1 }, 'weight'],
    ];

    it.each(cases)('refuses %s, naming the point and the field', async (_what, point, field) => {
      const res = await recordMetricsRequest(w.t, w.owner, w.a2, {
        metrics: [good(), good(), point],
      });
      expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      expect(Object.keys(res.json().errors)).toEqual([`metrics.2.${field}`]);
    });

    it('refuses a value JSON reads as Infinity (1e309)', async () => {
      const res = await w.t.request({
        method: 'POST',
        url: `/api/v1/agents/${w.a2}/metrics`,
        headers: { ...w.owner, 'content-type': 'application/json' },
        payload: '{"metrics":[{"metric_name":"x","metric_value":1e309}]}',
      });
      expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      expect(res.json().errors).toEqual({
        'metrics.0.metric_value': ['metric_value must be a finite number'],
      });
    });

    it.each([
      ['no points', { metrics: [] }],
      ['1001 points', { metrics: Array.from({ length: 1001 }, () => metricPoint('x', 1)) }],
      ['points that are no list', { metrics: { metric_name: 'x', metric_value: 1 } }],
      ['no metrics at all', {}],
      ['a point that is no object', { metrics: [5] }],
      ['a null point', { metrics: [null] }],
    ])('refuses %s', async (_what, payload) => {
      const res = await recordMetricsRequest(w.t, w.owner, w.a2, payload);
      expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      expect(Object.keys(res.json().errors)[0]).toMatch(/^metrics/);
    });

    it('stores none of the points when one is refused', async () => {
      const { agents } = await fleet(1);
      const res = await recordMetricsRequest(w.t, w.owner, agents[0].id, {
        metrics: [metricPoint('x', 1), metricPoint('x', Number.NaN)],
      });
      expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      expect((await listAgentMetrics(w.t, w.owner, agents[0].id)).total).toBe(0);
    });

    it('answers 404 for an unknown agent and 400 for a malformed id', async () => {
      expectProblem(
        await recordMetricsRequest(w.t, w.owner, randomUUID(), { metrics: [good()] }),
        404,
        'AGENT.NOT_FOUND',
      );
      expectProblem(
        await metricsGetRequest(w.t, w.owner, `/agents/${randomUUID()}/metrics`),
        404,
        'AGENT.NOT_FOUND',
      );
      expectProblem(
        await metricsGetRequest(w.t, w.owner, `/projects/${randomUUID()}/metrics/summary`, {
          metric_name: 'x',
        }),
        404,
        'PROJECT.NOT_FOUND',
      );
      expectProblem(
        await metricsGetRequest(w.t, w.owner, '/agents/nope/metrics'),
        400,
        'REQUEST.INVALID_ID',
      );
    });
  });

  describe('raw points', () => {
    it('filters by metric and by [from, to), newest first, and pages with a total', async () => {
      const { agents } = await fleet(1);
      const base = hoursAgo(3);
      await recordMetrics(w.t, w.owner, agents[0].id, [
        ...Array.from({ length: 10 }, (_, i) => metricPoint('cpu', i, base + i * MINUTE)),
        metricPoint('memory', 99, base + 5.5 * MINUTE),
      ]);
      const at = (i: number) => new Date(base + i * MINUTE).toISOString();
      const cpu = await listAgentMetrics(w.t, w.owner, agents[0].id, { metric_name: 'cpu' });
      expect(cpu.items.map((i) => i.metric_value)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);

      const ranged = await listAgentMetrics(w.t, w.owner, agents[0].id, { from: at(3), to: at(6) });
      expect(ranged.items.map((i) => [i.metric_name, i.metric_value])).toEqual([
        ['memory', 99],
        ['cpu', 5],
        ['cpu', 4],
        ['cpu', 3],
      ]);
      expect(ranged.total).toBe(4);

      const second = await listAgentMetrics(w.t, w.owner, agents[0].id, {
        metric_name: 'cpu',
        limit: 3,
        offset: 3,
      });
      expect(second).toMatchObject({ total: 10, limit: 3, offset: 3 });
      expect(second.items.map((i) => i.metric_value)).toEqual([6, 5, 4]);
      const past = await listAgentMetrics(w.t, w.owner, agents[0].id, { offset: 50 });
      expect(past).toMatchObject({ items: [], total: 11 });
    });

    it.each([
      [{ from: '2026-12-03T10:00:00Z', to: '2026-12-03T09:00:00Z' }, 'to'],
      [{ from: 'last tuesday' }, 'from'],
      [{ to: '2026-12-03' }, 'to'],
      [{ metric_name: 'Bad Name' }, 'metric_name'],
      [{ limit: 0 }, 'limit'],
      [{ bucket: '1h' }, 'bucket'],
    ])('refuses the query %j, naming %s', async (params, field) => {
      const res = await metricsGetRequest(w.t, w.owner, `/agents/${w.a1}/metrics`, params);
      expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
      expect(Object.keys(res.json().errors)).toEqual([field]);
    });
  });

  describe('summaries', () => {
    it("computes each bucket's count, avg, min, max, p50 and p95 as percentile_cont does", async () => {
      const { agents } = await fleet(1);
      const base = hoursAgo(6);
      // 6 hours, with 1, 2, 3, … points per hour at uneven minutes; hour 3 has none.
      const points: { value: number; at: number }[] = [];
      for (let h = 0; h < 6; h++) {
        if (h === 3) continue;
        for (let k = 0; k <= h * 4; k++) {
          points.push({
            value: valueAt(points.length),
            at: base + h * HOUR + ((k * 7) % 60) * MINUTE + k * 1000,
          });
        }
      }
      await recordMetrics(
        w.t,
        w.owner,
        agents[0].id,
        points.map((p, i) =>
          metricPoint('task.seconds', p.value, p.at, { metric_unit: i === 3 ? 's' : null }),
        ),
      );
      await recordMetrics(w.t, w.owner, agents[0].id, [metricPoint('other', 1e6, base + HOUR)]);
      const from = new Date(base).toISOString();
      const to = new Date(base + 6 * HOUR).toISOString();

      const hourly = await agentMetricSummary(w.t, w.owner, agents[0].id, {
        metric_name: 'task.seconds',
        from,
        to,
      });
      expect(hourly).toMatchObject({
        metric_name: 'task.seconds',
        unit: 's',
        from,
        to,
        bucket: '1h',
      });
      expect(hourly.buckets).toHaveLength(5); // the empty hour is left out
      expectBuckets(hourly.buckets, expectedBuckets(points, HOUR));

      const quarter = await agentMetricSummary(w.t, w.owner, agents[0].id, {
        metric_name: 'task.seconds',
        from,
        to,
        bucket: '15m',
      });
      expectBuckets(quarter.buckets, expectedBuckets(points, 15 * MINUTE));
    });

    it('aligns buckets to UTC boundaries and counts only the points inside the range', async () => {
      const { agents } = await fleet(1);
      const day = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR - 2 * 24 * HOUR; // 00:00Z two days ago
      const points = [0, 1, 5, 11, 13, 23].map((h, i) => ({
        value: i * 10,
        at: day + h * HOUR + 17 * MINUTE,
      }));
      await recordMetrics(
        w.t,
        w.owner,
        agents[0].id,
        points.map((p) => metricPoint('m', p.value, p.at)),
      );

      const daily = await agentMetricSummary(w.t, w.owner, agents[0].id, {
        metric_name: 'm',
        from: new Date(day + 3 * HOUR).toISOString(),
        to: new Date(day + 30 * HOUR).toISOString(),
        bucket: '1d',
      });
      // The bucket starts at 00:00Z though the range starts at 03:00: the points before are not in it.
      expectBuckets(daily.buckets, expectedBuckets(points.slice(2), 24 * HOUR));
      expect(daily.buckets[0].start).toBe(new Date(day).toISOString());
      expect(daily.unit).toBeNull();

      const halfDays = await agentMetricSummary(w.t, w.owner, agents[0].id, {
        metric_name: 'm',
        from: new Date(day).toISOString(),
        to: new Date(day + 13 * HOUR + 17 * MINUTE).toISOString(), // `to` is exclusive
        bucket: '12h',
      });
      // 13:17 is the range's end, so the second half-day has no point and is left out.
      expect(halfDays.buckets.map((b) => [b.start, b.count])).toEqual([
        [new Date(day).toISOString(), 4],
      ]);
    });

    it('covers the last 24 hours by default', async () => {
      const { agents } = await fleet(1);
      await recordMetrics(w.t, w.owner, agents[0].id, [
        metricPoint('recent', 1, Date.now() - 25 * HOUR),
        metricPoint('recent', 2, Date.now() - 2 * HOUR),
        metricPoint('recent', 4, Date.now() - MINUTE),
      ]);
      const before = Date.now();
      const summary = await agentMetricSummary(w.t, w.owner, agents[0].id, {
        metric_name: 'recent',
      });
      expect(summary.buckets.reduce((n, b) => n + b.count, 0)).toBe(2);
      expect(Date.parse(summary.to)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(summary.to) - Date.parse(summary.from)).toBe(24 * HOUR);
    });

    it.each([
      [{}, 'metric_name'],
      [{ metric_name: 'x', bucket: '2h' }, 'bucket'],
      [
        {
          metric_name: 'x',
          bucket: '1m',
          from: '2026-01-01T00:00:00Z',
          to: '2026-02-01T00:00:00Z',
        },
        'bucket',
      ],
      [{ metric_name: 'x', from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'to'],
      [{ metric_name: 'x', from: new Date(Date.now() + HOUR).toISOString() }, 'from'],
      [{ metric_name: 'x', limit: 5 }, 'limit'],
    ])('refuses the summary query %j, naming %s', async (params, field) => {
      for (const path of [`/agents/${w.a1}/metrics/summary`, `/projects/${w.p1}/metrics/summary`]) {
        const res = await metricsGetRequest(w.t, w.owner, path, params);
        expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
        expect(Object.keys(res.json().errors)).toEqual([field]);
      }
    });

    it("pools a project's fleet, or gives one series per agent that has points, by name", async () => {
      const { project, agents } = await namedFleet(['zeta', 'alpha', 'idle']);
      const [zeta, alpha] = agents.map((id) => ({ id }));
      const base = hoursAgo(4);
      const zetaPoints = [3, 9, 1, 7].map((v, i) => ({ value: v, at: base + i * 20 * MINUTE }));
      const alphaPoints = [10, 20, 30, 40, 50].map((v, i) => ({
        value: v,
        at: base + HOUR + i * MINUTE,
      }));
      await recordMetrics(
        w.t,
        w.owner,
        zeta.id,
        zetaPoints.map((p) => metricPoint('load', p.value, p.at, { metric_unit: 'jobs' })),
      );
      await recordMetrics(
        w.t,
        w.owner,
        alpha.id,
        alphaPoints.map((p) => metricPoint('load', p.value, p.at)),
      );
      // Another project's point in the same range is not the fleet's.
      await recordMetrics(w.t, w.owner, w.a1, [metricPoint('load', 1000, base + HOUR)]);
      const range = {
        metric_name: 'load',
        from: new Date(base).toISOString(),
        to: new Date(base + 3 * HOUR).toISOString(),
      };

      const pooled = await projectMetricSummary(w.t, w.owner, project, range);
      expect(pooled).toMatchObject({ metric_name: 'load', unit: 'jobs', bucket: '1h' });
      expect(pooled).not.toHaveProperty('agents');
      expectBuckets(pooled.buckets, expectedBuckets([...zetaPoints, ...alphaPoints], HOUR));

      // An agent of another project may not read it (w.agentKey is P1's).
      expectProblem(
        await metricsGetRequest(w.t, w.agentKey, `/projects/${project}/metrics/summary`, range),
        403,
        'PROJECT.FORBIDDEN',
      );

      const byAgent = await projectMetricSummary<GroupedMetricSummaryJson>(w.t, w.owner, project, {
        ...range,
        group_by: 'agent',
      });
      expect(byAgent).toMatchObject({ metric_name: 'load', unit: 'jobs', group_by: 'agent' });
      expect(byAgent).not.toHaveProperty('buckets');
      expect(byAgent.agents.map((a) => [a.agent_name, a.agent_id])).toEqual([
        ['alpha', alpha.id],
        ['zeta', zeta.id],
      ]);
      expectBuckets(byAgent.agents[0].buckets, expectedBuckets(alphaPoints, HOUR));
      expectBuckets(byAgent.agents[1].buckets, expectedBuckets(zetaPoints, HOUR));

      const bad = await metricsGetRequest(w.t, w.owner, `/projects/${project}/metrics/summary`, {
        ...range,
        group_by: 'capability',
      });
      expectProblem(bad, 400, 'REQUEST.VALIDATION_FAILED');
      expect(Object.keys(bad.json().errors)).toEqual(['group_by']);
    });
  });

  describe('retention', () => {
    const DAY = 24 * HOUR;

    it('purges points older than METRIC_RETENTION_DAYS (90) in batches and keeps the rest', async () => {
      const sweeper = w.t.app.get(MetricRetentionSweeper);
      await sweeper.purge(); // old points other tests recorded (1970, last January)
      const { agents } = await fleet(1);
      const old = Array.from({ length: 7 }, (_, i) =>
        metricPoint('old', i, Date.now() - 91 * DAY - i * HOUR),
      );
      const kept = [metricPoint('old', 100, Date.now() - 89 * DAY), metricPoint('new', 1)];
      await recordMetrics(w.t, w.owner, agents[0].id, [...old, ...kept]);

      expect(await sweeper.purge(3)).toBe(7); // 3 + 3 + 1
      const left = await listAgentMetrics(w.t, w.owner, agents[0].id);
      expect(left.items.map((i) => i.metric_value).sort((a, b) => a - b)).toEqual([1, 100]);
      expect(await sweeper.purge()).toBe(0);
    });

    it('skips a point another transaction holds, without waiting, and takes it next round', async () => {
      await w.t.app.get(MetricRetentionSweeper).purge();
      const { agents } = await fleet(1);
      await recordMetrics(w.t, w.owner, agents[0].id, [
        metricPoint('held', 1, Date.now() - 100 * DAY),
        metricPoint('held', 2, Date.now() - 100 * DAY),
      ]);
      const [held] = await query<{ id: string }>(
        w.db.url,
        `SELECT id FROM agent_performance WHERE agent_id = $1 AND metric_value = 1`,
        [agents[0].id],
      );
      const client = new Client({ connectionString: w.db.url });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT 1 FROM agent_performance WHERE id = $1 FOR UPDATE', [held.id]);
        const started = Date.now();
        expect(await w.t.app.get(MetricRetentionSweeper).purge()).toBe(1);
        expect(Date.now() - started).toBeLessThan(5000);
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
      expect(await w.t.app.get(MetricRetentionSweeper).purge()).toBe(1);
      expect((await listAgentMetrics(w.t, w.owner, agents[0].id)).total).toBe(0);
    });

    it('goes with its agent: deleting the agent deletes its points', async () => {
      const { agents } = await fleet(1);
      await recordMetrics(w.t, w.owner, agents[0].id, [metricPoint('gone', 1)]);
      const res = await w.t.request({
        method: 'DELETE',
        url: `/api/v1/agents/${agents[0].id}`,
        headers: w.owner,
      });
      expect(res.statusCode).toBe(204);
      const rows = await query(w.db.url, 'SELECT 1 FROM agent_performance WHERE agent_id = $1', [
        agents[0].id,
      ]);
      expect(rows).toHaveLength(0);
    });
  });

  describe('access', () => {
    const body = { metrics: [metricPoint('access.probe', 1)] };
    const routes = [
      {
        route: "POST /agents/:id/metrics (the agent's own)",
        request: (world: World) => ({
          method: 'POST' as const,
          url: `/api/v1/agents/${world.a1}/metrics`,
          payload: body,
        }),
        expected: { ...manage(201), agentKey: 201 },
      },
      {
        route: 'POST /agents/:id/metrics (another agent of the project)',
        request: (world: World) => ({
          method: 'POST' as const,
          url: `/api/v1/agents/${world.a2}/metrics`,
          payload: body,
        }),
        expected: manage(201),
      },
      {
        route: 'GET /agents/:id/metrics',
        request: (world: World) => ({
          method: 'GET' as const,
          url: `/api/v1/agents/${world.a2}/metrics`,
        }),
        expected: READ,
      },
      {
        route: 'GET /agents/:id/metrics/summary',
        request: (world: World) => ({
          method: 'GET' as const,
          url: `/api/v1/agents/${world.a2}/metrics/summary?metric_name=access.probe`,
        }),
        expected: READ,
      },
      {
        route: 'GET /projects/:id/metrics/summary',
        request: (world: World) => ({
          method: 'GET' as const,
          url: `/api/v1/projects/${world.p1}/metrics/summary?metric_name=access.probe`,
        }),
        expected: READ,
      },
      {
        route: 'GET /projects/:id/metrics/summary?group_by=agent',
        request: (world: World) => ({
          method: 'GET' as const,
          url: `/api/v1/projects/${world.p1}/metrics/summary?metric_name=access.probe&group_by=agent`,
        }),
        expected: READ,
      },
    ];
    it.each(accessCases(routes))('%s as %s → %i', async (_route, actor, status, routeCase) => {
      await expectAccess(w, actor, status, routeCase);
    });

    it("tells an agent it may record only its own metrics, and another project's agent that it is not its project", async () => {
      expectProblem(
        await recordMetricsRequest(w.t, w.agentKey, w.a2, body),
        403,
        'METRIC.AGENT_FORBIDDEN',
      );
      expectProblem(
        await recordMetricsRequest(w.t, w.otherProjectAgentKey, w.a1, body),
        403,
        'PROJECT.FORBIDDEN',
      );
      expectProblem(
        await recordMetricsRequest(w.t, w.otherUser, w.a1, body),
        403,
        'PROJECT.FORBIDDEN',
      );
    });
  });
});
