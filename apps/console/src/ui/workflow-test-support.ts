/** Workflows, versions and executions as the API answers them, for page tests. */
import type { Execution, Workflow, WorkflowDefinition } from './workflow-model';

export const DIAMOND: WorkflowDefinition = {
  steps: [
    { key: 'fetch', title: 'Fetch the pages' },
    { key: 'parse', title: 'Parse them', depends_on: ['fetch'] },
    {
      key: 'count',
      title: 'Count words',
      depends_on: ['fetch'],
      on_dependency_failure: 'continue',
    },
    { key: 'report', title: 'Write the report', depends_on: ['parse', 'count'] },
  ],
};

export function aWorkflow(fields: Partial<Workflow> = {}): Workflow {
  return {
    id: 'wf-1',
    project_id: 'project-1',
    name: 'Nightly report',
    description: 'Fetches, parses, counts and reports.',
    definition: DIAMOND,
    status: 'active',
    version: 2,
    tags: ['nightly'],
    created_by: 'user-1',
    created_by_type: 'user',
    created_at: '2026-12-01T10:00:00Z',
    updated_at: '2026-12-02T10:00:00Z',
    ...fields,
  };
}

export function anExecution(fields: Partial<Execution> = {}): Execution {
  return {
    id: 'ex-1',
    project_id: 'project-1',
    workflow_id: 'wf-1',
    workflow_version: 2,
    status: 'running',
    current_step: 1,
    context_data: { site: 'https://docs.example.com' },
    result_data: {},
    started_by: 'user-1',
    started_by_type: 'user',
    started_at: '2026-12-02T12:00:00Z',
    completed_at: null,
    error_message: null,
    steps: [
      { key: 'fetch', task_id: 't-fetch', status: 'completed' },
      { key: 'parse', task_id: 't-parse', status: 'in_progress' },
      { key: 'count', task_id: 't-count', status: 'failed' },
      { key: 'report', task_id: 't-report', status: 'pending' },
    ],
    ...fields,
  };
}
