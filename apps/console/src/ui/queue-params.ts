import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
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

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined =>
  values.find((v) => v === value);

/** The queue's view as the URL says it: unknown or malformed values are left out. */
export interface QueueView {
  status?: TaskStatus;
  priority?: TaskPriority;
  q?: string;
  sort?: TaskSort;
  offset: number;
}

export function queueViewFromParams(params: URLSearchParams): QueueView {
  const offset = Number(params.get('offset'));
  const q = params.get('q')?.trim();
  return {
    status: oneOf(TASK_STATUSES, params.get('status')),
    priority: oneOf(TASK_PRIORITIES, params.get('priority')),
    q: q || undefined,
    sort: oneOf(TASK_SORTS, params.get('sort')),
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
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

/**
 * The URL's parameters with `name` set to `value` (removed when empty). Any change of the
 * view but the page itself starts again at the first page.
 */
export function withParam(
  params: URLSearchParams,
  name: string,
  value: string | number | null | undefined,
): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === null || value === undefined || value === '' || (name === 'offset' && !value))
    next.delete(name);
  else next.set(name, String(value));
  if (name !== 'offset') next.delete('offset');
  return next;
}

/** One URL parameter, read and set (setting it replaces the history entry). */
export function useParam(name: string): [string, (value: string | number | null) => void] {
  const [params, setParams] = useSearchParams();
  const set = (value: string | number | null) =>
    setParams((current) => withParam(current, name, value), { replace: true });
  return [params.get(name) ?? '', set];
}

/**
 * A search box kept in the URL parameter `name`: the text follows the typing at once, the
 * URL (and so the request) once the typing pauses for `delayMs`.
 */
export function useDebouncedParam(name: string, delayMs = 300): [string, (text: string) => void] {
  const [value, setValue] = useParam(name);
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  // The URL changed by itself (back, a link): the box shows what it now says (and keeps a
  // trailing space of what is being typed).
  if (value !== seen) {
    setSeen(value);
    if (text.trim() !== value.trim()) setText(value);
  }
  useEffect(() => {
    if (text.trim() === value.trim()) return;
    const timer = setTimeout(() => setValue(text.trim() || null), delayMs);
    return () => clearTimeout(timer);
  }, [text, value, delayMs, setValue]);
  return [text, setText];
}
