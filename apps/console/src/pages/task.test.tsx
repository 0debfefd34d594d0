import { fireEvent, screen, within } from '@testing-library/react';
import { vi } from 'vitest';
import { aTask, anAgent, fakeApi, page, problem, renderPage, type FakeApi } from '../test-support';
import type { Task } from '../ui/task-queries';
import { TaskPage } from './task';

const build = aTask({ id: 't-build', title: 'Build 2.4', status: 'completed' });
const tests = aTask({ id: 't-tests', title: 'Run the tests', status: 'in_progress' });

function taskApi(task: Task) {
  const tasks = new Map([build, tests, task].map((t) => [t.id, t]));
  return fakeApi({
    'GET /api/v1/tasks/:id': ({ params }) =>
      tasks.get(params.id) ?? problem(404, 'TASK.NOT_FOUND', 'Task not found'),
    'GET /api/v1/agents': () =>
      page([
        anAgent({ id: 'a-atlas', name: 'atlas' }),
        anAgent({ id: 'a-old', name: 'old', is_active: false }),
      ]),
  });
}

const show = (task: Task, api: FakeApi = taskApi(task)) => ({
  api,
  ...renderPage(<TaskPage />, {
    api,
    path: `/projects/project-1/queue/${task.id}`,
    route: '/projects/:projectId/queue/:taskId',
  }),
});
const sent = (api: FakeApi, method: string) => api.requests.filter((r) => r.method === method);

