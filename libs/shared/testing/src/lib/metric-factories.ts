import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './create-test-app';
import type { AuthHeaders } from './factories';

/**
 * One-line factories for agent metrics, through the API as an agent or a manager records and
 * reads them; the non-`Request` ones throw, naming the request, if the API refuses.
 */

export type MetricPointInput = {
  metric_name: string;
  metric_value: number;
  metric_unit?: string | null;
  recorded_at?: string | null;
  context?: Record<string, unknown> | null;
};

export type MetricPointJson = {
  id: string;
  agent_id: string;
  project_id: string;
  metric_name: string;
  metric_value: number;
  metric_unit: string | null;
  recorded_at: string;
  context: Record<string, unknown> | null;
};

export type MetricBucketJson = {
  start: string;
  count: number;
  avg: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
};

export type MetricSummaryJson = {
  metric_name: string;
  unit: string | null;
  from: string;
  to: string;
  bucket: string;
  buckets: MetricBucketJson[];
};

export type GroupedMetricSummaryJson = Omit<MetricSummaryJson, 'buckets'> & {
  group_by: 'agent';
  agents: { agent_id: string; agent_name: string; buckets: MetricBucketJson[] }[];
};

/** A point of `name` with `value`, recorded `at` (an instant, or ms since the epoch) when given. */
export const metricPoint = (
  name: string,
  value: number,
  at?: Date | number | string,
  fields: Partial<MetricPointInput> = {},
): MetricPointInput => ({
  metric_name: name,
  metric_value: value,
  ...(at === undefined ? {} : { recorded_at: new Date(at).toISOString() }),
  ...fields,
});

/** `POST /agents/:id/metrics {metrics}`, answered as is: tests of refusals read the response. */
export const recordMetricsRequest = (
  t: TestApp,
  as: AuthHeaders,
  agentId: string,
  payload: unknown,
): Promise<LightMyRequestResponse> =>
  t.request({
    method: 'POST',
    url: `/api/v1/agents/${agentId}/metrics`,
    headers: as,
    payload: payload as object,
  });

/** Records `points` for the agent (at most 1000); answers how many were stored. */
export async function recordMetrics(
  t: TestApp,
  as: AuthHeaders,
  agentId: string,
  points: MetricPointInput[],
): Promise<number> {
  const res = await recordMetricsRequest(t, as, agentId, { metrics: points });
  if (res.statusCode !== 201) {
    throw new Error(
      `record metrics of ${agentId}: expected 201, got ${res.statusCode}: ${res.body}`,
    );
  }
  return res.json<{ recorded: number }>().recorded;
}

const queryString = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
};

/** `GET <path>` with the query, answered as is. */
export const metricsGetRequest = (
  t: TestApp,
  as: AuthHeaders,
  path: string,
  params: Record<string, string | number | undefined> = {},
): Promise<LightMyRequestResponse> =>
  t.request({ method: 'GET', url: `/api/v1${path}${queryString(params)}`, headers: as });

async function getOk<T>(
  t: TestApp,
  as: AuthHeaders,
  path: string,
  params: Record<string, string | number | undefined>,
): Promise<T> {
  const res = await metricsGetRequest(t, as, path, params);
  if (res.statusCode !== 200) {
    throw new Error(`GET ${path}: expected 200, got ${res.statusCode}: ${res.body}`);
  }
  return res.json<T>();
}

/** A page of the agent's raw points, newest first. */
export const listAgentMetrics = (
  t: TestApp,
  as: AuthHeaders,
  agentId: string,
  params: Record<string, string | number | undefined> = {},
) =>
  getOk<{ items: MetricPointJson[]; total: number; limit: number; offset: number }>(
    t,
    as,
    `/agents/${agentId}/metrics`,
    params,
  );

/** The agent's summary of `params.metric_name`. */
export const agentMetricSummary = (
  t: TestApp,
  as: AuthHeaders,
  agentId: string,
  params: Record<string, string | number | undefined> & { metric_name: string },
) => getOk<MetricSummaryJson>(t, as, `/agents/${agentId}/metrics/summary`, params);

/** The project's summary of `params.metric_name`, pooled (or per agent with `group_by: 'agent'`). */
export const projectMetricSummary = <T = MetricSummaryJson>(
  t: TestApp,
  as: AuthHeaders,
  projectId: string,
  params: Record<string, string | number | undefined> & { metric_name: string },
) => getOk<T>(t, as, `/projects/${projectId}/metrics/summary`, params);
