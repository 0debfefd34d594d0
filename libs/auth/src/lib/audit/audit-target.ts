import { isUuid } from '@agenthub/http';
import type { AuditNoteData, AuditOptions } from './audit.decorators';

const API_PREFIX = /^\/api\/v\d+\//;

export interface AuditTargetInput {
  meta?: Pick<AuditOptions, 'action' | 'resourceType'>;
  method: string;
  /** The route's template, e.g. `/api/v1/projects/:id`. */
  routeUrl: string;
  params: Record<string, unknown>;
  /** What the handler returned (the response body), if anything. */
  body: unknown;
  note?: AuditNoteData;
}

export interface AuditTarget {
  action: string;
  resourceType: string;
  resourceId: string | null;
  /** Only ever a UUID or null: it is matched against `projects.id`. */
  projectId: string | null;
}

const stringField = (value: unknown, field: string): string | undefined => {
  if (value === null || typeof value !== 'object') return undefined;
  const v = (value as Record<string, unknown>)[field];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
};

/**
 * What an audit row says was changed. The handler's note wins; then the response (a
 * created resource's `id`, the `project_id` of what was changed); then the path. Routes
 * without `@Audit` get `POST /api/v1/things/:id` as action and `things` as type.
 */
export function resolveAuditTarget(input: AuditTargetInput): AuditTarget {
  const note = input.note ?? {};
  const action = input.meta?.action ?? `${input.method} ${input.routeUrl}`.slice(0, 100);
  const resourceType =
    input.meta?.resourceType ??
    (input.routeUrl.replace(API_PREFIX, '').split('/')[0] || 'unknown').slice(0, 50);
  const pathId = typeof input.params['id'] === 'string' ? input.params['id'] : undefined;
  const resourceId =
    (note.resourceId ?? stringField(input.body, 'id') ?? pathId ?? null)?.slice(0, 100) ?? null;

  let projectId: string | null | undefined = note.projectId;
  if (projectId === undefined) {
    projectId =
      resourceType === 'project' ? resourceId : (stringField(input.body, 'project_id') ?? null);
  }
  return {
    action,
    resourceType,
    resourceId,
    projectId: projectId && isUuid(projectId) ? projectId : null,
  };
}
