import { Message, TaskState } from '@a2a-js/sdk';
import type {
  AgentCard,
  CancelTaskRequest,
  DeleteTaskPushNotificationConfigRequest,
  GetExtendedAgentCardRequest,
  GetTaskPushNotificationConfigRequest,
  GetTaskRequest,
  ListTaskPushNotificationConfigsRequest,
  ListTaskPushNotificationConfigsResponse,
  ListTasksRequest,
  ListTasksResponse,
  SendMessageRequest,
  StreamResponse,
  SubscribeToTaskRequest,
  Task,
  TaskPushNotificationConfig,
} from '@a2a-js/sdk';
import type { A2ARequestHandler } from '@a2a-js/sdk/server';
import {
  ExtendedAgentCardNotConfiguredError,
  JsonRpcTransportError,
  PushNotificationNotSupportedError,
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import type { Principal } from '@agenthub/auth';
import type { EventStreams } from '@agenthub/events';
import { isUuid, RestCall, RestDispatcher, RestProblem } from '@agenthub/http';
import {
  contextIdOf,
  isFinal,
  partsToStore,
  resultArtifact,
  statusesOf,
  statusOf,
  TaskJson,
  textsOf,
  titleOf,
  toA2aTask,
} from './a2a-task.mapping';
import { TaskUpdates } from './task-updates';

/** JSON-RPC's "server error" code, for REST refusals the protocol has no code of its own for. */
export const AGENTHUB_ERROR_CODE = -32000;
/** What a follow-up message is to the agent (its `message_type`). */
export const FOLLOW_UP_MESSAGE_TYPE = 'a2a.message';
const SUBJECT_LIMIT = 500;
const DESCRIPTION_LIMIT = 100_000;
const PAGE_SIZE_DEFAULT = 50;
const PAGE_SIZE_MAX = 500;

/** Who calls, on which agent: everything one JSON-RPC request needs. */
export interface A2aCall {
  agentId: string;
  projectId: string;
  card: AgentCard;
  principal: Principal;
  authorization: string;
  requestId?: string;
  /** Aborted when the client goes away: open streams and waits end. */
  signal: AbortSignal;
}

/**
 * The A2A methods of one agent, each over the REST operations (called in-process as the
 * caller, so access, validation, audit and events are REST's):
 *
 * - SendMessage without a task: `POST /tasks` assigned to the agent, with the message's parts;
 *   with `taskId`: `POST /messages` to the agent on the task's conversation (the task id).
 * - GetTask / ListTasks: `GET /tasks/:id` / `GET /tasks` of tasks assigned to the agent.
 * - CancelTask: `PATCH /tasks/:id {status: cancelled}`.
 * - Streams (SendStreamingMessage, SubscribeToTask, and a blocking SendMessage waiting for the
 *   end): the task's `task.updated` events from the event stream until a final state.
 *
 * A task not assigned to this agent is not one of its A2A tasks: TaskNotFound.
 */
export class AgentHubRequestHandler implements A2ARequestHandler {
  constructor(
    private readonly call: A2aCall,
    private readonly rest: RestDispatcher,
    private readonly streams: EventStreams,
  ) {}

  async getAgentCard(): Promise<AgentCard> {
    return this.call.card;
  }

  async getAuthenticatedExtendedAgentCard(
    _params: GetExtendedAgentCardRequest,
  ): Promise<AgentCard> {
    throw new ExtendedAgentCardNotConfiguredError('This agent has no extended card.');
  }

  async sendMessage(params: SendMessageRequest): Promise<Message | Task> {
    if (params.configuration?.taskPushNotificationConfig) pushNotSupported();
    const returnImmediately = params.configuration?.returnImmediately ?? false;
    const historyLength = params.configuration?.historyLength;
    if (returnImmediately) {
      const message = this.messageOf(params);
      const task = message.taskId ? await this.followUp(message) : await this.createTask(message);
      return toA2aTask(task, historyLength);
    }
    // Blocking: the task once it reaches a final state (or the client goes away).
    let last: Task | undefined;
    for await (const response of this.sendMessageStream(params)) {
      const payload = response.payload;
      if (payload?.$case === 'task') last = payload.value;
      if (!last) continue;
      if (payload?.$case === 'statusUpdate') last = { ...last, status: payload.value.status };
      if (payload?.$case === 'artifactUpdate' && payload.value.artifact)
        last = { ...last, artifacts: [...last.artifacts, payload.value.artifact] };
    }
    if (!last) throw new Error('the task stream ended before the task was known');
    return historyLength === undefined
      ? last
      : { ...last, history: last.history.slice(last.history.length - historyLength) };
  }

  async *sendMessageStream(params: SendMessageRequest): AsyncGenerator<StreamResponse> {
    if (params.configuration?.taskPushNotificationConfig) pushNotSupported();
    const message = this.messageOf(params);
    const updates = await this.openUpdates();
    try {
      const task = message.taskId ? await this.followUp(message) : await this.createTask(message);
      yield* this.follow(task, updates);
    } finally {
      updates.close();
    }
  }

  async getTask(params: GetTaskRequest): Promise<Task> {
    return toA2aTask(await this.taskOf(params.id), params.historyLength);
  }

  async listTasks(params: ListTasksRequest): Promise<ListTasksResponse> {
    if (params.contextId)
      throw new UnsupportedOperationError('Listing tasks by contextId is not supported.');
    if (params.statusTimestampAfter)
      throw new UnsupportedOperationError(
        'Listing tasks by statusTimestampAfter is not supported.',
      );
    const pageSize = params.pageSize ?? PAGE_SIZE_DEFAULT;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > PAGE_SIZE_MAX)
      throw new RequestMalformedError(`pageSize must be an integer from 1 to ${PAGE_SIZE_MAX}.`);
    const offset = params.pageToken ? Number(params.pageToken) : 0;
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new RequestMalformedError('pageToken is not one this server gave.');
    let status: string | undefined;
    if (params.status !== TaskState.TASK_STATE_UNSPECIFIED) {
      const statuses = statusesOf(params.status);
      if (statuses.length === 0) return { tasks: [], nextPageToken: '', pageSize, totalSize: 0 };
      status = statuses[0];
    }
    const page = await this.rest
      .call<{ items: TaskJson[]; total: number }>(
        this.restCall({
          method: 'GET',
          path: '/tasks',
          query: {
            project_id: this.call.projectId,
            assigned_to: this.call.agentId,
            assigned_to_type: 'agent',
            status,
            sort: '-created_at',
            limit: pageSize,
            offset,
          },
        }),
      )
      .catch(rethrow);
    const { items, total } = page.body as { items: TaskJson[]; total: number };
    const next = offset + items.length;
    return {
      tasks: items.map((t) => {
        const task = toA2aTask(t, params.historyLength);
        return params.includeArtifacts ? task : { ...task, artifacts: [] };
      }),
      nextPageToken: next < total ? String(next) : '',
      pageSize,
      totalSize: total,
    };
  }

  async cancelTask(params: CancelTaskRequest): Promise<Task> {
    const task = await this.taskOf(params.id);
    if (isFinal(task.status))
      throw new TaskNotCancelableError(`The task is already ${task.status}.`);
    const cancelled = await this.rest
      .call<TaskJson>(
        this.restCall({
          method: 'PATCH',
          path: `/tasks/${encodeURIComponent(task.id)}`,
          body: { status: 'cancelled' },
        }),
      )
      .catch((error: unknown) => {
        // It ended (or moved on) between our read and our change.
        if (error instanceof RestProblem && error.status === 409)
          throw new TaskNotCancelableError(error.detail);
        return rethrow(error);
      });
    return toA2aTask(cancelled.body as TaskJson);
  }

  async *resubscribe(params: SubscribeToTaskRequest): AsyncGenerator<StreamResponse> {
    const updates = await this.openUpdates();
    try {
      const task = await this.taskOf(params.id);
      if (isFinal(task.status))
        throw new UnsupportedOperationError(
          `The task is already ${task.status}: there is nothing to subscribe to.`,
        );
      yield* this.follow(task, updates);
    } finally {
      updates.close();
    }
  }

  createTaskPushNotificationConfig(
    _params: TaskPushNotificationConfig,
  ): Promise<TaskPushNotificationConfig> {
    return pushNotSupported();
  }

  getTaskPushNotificationConfig(
    _params: GetTaskPushNotificationConfigRequest,
  ): Promise<TaskPushNotificationConfig> {
    return pushNotSupported();
  }

  listTaskPushNotificationConfigs(
    _params: ListTaskPushNotificationConfigsRequest,
  ): Promise<ListTaskPushNotificationConfigsResponse> {
    return pushNotSupported();
  }

  deleteTaskPushNotificationConfig(
    _params: DeleteTaskPushNotificationConfigRequest,
  ): Promise<void> {
    return pushNotSupported();
  }

  /**
   * The task, then a status update for every change of its status (the result as an artifact
   * just before `completed`), until a final state, the client going away, or the event
   * subscription ending (credentials revoked: an error).
   */
  private async *follow(task: TaskJson, updates: TaskUpdates): AsyncGenerator<StreamResponse> {
    yield { payload: { $case: 'task', value: toA2aTask(task) } };
    let last = task;
    const stop = () => updates.close('client gone');
    this.call.signal.addEventListener('abort', stop, { once: true });
    try {
      while (!isFinal(last.status)) {
        const update = await updates.next(task.id);
        if (update === null) {
          if (this.call.signal.aborted) return;
          throw streamEnded(updates.reason);
        }
        if (update.kind === 'deleted') throw new TaskNotFoundError('The task was deleted.');
        const next = update.kind === 'resync' ? await this.taskOf(task.id) : update.task;
        if (next.version <= last.version) continue;
        const changed = next.status !== last.status;
        last = next;
        if (!changed) continue;
        const artifact = resultArtifact(next);
        if (artifact)
          yield {
            payload: {
              $case: 'artifactUpdate',
              value: {
                taskId: next.id,
                contextId: contextIdOf(next),
                artifact,
                append: false,
                lastChunk: true,
                metadata: undefined,
              },
            },
          };
        yield {
          payload: {
            $case: 'statusUpdate',
            value: {
              taskId: next.id,
              contextId: contextIdOf(next),
              status: statusOf(next),
              metadata: { agenthub_status: next.status, agenthub_version: next.version },
            },
          },
        };
      }
    } finally {
      this.call.signal.removeEventListener('abort', stop);
    }
  }

  private openUpdates(): Promise<TaskUpdates> {
    return TaskUpdates.open(this.streams, this.call.principal, this.call.projectId);
  }

  private messageOf(params: SendMessageRequest): Message {
    const message = params.message;
    if (!message) throw new RequestMalformedError('params.message is required.');
    if (message.parts.length === 0)
      throw new RequestMalformedError('A message needs at least one part.');
    if (message.parts.some((p) => p.content === undefined))
      throw new RequestMalformedError('Every part needs content: text, data, url or raw.');
    return message;
  }

  /** A new task for the agent, with the message's parts. */
  private async createTask(message: Message): Promise<TaskJson> {
    const created = await this.rest
      .call<TaskJson>(
        this.restCall({
          method: 'POST',
          path: '/tasks',
          body: {
            project_id: this.call.projectId,
            title: titleOf(message.parts),
            description: textsOf(message.parts).join('\n\n').slice(0, DESCRIPTION_LIMIT) || null,
            assigned_to: this.call.agentId,
            assigned_to_type: 'agent',
            parts: partsToStore(message),
          },
        }),
      )
      .catch(rethrow);
    return created.body as TaskJson;
  }

  /** A message on an open task: to the agent, on the task's conversation (the task id). */
  private async followUp(message: Message): Promise<TaskJson> {
    const task = await this.taskOf(message.taskId);
    if (isFinal(task.status))
      throw new UnsupportedOperationError(
        `The task is already ${task.status}: it takes no more messages.`,
      );
    if (message.contextId && message.contextId !== contextIdOf(task))
      throw new RequestMalformedError("The message's contextId is not the task's.");
    const texts = textsOf(message.parts);
    await this.rest
      .call(
        this.restCall({
          method: 'POST',
          path: '/messages',
          body: {
            project_id: task.project_id,
            recipient_id: this.call.agentId,
            message_type: FOLLOW_UP_MESSAGE_TYPE,
            subject: texts.length > 0 ? texts[0].slice(0, SUBJECT_LIMIT) : null,
            conversation_id: task.id,
            payload: { task_id: task.id, message: Message.toJSON(message) },
          },
        }),
      )
      .catch(rethrow);
    return task;
  }

  /** The task, when it is one of this agent's (else TaskNotFound, as for an unknown id). */
  private async taskOf(id: string): Promise<TaskJson> {
    if (!id?.trim()) throw new RequestMalformedError('A task id is required.');
    // Every AgentHub task id is a UUID; anything else is no task, and is never put in a path.
    if (!isUuid(id)) throw new TaskNotFoundError(`No task ${id} of this agent.`);
    const found = await this.rest
      .call<TaskJson>(this.restCall({ method: 'GET', path: `/tasks/${encodeURIComponent(id)}` }))
      .catch((error: unknown) => {
        if (error instanceof RestProblem && (error.status === 404 || error.status === 400))
          throw new TaskNotFoundError(`No task ${id} of this agent.`);
        return rethrow(error);
      });
    const task = found.body as TaskJson;
    if (task.assigned_to !== this.call.agentId || task.assigned_to_type !== 'agent')
      throw new TaskNotFoundError(`No task ${id} of this agent.`);
    return task;
  }

  private restCall(call: Omit<RestCall, 'authorization' | 'via' | 'requestId'>): RestCall {
    return {
      ...call,
      authorization: this.call.authorization,
      via: 'a2a',
      requestId: this.call.requestId,
    };
  }
}