describe('a task', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows its dependencies with their statuses, as links, and what they hold up', async () => {
    show(aTask({ id: 't-deploy', title: 'Deploy', dependencies: ['t-build', 't-tests'] }));
    await screen.findByRole('heading', { name: 'Deploy' });
    const build = await screen.findByRole('link', { name: 'Build 2.4' });
    expect(build.getAttribute('href')).toBe('/projects/project-1/queue/t-build');
    const item = (id: string) =>
      document.querySelector(`[data-dependency-id="${id}"]`) as HTMLElement;
    await vi.waitFor(() => expect(item('t-tests').querySelector('[data-status]')).not.toBeNull());
    expect(item('t-build').querySelector('[data-status]')?.getAttribute('data-status')).toBe(
      'completed',
    );
    expect(item('t-tests').querySelector('[data-status]')?.getAttribute('data-status')).toBe(
      'in_progress',
    );
    expect(screen.getByText('Waiting for 1 of 2 to complete.')).toBeTruthy();
  });

  it('shows attempts, the lease counting down, the result, and the step it is of', async () => {
    show(
      aTask({
        id: 't-step',
        title: 'Summarise',
        status: 'in_progress',
        attempts: 2,
        max_attempts: 3,
        assigned_to: 'a-atlas',
        assigned_to_type: 'agent',
        lease_expires_at: new Date(Date.now() + 125_000).toISOString(),
        result: { partial: true },
        workflow_execution_id: 'e-1',
        step_key: 'summarise',
      }),
    );
    await screen.findByRole('heading', { name: 'Summarise' });
    expect(screen.getByText('2 of 3')).toBeTruthy();
    expect(screen.getByText(/^in 2 min [0-9]+ s$/)).toBeTruthy();
    expect(screen.getByText(/"partial": true/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'e-1' }).getAttribute('href')).toBe(
      '/projects/project-1/executions/e-1',
    );
    expect(await screen.findByRole('link', { name: 'atlas' })).toBeTruthy();
  });

  it('offers only what the lifecycle allows', async () => {
    show(aTask({ id: 't-done', title: 'Done', status: 'completed' }));
    await screen.findByRole('heading', { name: 'Done' });
    expect(screen.queryByRole('button', { name: 'Assign' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Cancel task' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Reopen' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Delete…' })).toBeTruthy();
  });

  it('does not reopen a failed workflow step, and points to its execution', async () => {
    show(
      aTask({
        id: 't-s',
        title: 'Step',
        status: 'failed',
        workflow_execution_id: 'e-9',
        step_key: 'b',
      }),
    );
    await screen.findByRole('heading', { name: 'Step' });
    expect(screen.queryByRole('button', { name: 'Reopen' })).toBeNull();
    expect(screen.getByRole('link', { name: 'retry its execution' }).getAttribute('href')).toBe(
      '/projects/project-1/executions/e-9',
    );
  });

  it('cancels with the version it read, and says so clearly when the task changed meanwhile', async () => {
    const task = aTask({ id: 't-x', title: 'X', status: 'pending', version: 7 });
    const api = taskApi(task);
    api.on('PATCH /api/v1/tasks/:id', () =>
      problem(
        409,
        'TASK.VERSION_CONFLICT',
        'The task was changed by someone else (version 8, not 7)',
      ),
    );
    show(task, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel task' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The task was changed by someone else (version 8, not 7)',
    );
    expect(sent(api, 'PATCH')[0].body).toEqual({ status: 'cancelled', version: 7 });
    expect(screen.getByText(/changed since this page read it/)).toBeTruthy();
    // and it is read again
    await vi.waitFor(() =>
      expect(api.requests.filter((r) => r.path === '/api/v1/tasks/t-x').length).toBeGreaterThan(1),
    );
  });

  it('reopens a failed task', async () => {
    const task = aTask({ id: 't-f', title: 'F', status: 'failed', version: 3 });
    const api = taskApi(task);
    api.on('PATCH /api/v1/tasks/:id', () => ({ ...task, status: 'pending', version: 4 }));
    show(task, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Reopen' }));
    await vi.waitFor(() => expect(sent(api, 'PATCH')).toHaveLength(1));
    expect(sent(api, 'PATCH')[0].body).toEqual({ status: 'pending', version: 3 });
  });

  it('assigns to the best agent, to a chosen one (only active ones offered), or unassigns', async () => {
    const task = aTask({
      id: 't-a',
      title: 'A',
      status: 'pending',
      assigned_to: 'a-atlas',
      assigned_to_type: 'agent',
    });
    const api = taskApi(task);
    let answer: unknown = problem(
      409,
      'TASK.NO_ELIGIBLE_AGENT',
      'No agent of the project can take the task now',
    );
    api.on('POST /api/v1/tasks/:id/assign', () => answer);
    show(task, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Assign' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'No agent of the project can take the task now',
    );
    expect(sent(api, 'POST').at(-1)?.body).toEqual({ auto: true });

    answer = task;
    const select = screen.getByLabelText(/Assign to/);
    await within(select).findByRole('option', { name: /^atlas/ });
    expect(within(select).queryByRole('option', { name: /^old/ })).toBeNull();
    fireEvent.change(select, { target: { value: 'a-atlas' } });
    fireEvent.click(screen.getByRole('button', { name: 'Assign' }));
    await vi.waitFor(() =>
      expect(sent(api, 'POST').at(-1)?.body).toEqual({
        assigned_to: 'a-atlas',
        assigned_to_type: 'agent',
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Unassign' }));
    await vi.waitFor(() => expect(sent(api, 'POST').at(-1)?.body).toEqual({ assigned_to: null }));
  });

  it('deletes after a confirmation and goes back to the queue; with dependents, only when told to', async () => {
    const task = aTask({ id: 't-d', title: 'D', status: 'pending' });
    const api = taskApi(task);
    api.on('DELETE /api/v1/tasks/:id', ({ url }) =>
      url.searchParams.get('force') === 'true'
        ? undefined
        : problem(409, 'TASK.HAS_DEPENDENTS', 'Other tasks depend on this one (t-e)'),
    );
    show(task, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete…' }));
    expect(sent(api, 'DELETE')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Delete task' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Other tasks depend on this one (t-e)',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Delete anyway' }));
    await vi.waitFor(() =>
      expect(screen.getByTestId('location').textContent).toBe('/projects/project-1/queue'),
    );
    expect(sent(api, 'DELETE').map((r) => r.url.search)).toEqual(['', '?force=true']);
  });

  it("shows the API's answer for a task that is not there", async () => {
    const api = taskApi(build);
    show(aTask({ id: 't-missing' }), api);
    expect((await screen.findByRole('alert')).textContent).toBe('Task not found');
    expect(screen.getByRole('link', { name: 'Queue' }).getAttribute('href')).toBe(
      '/projects/project-1/queue',
    );
  });
});
