import { Message, Part, Role, TaskState } from '@a2a-js/sdk';
import type { Artifact, Task, TaskStatus } from '@a2a-js/sdk';

/** The fields of a task as REST shows it (GET /tasks/:id, and the data of `task.*` events). */
export interface TaskJson {
  id: string;
  project_id: string;
  title: string;
  description: string | null;
  status: 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';
  assigned_to: string | null;
  assigned_to_type: 'agent' | 'user' | null;
  result: Record<string, unknown> | null;
  parts: Record<string, unknown>[] | null;
  version: number;
  updated_at: string;
}

/**
 * Where the A2A message's own ids are kept among the task's parts: in the first part's
 * metadata, under this key (`{ message_id, context_id }`). The parts column holds the
 * message's parts as given; these two ids are what the task must remember besides them.
 */
export const A2A_METADATA_KEY = 'agenthub/a2a';

/** Longest title a task may have (the tasks lib's limit). */
export const TITLE_LIMIT = 500;
export const FALLBACK_TITLE = 'A2A request';

const STATE: Record<TaskJson['status'], TaskState> = {
  pending: TaskState.TASK_STATE_SUBMITTED,
  in_progress: TaskState.TASK_STATE_WORKING,
  completed: TaskState.TASK_STATE_COMPLETED,
  failed: TaskState.TASK_STATE_FAILED,
  cancelled: TaskState.TASK_STATE_CANCELED,
};

/** AgentHub's statuses for an A2A state filter (no AgentHub task is in the others). */
export function statusesOf(state: TaskState): TaskJson['status'][] {
  return (Object.keys(STATE) as TaskJson['status'][]).filter((s) => STATE[s] === state);
}

export const isFinal = (status: TaskJson['status']) =>
  status === 'completed' || status === 'failed' || status === 'cancelled';

export const stateOf = (status: TaskJson['status']): TaskState => STATE[status];

/** The text of a message: its text parts, in order. */
export function textsOf(parts: readonly Part[]): string[] {
  return parts.flatMap((p) => (p.content?.$case === 'text' ? [p.content.value] : []));
}

/** A task's title from a message: its first non-blank text, on one line, within the limit. */
export function titleOf(parts: readonly Part[]): string {
  const first = textsOf(parts)
    .map((t) => t.replace(/\s+/g, ' ').trim())
    .find((t) => t.length > 0);
  if (!first) return FALLBACK_TITLE;
  return first.length <= TITLE_LIMIT ? first : `${first.slice(0, TITLE_LIMIT - 1)}…`;
}

/**
 * The parts a task keeps: the message's parts as A2A JSON, the message's ids on the first (a
 * client's context is kept; without one the task is a context of its own, its id).
 */
export function partsToStore(message: Message): Record<string, unknown>[] {
  const parts = message.parts.map((p) => Part.toJSON(p) as Record<string, unknown>);
  const first = parts[0];
  const metadata = (first['metadata'] as Record<string, unknown> | undefined) ?? {};
  parts[0] = {
    ...first,
    metadata: {
      ...metadata,
      [A2A_METADATA_KEY]: {
        message_id: message.messageId,
        ...(message.contextId ? { context_id: message.contextId } : {}),
      },
    },
  };
  return parts;
}

interface StoredIds {
  messageId?: string;
  contextId?: string;
}

function storedIds(task: TaskJson): StoredIds {
  const metadata = task.parts?.[0]?.['metadata'] as Record<string, unknown> | undefined;
  const ids = metadata?.[A2A_METADATA_KEY] as Record<string, unknown> | undefined;
  return {
    messageId: typeof ids?.['message_id'] === 'string' ? ids['message_id'] : undefined,
    contextId: typeof ids?.['context_id'] === 'string' ? ids['context_id'] : undefined,
  };
}

/** The task's A2A context: the one its message named, else the task's own id. */
export const contextIdOf = (task: TaskJson): string => storedIds(task).contextId || task.id;

/**
 * The message the task was asked with: its stored parts (without the ids kept among them),
 * or, for a task created over REST, its title and description as text.
 */
export function requestMessageOf(task: TaskJson): Message {
  const ids = storedIds(task);
  const parts = task.parts
    ? task.parts.map((json, index) => {
        const part = Part.fromJSON(json);
        if (index === 0 && part.metadata) {
          const { [A2A_METADATA_KEY]: _ids, ...rest } = part.metadata;
          part.metadata = Object.keys(rest).length > 0 ? rest : undefined;
        }
        return part;
      })
    : [textPart(task.description ? `${task.title}\n\n${task.description}` : task.title)];
  return {
    messageId: ids.messageId ?? task.id,
    contextId: contextIdOf(task),
    taskId: task.id,
    role: Role.ROLE_USER,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

export function textPart(text: string): Part {
  return {
    content: { $case: 'text', value: text },
    metadata: undefined,
    filename: '',
    mediaType: '',
  };
}

/**
 * The agent's `result` as an artifact: a data part with the whole result, preceded by a text
 * part when the result carries a `text` string (what a text-only client shows).
 */
export function resultArtifact(task: TaskJson): Artifact | undefined {
  if (task.status !== 'completed' || task.result === null) return undefined;
  const parts: Part[] = [];
  const text = task.result['text'];
  if (typeof text === 'string') parts.push(textPart(text));
  parts.push({
    content: { $case: 'data', value: task.result },
    metadata: undefined,
    filename: '',
    mediaType: 'application/json',
  });
  return {
    artifactId: `${task.id}:result`,
    name: 'result',
    description: "The task's result, as the agent reported it.",
    parts,
    metadata: undefined,
    extensions: [],
  };
}

/** The status: its state, when it was reached, and for a failure the agent's error text. */
export function statusOf(task: TaskJson): TaskStatus {
  const error = task.result?.['error'];
  return {
    state: stateOf(task.status),
    timestamp: task.updated_at,
    message:
      task.status === 'failed' && typeof error === 'string'
        ? {
            messageId: `${task.id}:status:${task.version}`,
            contextId: contextIdOf(task),
            taskId: task.id,
            role: Role.ROLE_AGENT,
            parts: [textPart(error)],
            metadata: undefined,
            extensions: [],
            referenceTaskIds: [],
          }
        : undefined,
  };
}

/** An AgentHub task as an A2A task; `historyLength` as the protocol reads it. */
export function toA2aTask(task: TaskJson, historyLength?: number): Task {
  const artifact = resultArtifact(task);
  const history = [requestMessageOf(task)];
  return {
    id: task.id,
    contextId: contextIdOf(task),
    status: statusOf(task),
    artifacts: artifact ? [artifact] : [],
    history: historyLength === undefined ? history : history.slice(history.length - historyLength),
    metadata: { agenthub_status: task.status, agenthub_version: task.version },
  };
}
