import type { components, paths } from '@agenthub/client';
import { useQueries, useQuery } from '@tanstack/react-query';
import { unwrap } from '../api/problem';
import { useClient } from '../api/session';
import { everyValue } from './every-value';

export type Task = components['schemas']['TaskResponseDto'];
export type TaskStatus = Task['status'];
export type TaskPriority = Task['priority'];
export type TaskListQuery = NonNullable<paths['/api/v1/tasks']['get']['parameters']['query']>;
export type ProjectStats = components['schemas']['ProjectStatsResponseDto'];

export const TASK_STATUSES = everyValue<TaskStatus>()([
  'pending',
  'in_progress',
  'completed',
  'failed',
  'cancelled',
]);
export const TASK_PRIORITIES = everyValue<TaskPriority>()(['urgent', 'high', 'medium', 'low']);

/** One page of the project's tasks; the previous page (of the project) stays shown while the next loads. */
export function useTaskList(query: TaskListQuery & { project_id: string }, enabled = true) {
  const client = useClient();
  return useQuery({
    queryKey: ['tasks', query.project_id, query],
    queryFn: ({ signal }) => unwrap(client.GET('/api/v1/tasks', { params: { query }, signal })),
    placeholderData: (previous, previousQuery) =>
      previousQuery?.queryKey[1] === query.project_id ? previous : undefined,
    enabled,
  });
}

/** One task. */
export function useTask(id: string) {
  const client = useClient();
  return useQuery({
    queryKey: ['task', id],
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/v1/tasks/{id}', { params: { path: { id } }, signal })),
  });
}

/** Several tasks by id (a task's dependencies), each read on its own. */
export function useTasksById(ids: readonly string[]) {
  const client = useClient();
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: ['task', id],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        unwrap(client.GET('/api/v1/tasks/{id}', { params: { path: { id } }, signal })),
      retry: false,
    })),
  });
}

/** The project at a glance: counts by status and priority. */
export function useProjectStats(projectId: string) {
  const client = useClient();
  return useQuery({
    queryKey: ['stats', projectId],
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/v1/projects/{id}/stats', { params: { path: { id: projectId } }, signal }),
      ),
  });
}

/** Every task of the project with this status (in progress, say), read page by page. */
export function useAllTasksWithStatus(projectId: string, status: TaskStatus) {
  const client = useClient();
  return useQuery({
    queryKey: ['tasks', projectId, { status, all: true }],
    queryFn: async ({ signal }) => {
      const tasks: Task[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = await unwrap(
          client.GET('/api/v1/tasks', {
            params: { query: { project_id: projectId, status, limit: 500, offset } },
            signal,
          }),
        );
        tasks.push(...page.items);
        if (page.items.length < 500 || tasks.length >= page.total) return tasks;
      }
    },
  });
}
