import type { components, operations } from '@agenthub/client';

export type AuditEntry = components['schemas']['AuditEntryResponseDto'];
export type ActorType = AuditEntry['actor_type'];
/** The query of `GET /projects/:id/audit`: the page and the filters. */
export type AuditQuery = NonNullable<operations['listProjectAudit']['parameters']['query']>;

/** The filters of a project's audit log, as the API names its query parameters. */
export const AUDIT_FILTERS = [
  'actor_type',
  'actor_id',
  'action',
  'resource_type',
  'resource_id',
] as const;
export type AuditFilterName = (typeof AUDIT_FILTERS)[number];
export type AuditFilters = Partial<Record<AuditFilterName, string>>;

export const ACTOR_TYPES: readonly ActorType[] = ['user', 'agent', 'system', 'anonymous'];

/** What a project's audit rows name (docs/api.md, "Audit log"). */
export const RESOURCE_TYPES = [
  'project',
  'agent',
  'api_key',
  'task',
  'workflow',
  'workflow_execution',
  'room',
  'message',
  'user',
] as const;

/** The actions a project's rows carry, for the action field's suggestions. */
export const KNOWN_ACTIONS = [
  'project.create',
  'project.update',
  'agent.create',
  'agent.update',
  'agent.delete',
  'agent.batch_deploy',
  'agent.heartbeat',
  'agent.capabilities_replace',
  'agent.record_metrics',
  'agent_api_key.create',
  'agent_api_key.revoke',
  'task.create',
  'task.update',
  'task.delete',
  'task.assign',
  'task.claim',
  'task.lease_extend',
  'task.lease_expired_requeued',
  'task.lease_expired_failed',
  'workflow.create',
  'workflow.update',
  'workflow.delete',
  'workflow_execution.start',
  'workflow_execution.cancel',
  'workflow_execution.retry',
  'workflow_execution.completed',
  'workflow_execution.failed',
  'workflow_execution.cancelled',
  'room.create',
  'room.update',
  'room.delete',
  'room.participant_add',
  'room.participant_remove',
  'room.message_post',
  'message.send',
  'message.receive',
] as const;

const isActorType = (value: string): value is ActorType =>
  (ACTOR_TYPES as readonly string[]).includes(value);

/**
 * The filters in the URL's search parameters, trimmed; empty ones left out, and an actor
 * type that is none of the four.
 */
export function readAuditFilters(params: URLSearchParams): AuditFilters {
  const filters: AuditFilters = {};
  for (const name of AUDIT_FILTERS) {
    const value = params.get(name)?.trim();
    if (value && (name !== 'actor_type' || isActorType(value))) filters[name] = value;
  }
  return filters;
}

/** The search parameters with `filters` (others kept), back on the first page. */
export function writeAuditFilters(params: URLSearchParams, filters: AuditFilters): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const name of AUDIT_FILTERS) {
    const value = filters[name]?.trim();
    if (value) next.set(name, value);
    else next.delete(name);
  }
  next.delete('offset');
  return next;
}

export const activeFilters = (filters: AuditFilters): number =>
  AUDIT_FILTERS.filter((name) => filters[name]).length;

/** The list's query: the page and the filters that are set (each exact, all must match). */
export function auditQuery(filters: AuditFilters, offset: number, limit: number): AuditQuery {
  const query: AuditQuery = { limit, offset };
  const { actor_type, actor_id, action, resource_type, resource_id } = filters;
  if (actor_type && isActorType(actor_type)) query.actor_type = actor_type;
  if (actor_id) query.actor_id = actor_id;
  if (action) query.action = action;
  if (resource_type) query.resource_type = resource_type;
  if (resource_id) query.resource_id = resource_id;
  return query;
}

/**
 * Where a row's resource is shown in the console (relative to the project's pages), or
 * `null` when it has no page: tasks in the queue, executions, workflows, and a message's
 * conversation.
 */
export function resourceHref(type: string, id: string | null): string | null {
  if (!id) return null;
  switch (type) {
    case 'task':
      return `queue/${id}`;
    case 'workflow_execution':
      return `executions/${id}`;
    case 'workflow':
      return `workflows/${id}`;
    case 'message':
      return `messages?message=${id}`;
    default:
      return null;
  }
}

/** `workflow_execution` → `workflow execution`. */
export const resourceTypeLabel = (type: string): string => type.replace(/_/g, ' ');
