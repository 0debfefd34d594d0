import { useQuery } from '@tanstack/react-query';
import { unwrap } from './problem';
import { useClient } from './session';

/**
 * Query keys start with the name of what they hold, so an event can make the right reads
 * stale (events/project-events.tsx, STALE_BY_EVENT): `['tasks', projectId, filters]`,
 * `['task', id]`, `['agents', projectId]`, `['agent', id]`, `['capabilities', agentId]`,
 * `['executions', …]`, `['execution', id]`, `['workflows', projectId, …]`, `['workflow', id]`,
 * `['messages', …]`, `['audit', …]`, `['metrics', …]`, `['stats', projectId]`, `['projects']`.
 */
export type QueryRoot =
  | 'projects'
  | 'project'
  | 'agents'
  | 'agent'
  | 'capabilities'
  | 'tasks'
  | 'task'
  | 'workflows'
  | 'workflow'
  | 'executions'
  | 'execution'
  | 'messages'
  | 'rooms'
  | 'audit'
  | 'metrics'
  | 'stats';

/** The project, for the header. */
export function useProject(projectId: string) {
  const client = useClient();
  return useQuery({
    queryKey: ['project', projectId],
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/v1/projects/{id}', { params: { path: { id: projectId } }, signal })),
  });
}

/** The projects the user may see (superusers: all), newest first. */
export function useProjects(offset: number, limit = 50) {
  const client = useClient();
  return useQuery({
    queryKey: ['projects', offset, limit],
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/v1/projects', { params: { query: { offset, limit } }, signal })),
  });
}
