import {
  claimTask,
  createAgentsWithKeys,
  createProject,
  createTask,
  messageCall,
  patchTask,
  receiveInbox,
  registerAndLogin,
  sendMessage,
} from '@agenthub/testing';
import { BUSINESS_METRICS_TTL_MS } from '../src/metrics/business-metrics';
import { useApiTestApp } from './create-api-test-app';

describe('GET /metrics', () => {
  const ctx = useApiTestApp();

  it('exposes Prometheus metrics with request durations labelled by route pattern', async () => {
    await ctx.t.request({ method: 'GET', url: '/health/live' });
    await ctx.t.request({ method: 'GET', url: '/api/v1/no-such-route/123' });
    const res = await ctx.t.request({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect(res.body).toMatch(
      /http_request_duration_seconds_count\{[^}]*method="GET"[^}]*route="\/health\/live"[^}]*status="200"/,
    );
    // Unmatched URLs never become labels of their own.
    expect(res.body).not.toContain('no-such-route');
  });
});

describe('GET /metrics: business gauges', () => {
  const ctx = useApiTestApp();
  afterEach(() => jest.restoreAllMocks());

  const scrape = async (): Promise<string> => {
    const res = await ctx.t.request({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  /** One sample's value: the series of `name` whose labels include `label`. */
  const value = (text: string, name: string, label: string): number | undefined => {
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`${name}{`) && l.slice(0, l.indexOf('}')).includes(label));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  /** Moves the clock the gauges' cache looks at past its TTL (the next scrape reads again). */
  let skew = 0;
  const pastTheCache = () => {
    skew += BUSINESS_METRICS_TTL_MS + 1;
    const realNow = Date.now.bind(Date);
    jest.restoreAllMocks();
    const offset = skew;
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
  };

  it('shows queue depth and per-status counts, and they move after a task completes and a message is acknowledged', async () => {
    const owner = await registerAndLogin(ctx.t, 'gauges@agents.test');
    const project = (await createProject(ctx.t, owner.auth, 'Gauges')).id;
    const [worker, peer] = await createAgentsWithKeys(ctx.t, owner.auth, project, 2);
    const task = await createTask(ctx.t, owner.auth, project);
    const [message] = await sendMessage(ctx.t, worker.key, { recipient_id: peer.id });

    pastTheCache();
    const before = await scrape();
    expect(value(before, 'agenthub_business_metrics_up', 'app=')).toBe(1);
    expect(value(before, 'agenthub_queue_depth', 'queue="tasks"')).toBe(1);
    expect(value(before, 'agenthub_queue_depth', 'queue="messages"')).toBe(1);
    expect(value(before, 'agenthub_tasks', 'status="pending"')).toBe(1);
    expect(value(before, 'agenthub_tasks', 'status="completed"')).toBe(0);
    expect(value(before, 'agenthub_agent_messages', 'status="acknowledged"')).toBe(0);
    expect(value(before, 'agenthub_workflow_executions', 'status="running"')).toBe(0);
    expect(value(before, 'agenthub_agents', 'status="offline"')).toBe(2);

    expect((await claimTask(ctx.t, worker.key)).json()).toMatchObject({ id: task.id });
    expect((await patchTask(ctx.t, worker.key, task.id, { status: 'completed' })).statusCode).toBe(
      200,
    );
    const [received] = await receiveInbox(ctx.t, peer.key, peer.id);
    expect(received.id).toBe(message.id);
    expect((await messageCall(ctx.t, peer.key, message.id, 'ack')).statusCode).toBe(200);

    // Within the cache's few seconds, a scrape answers the figures it already read.
    expect(value(await scrape(), 'agenthub_tasks', 'status="completed"')).toBe(0);

    pastTheCache();
    const after = await scrape();
    expect(value(after, 'agenthub_queue_depth', 'queue="tasks"')).toBe(0);
    expect(value(after, 'agenthub_queue_depth', 'queue="messages"')).toBe(0);
    expect(value(after, 'agenthub_tasks', 'status="pending"')).toBe(0);
    expect(value(after, 'agenthub_tasks', 'status="completed"')).toBe(1);
    expect(value(after, 'agenthub_agent_messages', 'status="pending"')).toBe(0);
    expect(value(after, 'agenthub_agent_messages', 'status="acknowledged"')).toBe(1);
  });

  it('labels the business gauges with status and queue names only (no ids, no projects)', async () => {
    pastTheCache();
    const text = await scrape();
    const series = text.split('\n').filter((l) => /^agenthub_[a-z_]+\{/.test(l));
    // Queues, task, message, execution and agent statuses, and agenthub_business_metrics_up.
    expect(series.length).toBe(2 + 5 + 6 + 4 + 6 + 1);
    for (const line of series) {
      const labels = line.slice(line.indexOf('{') + 1, line.indexOf('}'));
      for (const pair of labels.split(',')) {
        expect(pair).toMatch(/^(app="agenthub-api"|status="[a-z_]+"|queue="(tasks|messages)")$/);
      }
    }
    // Each gauge says in its help that every process reports the database-wide figure.
    expect(text).toMatch(/# HELP agenthub_tasks .*aggregate with max, not sum/);
  });
});

describe('OpenAPI', () => {
  const ctx = useApiTestApp();

  it('serves the OpenAPI document and Swagger UI', async () => {
    const json = await ctx.t.request({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({
      openapi: expect.stringMatching(/^3\./),
      info: { title: 'AgentHub API' },
    });
    const ui = await ctx.t.request({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });
});
