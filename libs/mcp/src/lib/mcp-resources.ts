import type { ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import type { StreamEvent } from '@agenthub/events';
import { isJsonObject, isUuid } from '@agenthub/http';

/** One kind of resource: its URI template, and the REST path that reads it. */
interface ResourceKind {
  /** The URI's path segment: `agenthub://tasks/{id}`. */
  segment: string;
  name: string;
  title: string;
  description: string;
  restPath: (id: string) => string;
}

const KINDS: readonly ResourceKind[] = [
  {
    segment: 'tasks',
    name: 'task',
    title: 'Task',
    description: 'A task as GET /api/v1/tasks/{id} shows it; updated on every change.',
    restPath: (id) => `/tasks/${encodeURIComponent(id)}`,
  },
  {
    segment: 'agents',
    name: 'agent',
    title: 'Agent',
    description: 'An agent as GET /api/v1/agents/{id} shows it.',
    restPath: (id) => `/agents/${encodeURIComponent(id)}`,
  },
  {
    segment: 'workflow-executions',
    name: 'workflow-execution',
    title: 'Workflow execution',
    description:
      'A workflow execution as GET /api/v1/workflow-executions/{id} shows it, with its steps; updated when it or one of its steps changes.',
    restPath: (id) => `/workflow-executions/${encodeURIComponent(id)}`,
  },
];

const SCHEME = 'agenthub://';

export const RESOURCE_TEMPLATES: ResourceTemplate[] = KINDS.map((kind) => ({
  uriTemplate: `${SCHEME}${kind.segment}/{id}`,
  name: kind.name,
  title: kind.title,
  description: kind.description,
  mimeType: 'application/json',
}));

/** The event types that change a resource. */
export const RESOURCE_EVENT_TYPES = 'task.*,workflow_execution.*,agent.*';

export interface ParsedResource {
  /** The canonical URI (lower-case id). */
  uri: string;
  restPath: string;
}

/** The resource `uri` names, or null when it is none of AgentHub's. */
export function parseResourceUri(uri: string): ParsedResource | null {
  if (!uri.startsWith(SCHEME)) return null;
  const [segment, id, ...rest] = uri.slice(SCHEME.length).split('/');
  const kind = KINDS.find((k) => k.segment === segment);
  if (!kind || rest.length > 0 || !id || !isUuid(id)) return null;
  const canonical = id.toLowerCase();
  return { uri: resourceUri(kind.segment, canonical), restPath: kind.restPath(canonical) };
}

function resourceUri(segment: string, id: string): string {
  return `${SCHEME}${segment}/${id}`;
}

/**
 * The resources an event changed: a task event changes the task, and the workflow
 * execution whose step it is (an execution's JSON shows its steps); an execution event, the
 * execution; an agent event, the agent.
 */
export function resourcesChangedBy(event: StreamEvent): string[] {
  const data = isJsonObject(event.data) ? event.data : {};
  const id = typeof data['id'] === 'string' ? data['id'] : undefined;
  const uris: string[] = [];
  if (event.type.startsWith('task.')) {
    if (id) uris.push(resourceUri('tasks', id));
    const execution = data['workflow_execution_id'];
    if (typeof execution === 'string') uris.push(resourceUri('workflow-executions', execution));
  } else if (event.type.startsWith('workflow_execution.')) {
    if (id) uris.push(resourceUri('workflow-executions', id));
  } else if (event.type.startsWith('agent.')) {
    if (id) uris.push(resourceUri('agents', id));
  }
  return uris;
}
