import { offsetOf, oneOf, useParam } from './search-params';
import type { ExecutionListQuery, WorkflowListQuery } from './workflow-queries';
import {
  EXECUTION_STATUSES,
  WORKFLOW_STATUSES,
  type ExecutionStatus,
  type WorkflowStatus,
} from './workflow-model';

/** Page sizes of the lists. */
export const WORKFLOWS_PAGE_SIZE = 25;
export const EXECUTIONS_PAGE_SIZE = 20;

/**
 * What the URL says a list shows; unknown or malformed values are left out. The definitions
 * use `q`, `status`, `tag`, `offset`; the executions below them `estatus`, `eoffset`.
 */
export interface WorkflowsView {
  q?: string;
  status?: WorkflowStatus;
  tag?: string;
  offset: number;
  executionStatus?: ExecutionStatus;
  executionOffset: number;
}

export function workflowsViewFromParams(params: URLSearchParams): WorkflowsView {
  const q = params.get('q')?.trim();
  const tag = params.get('tag')?.trim();
  return {
    q: q || undefined,
    status: oneOf(WORKFLOW_STATUSES, params.get('status')),
    tag: tag || undefined,
    offset: offsetOf(params.get('offset')),
    executionStatus: oneOf(EXECUTION_STATUSES, params.get('estatus')),
    executionOffset: offsetOf(params.get('eoffset')),
  };
}

export function workflowListQuery(
  projectId: string,
  view: WorkflowsView,
): WorkflowListQuery & { project_id: string } {
  return {
    project_id: projectId,
    ...(view.status && { status: view.status }),
    ...(view.q && { q: view.q }),
    ...(view.tag && { tag: view.tag }),
    limit: WORKFLOWS_PAGE_SIZE,
    offset: view.offset,
  };
}

export function executionListQuery(
  projectId: string,
  status: ExecutionStatus | undefined,
  offset: number,
): ExecutionListQuery & { project_id: string } {
  return {
    project_id: projectId,
    ...(status && { status }),
    limit: EXECUTIONS_PAGE_SIZE,
    offset,
  };
}

/** Which offset goes back to the first page when a parameter of its list changes. */
const OFFSET_OF: Record<string, string> = {
  q: 'offset',
  status: 'offset',
  tag: 'offset',
  estatus: 'eoffset',
};

/**
 * The URL's parameters with `name` set to `value` (removed when empty or a zero offset). A
 * change of a list's filter starts that list again at its first page; the other list keeps
 * its page.
 */
export function withListParam(
  params: URLSearchParams,
  name: string,
  value: string | number | null | undefined,
): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === null || value === undefined || value === '' || value === 0) next.delete(name);
  else next.set(name, String(value));
  const offset = OFFSET_OF[name];
  if (offset) next.delete(offset);
  return next;
}

/** A list parameter, read and set (setting it replaces the history entry). */
export const useListParam = (name: string) => useParam(name, withListParam);
