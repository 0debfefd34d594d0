import { act, screen, within } from '@testing-library/react';
import { vi } from 'vitest';
import { aTask, anAgent, fakeApi, page, renderPage } from '../test-support';
import { FleetPage } from './fleet';

const T0 = Date.parse('2026-12-02T12:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

const atlas = anAgent({
  id: 'a-atlas',
  name: 'atlas',
  nickname: 'Atlas',
  status: 'busy',
  capabilities: ['build'],
  last_heartbeat: at(-30_000),
  heartbeat_expires_at: at(30_000),
});
const borealis = anAgent({
  id: 'a-borealis',
  name: 'borealis',
  status: 'online',
  last_heartbeat: at(-5_000),
  heartbeat_expires_at: at(55_000),
});

function fleetApi(agents: () => unknown[]) {
  return fakeApi({
    'GET /api/v1/agents': () => page(agents()),
    'GET /api/v1/agents/:id/capabilities': ({ params }) => ({
      agent_id: params.id,
      project_id: 'project-1',
      capabilities:
        params.id === 'a-atlas'
          ? [
              {
                capability_name: 'build',
                confidence_score: 0.82,
                usage_count: 7,
                description: null,
                input_schema: null,
                output_schema: null,
                last_used_at: null,
              },
            ]
          : [],
    }),
    'GET /api/v1/tasks': () =>
      page([
        aTask({
          id: 't-1',
          title: 'Build release 2.4',
          status: 'in_progress',
          assigned_to: 'a-atlas',
          assigned_to_type: 'agent',
        }),
      ]),
  });
}

const row = (id: string) => document.querySelector(`tr[data-agent-id="${id}"]`) as HTMLElement;
const status = (id: string) => row(id).querySelector('[data-status]')?.getAttribute('data-status');

describe('the fleet', () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('shows each agent with its status, capabilities with confidence and work in progress', async () => {
    renderPage(<FleetPage />, {
      api: fleetApi(() => [atlas, borealis]),
      path: '/projects/project-1/fleet',
      route: '/projects/:projectId/fleet',
    });
    await screen.findByText('atlas');
    expect(status('a-atlas')).toBe('busy');
    expect(status('a-borealis')).toBe('online');
    const cells = within(row('a-atlas'));
    expect(await cells.findByText('82%')).toBeTruthy();
    expect(cells.getByText('7 uses')).toBeTruthy();
    expect(cells.getByRole('link', { name: 'Build release 2.4' }).getAttribute('href')).toBe(
      '/projects/project-1/queue/t-1',
    );
    expect(cells.getByText('30 s ago')).toBeTruthy();
  });

  it("turns an agent's row offline when its heartbeat runs out, with no event from the API", async () => {
    const api = fleetApi(() => [atlas, borealis]);
    renderPage(<FleetPage />, {
      api,
      path: '/projects/project-1/fleet',
      route: '/projects/:projectId/fleet',
    });
    await screen.findByText('atlas');
    const reads = () => api.requests.filter((r) => r.path === '/api/v1/agents').length;
    const before = reads();

    await act(() => vi.advanceTimersByTimeAsync(29_000));
    expect(status('a-atlas')).toBe('busy');
    expect(reads()).toBeGreaterThan(before); // read again before the expiry, in case of a heartbeat

    await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(status('a-atlas')).toBe('offline');
    expect(status('a-borealis')).toBe('online');
    const offline = document.querySelector('[data-count-status="offline"]');
    expect(offline?.textContent).toContain('1');
  });

  it('keeps an agent online when the re-read before its expiry brings a newer heartbeat', async () => {
    let current = atlas;
    renderPage(<FleetPage />, {
      api: fleetApi(() => [current, borealis]),
      path: '/projects/project-1/fleet',
      route: '/projects/:projectId/fleet',
    });
    await screen.findByText('atlas');
    current = { ...atlas, last_heartbeat: at(20_000), heartbeat_expires_at: at(80_000) };
    await act(() => vi.advanceTimersByTimeAsync(35_000));
    expect(status('a-atlas')).toBe('busy');
    await act(() => vi.advanceTimersByTimeAsync(45_000));
    expect(status('a-atlas')).toBe('offline');
  });

  it('filters by the status agents read as, kept in the URL', async () => {
    renderPage(<FleetPage />, {
      api: fleetApi(() => [atlas, borealis]),
      path: '/projects/project-1/fleet?status=online',
      route: '/projects/:projectId/fleet',
    });
    await screen.findByText('borealis');
    expect(row('a-atlas')).toBeNull();
  });
});
