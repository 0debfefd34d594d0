import { offsetOf, oneOf } from './search-params';
import {
  TASK_PRIORITIES,
  TASK_STATUSES,
  type TaskListQuery,
  type TaskPriority,
  type TaskStatus,
} from './task-queries';

/** The queue's page size. */
export const QUEUE_PAGE_SIZE = 50;

export const TASK_SORTS = [
  '-created_at',
  'created_at',
  'priority',
  '-priority',
  'due_date',
  '-due_date',
] as const satisfies readonly NonNullable<TaskListQuery['sort']>[];
export type TaskSort = (typeof TASK_SORTS)[number];

export const SORT_LABELS: Record<TaskSort, string> = {
  '-created_at': 'Newest first',
  created_at: 'Oldest first',
  priority: 'Most urgent first',
  '-priority': 'Least urgent first',
  due_date: 'Due soonest',
  '-due_date': 'Due latest',
};

/** The queue's view as the URL says it: unknown or malformed values are left out. */
export interface QueueView {
  status?: TaskStatus;
  priority?: TaskPriority;
  q?: string;
  sort?: TaskSort;
  offset: number;
}

export function queueViewFromParams(params: URLSearchParams): QueueView {
  const q = params.get('q')?.trim();
  return {
    status: oneOf(TASK_STATUSES, params.get('status')),
    priority: oneOf(TASK_PRIORITIES, params.get('priority')),
    q: q || undefined,
    sort: oneOf(TASK_SORTS, params.get('sort')),
    offset: offsetOf(params.get('offset')),
  };
}

/** The list request for a view (without `sort`, the API ranks search results by relevance). */
export function taskListQuery(
  projectId: string,
  view: QueueView,
): TaskListQuery & { project_id: string } {
  return {
    project_id: projectId,
    ...(view.status && { status: view.status }),
    ...(view.priority && { priority: view.priority }),
    ...(view.q && { q: view.q }),
    ...(view.sort && { sort: view.sort }),
    limit: QUEUE_PAGE_SIZE,
    offset: view.offset,
  };
}
