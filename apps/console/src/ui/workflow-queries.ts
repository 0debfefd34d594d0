import type { paths } from '@agenthub/client';
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { unwrap } from '../api/problem';
import { useClient } from '../api/session';

export type WorkflowListQuery = NonNullable<
  paths['/api/v1/workflows']['get']['parameters']['query']
>;
export type ExecutionListQuery = NonNullable<
  paths['/api/v1/workflow-executions']['get']['parameters']['query']
>;
export type WorkflowExecutionListQuery = NonNullable<
  paths['/api/v1/workflows/{id}/executions']['get']['parameters']['query']
>;

/** One page of the project's workflows; the previous page stays shown while the next loads. */
export function useWorkflowList(query: WorkflowListQuery & { project_id: string }) {
  const client = useClient();
  return useQuery({
    queryKey: ['workflows', query.project_id, query],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/workflows', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

const readWorkflow = (
  client: ReturnType<typeof useClient>,
  id: string,
  version: number | undefined,
  signal: AbortSignal,
) =>
  unwrap(
    client.GET('/api/v1/workflows/{id}', {
      params: { path: { id }, query: version === undefined ? {} : { version } },
      signal,
    }),
  );

/** A workflow, with the definition of `version` (the current one without). */
export function useWorkflow(id: string | undefined, version?: number) {
  const client = useClient();
  return useQuery({
    queryKey: ['workflow', id, version ?? 'current'],
    queryFn: ({ signal }) => readWorkflow(client, id ?? '', version, signal),
    enabled: Boolean(id),
    placeholderData: keepPreviousData,
  });
}

/** Several workflows by id (the names of a list of executions), by id. */
export function useWorkflowsById(ids: readonly string[]) {
  const client = useClient();
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: ['workflow', id, 'current'],
      queryFn: ({ signal }: { signal: AbortSignal }) => readWorkflow(client, id, undefined, signal),
      retry: false,
      staleTime: 60_000,
    })),
    combine: (results) => {
      const byId = new Map<string, { name: string }>();
      for (const result of results) if (result.data) byId.set(result.data.id, result.data);
      return byId;
    },
  });
}

/** A workflow's versions, newest first (the first 100). */
export function useWorkflowVersions(id: string) {
  const client = useClient();
  return useQuery({
    queryKey: ['workflow', id, 'versions'],
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/v1/workflows/{id}/versions', {
          params: { path: { id }, query: { limit: 100 } },
          signal,
        }),
      ),
  });
}

/** One page of the project's executions, newest first. */
export function useProjectExecutions(query: ExecutionListQuery & { project_id: string }) {
  const client = useClient();
  return useQuery({
    queryKey: ['executions', query.project_id, query],
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/v1/workflow-executions', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** One page of a workflow's executions, newest first. */
export function useWorkflowExecutions(workflowId: string, query: WorkflowExecutionListQuery) {
  const client = useClient();
  return useQuery({
    queryKey: ['executions', 'workflow', workflowId, query],
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/v1/workflows/{id}/executions', {
          params: { path: { id: workflowId }, query },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** One execution with its steps; task and execution events make it stale. */
export function useExecution(id: string) {
  const client = useClient();
  return useQuery({
    queryKey: ['execution', id],
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/v1/workflow-executions/{id}', { params: { path: { id } }, signal })),
  });
}
