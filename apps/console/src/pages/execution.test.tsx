import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  anAgent,
  anExecution,
  aTask,
  aWorkflow,
  fakeApi,
  problem,
  renderPage,
} from '../test-support';
import { statusTone, TONE_COLOURS } from '../ui/status';
import type { Execution } from '../ui/workflow-model';
import { ExecutionPage } from './execution';

const route = '/projects/:projectId/executions/:executionId';

function executionApi(execution: () => Execution) {
  return fakeApi({
    'GET /api/v1/workflow-executions/:id': () => execution(),
    'GET /api/v1/workflows/:id': ({ url }) =>
      aWorkflow({ version: Number(url.searchParams.get('version') ?? 2) }),
    'GET /api/v1/tasks/:id': ({ params }) =>
      aTask({
        id: params.id,
        title: 'Parse them',
        status: 'in_progress',
        step_key: 'parse',
        workflow_execution_id: 'ex-1',
        assigned_to: 'agent-1',
        assigned_to_type: 'agent',
        attempts: 2,
        max_attempts: 3,
        lease_expires_at: '2026-12-02T12:05:00Z',
        on_dependency_failure: 'cancel',
        inputs: { context: { site: 'https://docs.example.com' }, fetch: { pages: 184 } },
        result: null,
      }),
    'GET /api/v1/agents/:id': () => anAgent({ id: 'agent-1', name: 'atlas' }),
  });
}

const disabled = (element: HTMLElement) => element.hasAttribute('disabled');
const header = () => document.querySelector('[data-execution-status]') as HTMLElement;
const node = (key: string) => document.querySelector(`g[data-step-key="${key}"]`) as Element;

describe('an execution', () => {
  it('shows its status and its steps as a graph coloured by status', async () => {
    renderPage(<ExecutionPage />, {
      api: executionApi(() => anExecution()),
      path: '/projects/project-1/executions/ex-1',
      route,
    });
    await screen.findByRole('group', { name: 'Step graph' });
    expect(header().getAttribute('data-execution-status')).toBe('running');
    expect(within(header()).getByText('running').getAttribute('data-status')).toBe('running');
    for (const [key, status] of [
      ['fetch', 'completed'],
      ['parse', 'in_progress'],
      ['count', 'failed'],
      ['report', 'pending'],
    ]) {
      expect(node(key).getAttribute('data-status')).toBe(status);
      expect(node(key).querySelector('rect.step-node-box')?.getAttribute('fill')).toBe(
        TONE_COLOURS[statusTone(status)].fill,
      );
    }
    // its edges come from the version it runs
    await waitFor(() => expect(document.querySelectorAll('path[data-edge]')).toHaveLength(4));
    expect(screen.getByText(/1 of 4 completed · 1 in progress · 1 failed/)).toBeTruthy();
    // current_step is a position in step order
    expect(screen.getByText('Current step').nextElementSibling?.textContent).toMatch(
      /^parse · Parse them \(2 of 4 in step order\)$/,
    );
  });

  it("shows a chosen step's task: inputs, result, assignee, attempts, lease, policy and a link to it", async () => {
    const { requests } = (() => {
      const api = executionApi(() => anExecution());
      renderPage(<ExecutionPage />, { api, path: '/projects/project-1/executions/ex-1', route });
      return api;
    })();
    await screen.findByRole('group', { name: 'Step graph' });
    const parse = await screen.findByRole('button', { name: 'Parse them (parse): in progress' });
    parse.focus();
    fireEvent.keyDown(parse, { key: 'Enter' });
    const panel = await screen.findByRole('complementary', { name: 'Step parse' });
    await within(panel).findByText('agent atlas');
    expect(within(panel).getByText('2 of 3')).toBeTruthy();
    expect(within(panel).getByText(/cancel: cancelled with it/)).toBeTruthy();
    expect(within(panel).getByText(/"pages": 184/)).toBeTruthy();
    expect(within(panel).getByText('until', { exact: false })).toBeTruthy();
    expect(within(panel).getByRole('link', { name: 'Open its task' }).getAttribute('href')).toBe(
      '/projects/project-1/queue/t-parse',
    );
    expect(requests.some((r) => r.path === '/api/v1/tasks/t-parse')).toBe(true);
    expect(screen.getByTestId('location').textContent).toBe(
      '/projects/project-1/executions/ex-1?step=parse',
    );
  });

  it('cancels a running execution, then offers a retry', async () => {
    let current = anExecution();
    const api = executionApi(() => current);
    api.on('POST /api/v1/workflow-executions/:id/cancel', () => {
      current = anExecution({
        status: 'cancelled',
        current_step: null,
        completed_at: '2026-12-02T12:01:00Z',
        steps: current.steps.map((s) =>
          s.status === 'completed' ? s : { ...s, status: 'cancelled' as const },
        ),
      });
      return current;
    });
    renderPage(<ExecutionPage />, { api, path: '/projects/project-1/executions/ex-1', route });
    const cancel = await screen.findByRole('button', { name: 'Cancel execution' });
    const retry = screen.getByRole('button', { name: 'Retry execution' });
    expect(disabled(retry)).toBe(true);
    fireEvent.click(cancel);
    await waitFor(() => expect(header().getAttribute('data-execution-status')).toBe('cancelled'));
    expect(node('parse').getAttribute('data-status')).toBe('cancelled');
    expect(disabled(screen.getByRole('button', { name: 'Cancel execution' }))).toBe(true);
    expect(disabled(screen.getByRole('button', { name: 'Retry execution' }))).toBe(false);
    expect(api.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      '/api/v1/auth/login',
      '/api/v1/workflow-executions/ex-1/cancel',
    ]);
  });

  it("shows the API's detail when it refuses a retry", async () => {
    const api = executionApi(() =>
      anExecution({ status: 'failed', current_step: null, error_message: 'Steps failed: count' }),
    );
    api.on('POST /api/v1/workflow-executions/:id/retry', () =>
      problem(
        409,
        'WORKFLOW_EXECUTION.NOT_RETRYABLE',
        'Only a failed or cancelled execution can be retried; this one is running',
      ),
    );
    renderPage(<ExecutionPage />, { api, path: '/projects/project-1/executions/ex-1', route });
    expect(await screen.findByText('Steps failed: count')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Retry execution' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Only a failed or cancelled execution can be retried; this one is running',
    );
  });

  it("shows the API's detail for an execution it does not find", async () => {
    const api = executionApi(() => anExecution());
    api.on('GET /api/v1/workflow-executions/:id', () =>
      problem(404, 'WORKFLOW_EXECUTION.NOT_FOUND', 'Workflow execution not found'),
    );
    renderPage(<ExecutionPage />, { api, path: '/projects/project-1/executions/ex-9', route });
    expect((await screen.findByRole('alert')).textContent).toBe('Workflow execution not found');
  });
});
