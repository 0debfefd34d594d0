import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { anExecution, aWorkflow, fakeApi, page, problem, renderPage } from '../test-support';
import type { Workflow } from '../ui/workflow-model';
import { WorkflowPage } from './workflow';

const route = '/projects/:projectId/workflows/:workflowId';
const path = '/projects/project-1/workflows/wf-1';
const V1 = { steps: [{ key: 'fetch', title: 'Fetch the pages' }] };

function workflowApi(workflow: Partial<Workflow> = {}) {
  return fakeApi({
    'GET /api/v1/workflows/:id': ({ url }) =>
      url.searchParams.get('version') === '1'
        ? aWorkflow({ ...workflow, version: 1, definition: V1 })
        : aWorkflow(workflow),
    'GET /api/v1/workflows/:id/versions': () =>
      page([
        {
          workflow_id: 'wf-1',
          version: 2,
          definition: aWorkflow().definition,
          created_by: null,
          created_by_type: null,
          created_at: '2026-12-02T10:00:00Z',
        },
        {
          workflow_id: 'wf-1',
          version: 1,
          definition: V1,
          created_by: null,
          created_by_type: null,
          created_at: '2026-12-01T10:00:00Z',
        },
      ]),
    'GET /api/v1/workflows/:id/executions': () => page([anExecution()]),
    'POST /api/v1/workflows/:id/executions': () => anExecution({ id: 'ex-new' }),
  });
}

const start = () => screen.getByRole('button', { name: 'Start execution' });
const context = () => screen.getByLabelText('Context (JSON)');
const posts = (api: ReturnType<typeof fakeApi>) =>
  api.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/executions'));

describe('a workflow', () => {
  it('draws its definition as a step graph without statuses, and lists its executions', async () => {
    renderPage(<WorkflowPage />, { api: workflowApi(), path, route });
    await screen.findByRole('heading', { name: 'Nightly report' });
    const graph = screen.getByRole('group', { name: 'Step graph' });
    const nodes = graph.querySelectorAll('g[data-step-key]');
    expect([...nodes].map((n) => n.getAttribute('data-step-key'))).toEqual([
      'fetch',
      'parse',
      'count',
      'report',
    ]);
    expect([...nodes].some((n) => n.hasAttribute('data-status'))).toBe(false);
    expect(graph.querySelectorAll('path[data-edge]')).toHaveLength(4);
    const executions = await screen.findByRole('link', { name: 'ex-1' });
    expect(executions.getAttribute('href')).toBe('/projects/project-1/executions/ex-1');
  });

  it('shows the version picked, and starts that version', async () => {
    const api = workflowApi();
    renderPage(<WorkflowPage />, { api, path, route });
    const picker = await screen.findByLabelText('Version');
    await waitFor(() => expect(within(picker).getAllByRole('option')).toHaveLength(2));
    fireEvent.change(picker, { target: { value: '1' } });
    await waitFor(() => expect(document.querySelectorAll('g[data-step-key]')).toHaveLength(1));
    expect(screen.getByTestId('location').textContent).toBe(`${path}?version=1`);
    fireEvent.click(start());
    await waitFor(() => expect(posts(api)).toHaveLength(1));
    expect(posts(api)[0].body).toEqual({ version: 1 });
  });

  it('starts an execution with its context and opens it', async () => {
    const api = workflowApi();
    renderPage(<WorkflowPage />, { api, path, route });
    await screen.findByRole('heading', { name: 'Nightly report' });
    fireEvent.change(context(), { target: { value: '{"site": "https://docs.example.com"}' } });
    fireEvent.click(start());
    await waitFor(() =>
      expect(screen.getByTestId('location').textContent).toBe(
        '/projects/project-1/executions/ex-new',
      ),
    );
    expect(posts(api)[0].body).toEqual({ context_data: { site: 'https://docs.example.com' } });
  });

  it('says what is wrong with a context that is not a JSON object, and sends nothing', async () => {
    const api = workflowApi();
    renderPage(<WorkflowPage />, { api, path, route });
    await screen.findByRole('heading', { name: 'Nightly report' });
    fireEvent.change(context(), { target: { value: '{"site": ' } });
    fireEvent.click(start());
    expect((await screen.findByRole('alert')).textContent).toMatch(
      /^Context \(JSON\) is not valid JSON/,
    );
    expect(context().getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(context(), { target: { value: '[1]' } });
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.click(start());
    expect((await screen.findByRole('alert')).textContent).toMatch(/must be a JSON object/);
    expect(posts(api)).toHaveLength(0);
  });

  it("shows the API's detail when it refuses to start a workflow that is not active", async () => {
    const api = workflowApi({ status: 'draft' });
    api.on('POST /api/v1/workflows/:id/executions', () =>
      problem(
        409,
        'WORKFLOW.NOT_ACTIVE',
        'Only an active workflow can be executed; this one is draft',
      ),
    );
    renderPage(<WorkflowPage />, { api, path, route });
    await screen.findByRole('heading', { name: 'Nightly report' });
    expect(screen.getByText(/only an active workflow can start/)).toBeTruthy();
    fireEvent.click(start());
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Only an active workflow can be executed; this one is draft',
    );
    expect(screen.getByTestId('location').textContent).toBe(path);
  });

  it("shows a step's settings when it is chosen", async () => {
    renderPage(<WorkflowPage />, { api: workflowApi(), path, route });
    const count = await screen.findByRole('button', { name: 'Count words (count)' });
    fireEvent.keyDown(count, { key: 'Enter' });
    const panel = await screen.findByRole('complementary', { name: 'Step count' });
    expect(within(panel).getByText(/continue: runs once every dependency is final/)).toBeTruthy();
    expect(within(panel).getByText('fetch')).toBeTruthy();
  });
});
