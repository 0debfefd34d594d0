import { fireEvent, screen, waitFor } from '@testing-library/react';
import { anExecution, aWorkflow, fakeApi, page, renderPage } from '../test-support';
import { WorkflowsPage } from './workflows';

const route = '/projects/:projectId/workflows';

function listApi() {
  return fakeApi({
    'GET /api/v1/workflows': () =>
      page([aWorkflow(), aWorkflow({ id: 'wf-2', name: 'Release', status: 'paused', tags: [] })]),
    'GET /api/v1/workflows/:id': ({ params }) => aWorkflow({ id: params.id }),
    'GET /api/v1/workflow-executions': () =>
      page([anExecution({ status: 'failed', error_message: 'Steps failed: count' })]),
    'GET /api/v1/projects/:id/stats': () => ({
      project_id: 'project-1',
      generated_at: '2026-12-02T12:00:00Z',
      executions: { total: 3, by_status: { running: 1, completed: 1, failed: 1, cancelled: 0 } },
    }),
  });
}

const lastQuery = (api: ReturnType<typeof fakeApi>, path: string) =>
  api.requests.filter((r) => r.path === path).at(-1)?.url.searchParams;

describe('the workflows', () => {
  it('lists definitions linking to each workflow, and executions linking to each execution', async () => {
    renderPage(<WorkflowsPage />, {
      api: listApi(),
      path: '/projects/project-1/workflows',
      route,
    });
    // the definition's name, and the workflow of the execution once its name is read
    await waitFor(() =>
      expect(screen.getAllByRole('link', { name: 'Nightly report' })).toHaveLength(2),
    );
    const [name, inExecutions] = screen.getAllByRole('link', { name: 'Nightly report' });
    expect(name.closest('tr')?.getAttribute('data-workflow-id')).toBe('wf-1');
    expect(name.getAttribute('href')).toBe('/projects/project-1/workflows/wf-1');
    expect(inExecutions.closest('tr')?.getAttribute('data-execution-id')).toBe('ex-1');
    const row = document.querySelector('tr[data-workflow-id="wf-2"]') as HTMLElement;
    expect(row.querySelector('[data-status]')?.getAttribute('data-status')).toBe('paused');
    expect(row.textContent).toContain('v2');
    expect(row.textContent).toContain('4'); // steps
    const execution = await screen.findByRole('link', { name: 'ex-1' });
    expect(execution.getAttribute('href')).toBe('/projects/project-1/executions/ex-1');
    expect(screen.getByText('Steps failed: count')).toBeTruthy();
  });

  it('asks the API for what the filters say', async () => {
    const api = listApi();
    renderPage(<WorkflowsPage />, {
      api,
      path: '/projects/project-1/workflows?tag=nightly',
      route,
    });
    await screen.findAllByRole('link', { name: 'Nightly report' });
    expect(lastQuery(api, '/api/v1/workflows')?.get('tag')).toBe('nightly');
    expect(lastQuery(api, '/api/v1/workflows')?.get('project_id')).toBe('project-1');

    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'active' } });
    await waitFor(() => expect(lastQuery(api, '/api/v1/workflows')?.get('status')).toBe('active'));

    fireEvent.click(await screen.findByRole('button', { name: /^failed/ }));
    await waitFor(() =>
      expect(lastQuery(api, '/api/v1/workflow-executions')?.get('status')).toBe('failed'),
    );
    expect(screen.getByTestId('location').textContent).toBe(
      '/projects/project-1/workflows?tag=nightly&status=active&estatus=failed',
    );
  });
});