/** An A2A error for a REST-like refusal: a JSON-RPC server error whose message is `CODE: detail`. */
function agenthubError(code: string, detail: string): JsonRpcTransportError {
  return new JsonRpcTransportError({
    jsonrpc: '2.0',
    id: null,
    error: { code: AGENTHUB_ERROR_CODE, message: `${code}: ${detail}` },
  });
}

/** The problem code of a stream's end when the caller's credentials ended it. */
export const STREAM_CREDENTIALS_CODE = 'AUTH.CREDENTIALS_INVALID';
/** ... and when the API process shuts down under it (the task goes on: resubscribe). */
export const STREAM_SHUTDOWN_CODE = 'SERVER.SHUTTING_DOWN';

/**
 * Why a task's stream ended before a final state, as the error event its client reads: the
 * event stream closes on revoked or expired credentials (checked every 500 ms) and on
 * shutdown; anything else is the server's own failure.
 */
function streamEnded(reason: string | undefined): Error {
  if (reason && /credentials/i.test(reason))
    return agenthubError(
      STREAM_CREDENTIALS_CODE,
      "The caller's credentials are no longer valid (revoked, deactivated or expired): the stream ended.",
    );
  if (reason && /shutting down/i.test(reason))
    return agenthubError(
      STREAM_SHUTDOWN_CODE,
      'The server is shutting down: resubscribe (SubscribeToTask) to follow the task.',
    );
  return new Error(`the task's event stream ended: ${reason ?? 'unknown reason'}`);
}

function pushNotSupported(): never {
  throw new PushNotificationNotSupportedError('This agent does not send push notifications.');
}

/**
 * A REST refusal as the protocol's error: invalid input is the protocol's invalid params,
 * anything else (forbidden, a conflict, too large) a server error whose message carries the
 * problem's code and detail.
 */
function rethrow(error: unknown): never {
  if (!(error instanceof RestProblem)) throw error;
  if (error.status === 400) throw new RequestMalformedError(`${error.code}: ${error.detail}`);
  throw agenthubError(error.code, error.detail);
}
