import { act, fireEvent, screen, within } from '@testing-library/react';
import { vi } from 'vitest';
import { aTask, anAgent, fakeApi, page, problem, renderPage } from '../test-support';
import { QueuePage } from './queue';

const stats = {
  project_id: 'project-1',
  agents: { total: 1, by_status: {} },
  tasks: {
    total: 3,
    by_status: { pending: 1, in_progress: 1, completed: 0, failed: 1, cancelled: 0 },
    by_priority: { low: 0, medium: 3, high: 0, urgent: 0 },
    completed_last_hour: 0,
    failed_last_hour: 1,
  },
  messages: { total: 0, by_status: {} },
  executions: { total: 0, by_status: {} },
  generated_at: '2026-12-02T12:00:00Z',
};

const tasks = [
  aTask({
    id: 't-build',
    title: 'Build release 2.4',
    status: 'in_progress',
    assigned_to: 'a-atlas',
    assigned_to_type: 'agent',
    attempts: 1,
    lease_expires_at: new Date(Date.now() + 240_000).toISOString(),
  }),
  aTask({
    id: 't-deploy',
    title: 'Deploy to staging',
    assigned_to: 'user-1',
    assigned_to_type: 'user',
  }),
];

function queueApi() {
  return fakeApi({
    'GET /api/v1/tasks': () => page(tasks),
    'GET /api/v1/projects/:id/stats': () => stats,
    'GET /api/v1/agents': () =>
      page([anAgent({ id: 'a-atlas', name: 'atlas', capabilities: ['build'] })]),
  });
}

const show = (api = queueApi(), path = '/projects/project-1/queue') => ({
  api,
  ...renderPage(<QueuePage />, { api, path, route: '/projects/:projectId/queue' }),
});
const taskReads = (api: ReturnType<typeof queueApi>) =>
  api.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/tasks');
const location = () => screen.getByTestId('location').textContent;

describe('the queue', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('lists tasks with a link to each, the agent assigned by name, attempts and counts', async () => {
    show();
    const link = await screen.findByRole('link', { name: 'Build release 2.4' });
    expect(link.getAttribute('href')).toBe('/projects/project-1/queue/t-build');
    const row = within(document.querySelector('tr[data-task-id="t-build"]') as HTMLElement);
    expect(await row.findByText('atlas')).toBeTruthy();
    expect(row.getByText('1/3')).toBeTruthy();
    expect(row.getByText(/^[34] min( [0-9]+ s)? left$/)).toBeTruthy(); // the lease, counting down
    expect(
      within(document.querySelector('tr[data-task-id="t-deploy"]') as HTMLElement).getByText('you'),
    ).toBeTruthy();
    expect(document.querySelector('[data-count-status="failed"]')?.textContent).toContain('1');
  });

  it('asks the API for the view the URL describes, so a link reproduces it', async () => {
    const { api } = show(
      undefined,
      '/projects/project-1/queue?status=failed&priority=high&sort=priority&offset=50',
    );
    await screen.findByText('Build release 2.4');
    const query = taskReads(api)[0].url.searchParams;
    expect(Object.fromEntries(query)).toMatchObject({
      project_id: 'project-1',
      status: 'failed',
      priority: 'high',
      sort: 'priority',
      offset: '50',
    });
  });

  it('keeps a filter in the URL and starts again at the first page', async () => {
    const { api } = show(undefined, '/projects/project-1/queue?offset=50');
    await screen.findByText('Build release 2.4');
    fireEvent.change(screen.getByLabelText('Priority'), { target: { value: 'urgent' } });
    expect(location()).toBe('/projects/project-1/queue?priority=urgent');
    await vi.waitFor(() =>
      expect(taskReads(api).at(-1)?.url.searchParams.get('priority')).toBe('urgent'),
    );
  });

  it('searches once the typing pauses, not at every key', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { api } = show();
    await screen.findByText('Build release 2.4');
    const before = taskReads(api).length;
    const box = screen.getByLabelText('Search');
    fireEvent.change(box, { target: { value: 'dep' } });
    fireEvent.change(box, { target: { value: 'deploy' } });
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(location()).toBe('/projects/project-1/queue');
    await act(() => vi.advanceTimersByTimeAsync(300));
    expect(location()).toBe('/projects/project-1/queue?q=deploy');
    await vi.waitFor(() => expect(taskReads(api).length).toBe(before + 1));
    expect(taskReads(api).at(-1)?.url.searchParams.get('q')).toBe('deploy');
  });

  it("creates a task assigned automatically, and shows the API's refusal as it says it", async () => {
    const api = queueApi();
    let answer: unknown = problem(
      409,
      'TASK.NO_ELIGIBLE_AGENT',
      'No agent of the project can take the task now (build)',
    );
    api.on('POST /api/v1/tasks', () => answer);
    show(api);
    fireEvent.click(await screen.findByRole('button', { name: 'New task' }));
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'Build 2.5' } });
    fireEvent.click(await screen.findByRole('button', { name: 'build' }));
    fireEvent.click(screen.getByLabelText(/Assign automatically/));
    fireEvent.click(screen.getByRole('button', { name: 'Create task' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'No agent of the project can take the task now (build)',
    );
    const post = api.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/tasks');
    expect(post?.body).toEqual({
      project_id: 'project-1',
      title: 'Build 2.5',
      priority: 'medium',
      required_capabilities: ['build'],
      max_attempts: 3,
      auto_assign: true,
    });

    answer = aTask({
      id: 't-new',
      title: 'Build 2.5',
      assigned_to: 'a-atlas',
      assigned_to_type: 'agent',
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create task' }));
    const created = await screen.findByRole('link', { name: 'Build 2.5' });
    expect(created.getAttribute('href')).toBe('/projects/project-1/queue/t-new');
    expect(created.parentElement?.textContent).toBe('Created Build 2.5 — assigned to atlas.');
    expect(screen.queryByRole('button', { name: 'Create task' })).toBeNull();
  });
});
