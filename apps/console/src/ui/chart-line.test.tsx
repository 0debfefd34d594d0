import { render, screen, waitFor } from '@testing-library/react';
import { onTestFinished, vi } from 'vitest';
import { MetricsPage } from '../pages/metrics';
import { TimeLineChart } from './chart-line';
import { fakeApi, page, renderPage, Status } from '../test-support';

const HOUR = 3_600_000;
const from = Date.parse('2026-12-01T00:00:00Z');
const to = from + 6 * HOUR;

describe('a time line chart', () => {
  it('is a captioned figure holding a line per series', () => {
    const { container } = render(
      <TimeLineChart
        caption="Task duration, p50 and p95, fleet"
        rows={[
          { t: from, p50: 1, p95: 2 },
          { t: from + HOUR, p50: 1.5, p95: 3 },
        ]}
        series={[
          { key: 'p50', name: 'p50', colour: '#000' },
          { key: 'p95', name: 'p95', colour: '#f00' },
        ]}
        unit="s"
        from={from}
        to={to}
        emptyText="Nothing measured in this range."
        fixedWidth={600}
      />,
    );
    const figure = container.querySelector('figure.chart');
    expect(figure?.querySelector('figcaption')?.textContent).toBe(
      'Task duration, p50 and p95, fleet',
    );
    expect(figure?.querySelector('.recharts-wrapper')).toBeTruthy();
    expect(figure?.querySelectorAll('.recharts-line')).toHaveLength(2);
    expect(screen.queryByText('Nothing measured in this range.')).toBeNull();
    // y ticks carry the unit
    expect(figure?.textContent).toMatch(/\d s/);
  });

  it('says so when there is nothing to draw, and keeps its axes', () => {
    const { container } = render(
      <TimeLineChart
        caption="Task success rate, fleet"
        rows={[]}
        series={[{ key: 'rate', name: 'Succeeded', colour: '#0a0' }]}
        unit="%"
        yDomain={[0, 100]}
        from={from}
        to={to}
        emptyText="No task ended in this range."
        fixedWidth={600}
      />,
    );
    expect(screen.getByText('No task ended in this range.')).toBeTruthy();
    expect(container.querySelector('figure.chart')?.getAttribute('data-empty')).toBe('true');
    expect(container.querySelector('.recharts-wrapper')).toBeTruthy();
  });
});

/** A ResizeObserver that never reports (jsdom has none). */
class NoResizeObserver {
  observe = vi.fn();
  unobserve = vi.fn();
  disconnect = vi.fn();
}

describe('the metrics page', () => {
  const P = 'b5a5af20-c805-4bef-b964-d109bcf5d054';
  const A = 'c702fc2e-7299-4b7f-9323-f765bb0a5468';
  const summary = (q: URLSearchParams) => ({
    metric_name: q.get('metric_name'),
    unit: q.get('metric_name') === 'task.succeeded' ? null : 'seconds',
    from: q.get('from'),
    to: q.get('to'),
    bucket: q.get('bucket'),
    buckets: [{ start: q.get('from'), count: 4, avg: 0.75, min: 0, max: 1, p50: 1, p95: 1 }],
  });

  it('asks for the summaries of the range and bucket in the URL, fleet, by agent and for an agent', async () => {
    // jsdom lays nothing out: the containers measure 0 × 0, which recharts warns about
    vi.stubGlobal('ResizeObserver', NoResizeObserver);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    onTestFinished(() => warn.mockRestore());
    const seen = fakeApi(({ path, query }) => {
      if (path === '/api/v1/agents') return page([{ id: A, name: 'orion-planner' }]);
      if (path === `/api/v1/projects/${P}/stats`)
        return new Status(404, { status: 404, title: 'Not Found', detail: 'No route' });
      if (path === `/api/v1/projects/${P}/metrics/summary`) {
        if (query.get('group_by') === 'agent') {
          const { buckets, ...rest } = summary(query);
          return {
            ...rest,
            group_by: 'agent',
            agents: [{ agent_id: A, agent_name: 'orion-planner', buckets }],
          };
        }
        return summary(query);
      }
      if (path === `/api/v1/agents/${A}/metrics/summary`) return summary(query);
      return undefined;
    });
    const { container } = renderPage(<MetricsPage />, {
      path: `/projects/${P}/metrics?range=7d&bucket=6h`,
      route: '/projects/:projectId/metrics',
    });
    await waitFor(() => expect(container.querySelectorAll('figure.chart')).toHaveLength(6));
    await waitFor(() =>
      expect(
        seen.requests.filter((r) => r.path === `/api/v1/agents/${A}/metrics/summary`),
      ).toHaveLength(2),
    );
    const fleet = seen.requests.filter((r) => r.path.endsWith('/metrics/summary'));
    for (const r of fleet) {
      expect(r.query.get('bucket')).toBe('6h');
      const span = Date.parse(r.query.get('to') ?? '') - Date.parse(r.query.get('from') ?? '');
      expect(span).toBe(7 * 24 * HOUR);
    }
    expect(new Set(fleet.map((r) => r.query.get('metric_name')))).toEqual(
      new Set(['task.duration_seconds', 'task.succeeded']),
    );
    expect(fleet.filter((r) => r.query.get('group_by') === 'agent')).toHaveLength(2);
    // the agent with points is the one charted; its success rate is 75 % of 4 tasks
    expect(await screen.findByText('Task success rate, orion-planner')).toBeTruthy();
    expect(screen.getAllByText('· 75 % of 4 tasks').length).toBeGreaterThan(0);
    // the stats answered 404: its detail is shown, the charts still are
    expect(screen.getByRole('alert').textContent).toBe('No route');
  });
});
