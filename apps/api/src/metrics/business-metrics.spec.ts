import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import type { FleetCounts } from '@agenthub/performance';
import { BusinessMetrics } from './business-metrics';

const counts = (pending: number): FleetCounts => ({
  agents: { offline: 1, online: 2, idle: 0, active: 0, busy: 0, error: 0 },
  tasks: { pending, in_progress: 1, completed: 5, failed: 2, cancelled: 0 },
  messages: { pending: 4, sent: 0, delivered: 1, acknowledged: 7, failed: 0, expired: 0 },
  executions: { running: 1, completed: 3, failed: 0, cancelled: 0 },
});

/** The value of one sample in the exposition text, or undefined when it is not there. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('BusinessMetrics', () => {
  let now: number;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('reads the database once per scrape for every gauge, and reuses the read for the TTL', async () => {
    const registry = new Registry();
    let pending = 3;
    const read = jest.fn(async () => counts(pending));
    new BusinessMetrics(registry, read, 5_000);

    const first = await registry.metrics();
    expect(read).toHaveBeenCalledTimes(1);
    expect(sample(first, 'agenthub_queue_depth', 'queue="tasks"')).toBe(3);
    expect(sample(first, 'agenthub_queue_depth', 'queue="messages"')).toBe(4);
    expect(sample(first, 'agenthub_tasks', 'status="completed"')).toBe(5);
    expect(sample(first, 'agenthub_agent_messages', 'status="acknowledged"')).toBe(7);
    expect(sample(first, 'agenthub_workflow_executions', 'status="running"')).toBe(1);
    expect(sample(first, 'agenthub_agents', 'status="online"')).toBe(2);
    expect(first).toMatch(/^agenthub_business_metrics_up 1$/m);

    pending = 9;
    now += 4_999;
    await Promise.all([registry.metrics(), registry.metrics()]);
    expect(read).toHaveBeenCalledTimes(1);

    now += 1;
    const later = await registry.metrics();
    expect(read).toHaveBeenCalledTimes(2);
    expect(sample(later, 'agenthub_queue_depth', 'queue="tasks"')).toBe(9);
  });

  it('shares one read between concurrent scrapes', async () => {
    const registry = new Registry();
    let release: () => void = () => undefined;
    const read = jest.fn(
      () => new Promise<FleetCounts>((resolve) => (release = () => resolve(counts(1)))),
    );
    new BusinessMetrics(registry, read);
    const scrapes = Promise.all([registry.metrics(), registry.metrics()]);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await scrapes;
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('answers without business samples, and up = 0, when the database cannot be read', async () => {
    const registry = new Registry();
    let fail = false;
    const read = jest.fn(async () => {
      if (fail) throw new Error('connection refused');
      return counts(2);
    });
    new BusinessMetrics(registry, read, 1_000);
    expect(sample(await registry.metrics(), 'agenthub_tasks', 'status="pending"')).toBe(2);

    fail = true;
    now += 1_000;
    const text = await registry.metrics();
    // Stale figures are not shown as if they were current.
    expect(text).not.toMatch(/^agenthub_tasks\{/m);
    expect(text).not.toMatch(/^agenthub_queue_depth\{/m);
    expect(text).toMatch(/^agenthub_business_metrics_up 0$/m);
    // One failed read for the whole scrape, kept for the TTL like a success.
    expect(read).toHaveBeenCalledTimes(2);

    fail = false;
    now += 1_000;
    expect(await registry.metrics()).toMatch(/^agenthub_business_metrics_up 1$/m);
  });
});
