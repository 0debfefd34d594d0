import { randomUUID } from 'node:crypto';
import {
  CancelTaskRequest,
  GetTaskRequest,
  ListTasksRequest,
  SendMessageRequest,
  SubscribeToTaskRequest,
  TaskPushNotificationConfig,
  TaskState,
} from '@a2a-js/sdk';
import type { StreamResponse, Task } from '@a2a-js/sdk';
import {
  Client,
  ClientFactory,
  ClientFactoryOptions,
  createAuthenticatingFetchWithRetry,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import { A2A_ERROR_CODE } from '@a2a-js/sdk/errors';
import { A2A_METADATA_KEY } from '@agenthub/a2a';
import { AuthHeaders, getTask, patchTask } from '@agenthub/testing';
import { useWorld } from './world';

/**
 * The A2A gateway with the official SDK client over a real socket: the card, sending (a task
 * for the agent), streaming until the agent (driven over REST here) completes, the result as
 * an artifact, cancel, follow-ups into the agent's inbox, and the protocol's errors.
 */
jest.setTimeout(60_000);

const world = useWorld();
let base: string;

beforeAll(async () => {
  await world.t.app.listen(0, '127.0.0.1');
  base = await world.t.app.getUrl();
  // A1's capabilities, described: they become the card's skills.
  const res = await world.t.request({
    method: 'PUT',
    url: `/api/v1/agents/${world.a1}/capabilities`,
    headers: world.owner,
    payload: {
      capabilities: [
        {
          capability_name: 'code',
          description: 'Writes TypeScript.',
          input_schema: { type: 'object', properties: { spec: { type: 'string' } } },
        },
        { capability_name: 'review' },
      ],
    },
  });
  expect(res.statusCode).toBe(200);
});

const cardUrl = (agentId: string) => `${base}/a2a/agents/${agentId}/.well-known/agent-card.json`;

/** The SDK's client for an agent, authenticated the SDK's way (its authenticating fetch). */
function clientFor(agentId: string, as: AuthHeaders): Promise<Client> {
  const fetchImpl = createAuthenticatingFetchWithRetry(fetch, {
    headers: async () => ({ authorization: String(as.authorization) }),
    shouldRetryWithHeaders: async () => undefined,
  });
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
    }),
  );
  return factory.createFromUrl(cardUrl(agentId), '');
}

/** A user message with these parts (A2A JSON), and the send's configuration. */
const send = (parts: unknown[], more: Record<string, unknown> = {}, configuration = {}) =>
  SendMessageRequest.fromJSON({
    message: { messageId: randomUUID(), role: 'ROLE_USER', parts, ...more },
    configuration,
  });

/** The agent works on its task over REST: starts it, then ends it as told. */
async function agentWorks(taskId: string, end: Record<string, unknown>): Promise<void> {
  for (const body of [{ status: 'in_progress' }, end]) {
    const res = await patchTask(world.t, world.agentKey, taskId, body);
    expect(res.statusCode).toBe(200);
  }
}

/** What a stream said, one word per response. */
function describe_(response: StreamResponse): string {
  const p = response.payload;
  if (p?.$case === 'task') return `task:${TaskState[p.value.status?.state ?? 0]}`;
  if (p?.$case === 'statusUpdate') return `status:${TaskState[p.value.status?.state ?? 0]}`;
  if (p?.$case === 'artifactUpdate') return `artifact:${p.value.artifact?.name}`;
  return String(p?.$case);
}

async function rpcError(promise: Promise<unknown>): Promise<{ code?: number; message: string }> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { envelopeCode?: number; code?: number; message: string } | undefined;
  if (!error) throw new Error('expected an A2A error');
  return { code: error.envelopeCode ?? error.code, message: error.message };
}

describe('the agent card', () => {
  it('describes the agent: JSON-RPC at its absolute url, streaming, bearer auth, one skill per capability', async () => {
    const card = await (await clientFor(world.a1, world.agentKey)).getAgentCard();
    expect(card).toMatchObject({
      name: 'A1',
      supportedInterfaces: [
        {
          url: `${base}/a2a/agents/${world.a1}`,
          protocolBinding: 'JSONRPC',
          protocolVersion: '1.0',
        },
      ],
      capabilities: { streaming: true, pushNotifications: false, extendedAgentCard: false },
      securityRequirements: [{ schemes: { bearer: { list: [] } } }],
    });
    expect(card.securitySchemes['bearer'].scheme).toMatchObject({
      $case: 'httpAuthSecurityScheme',
      value: { scheme: 'Bearer' },
    });
    expect(card.skills.map((s) => [s.id, s.description, s.inputModes])).toEqual([
      ['code', 'Writes TypeScript.', ['text/plain', 'application/json']],
      ['review', 'The "review" capability.', ['text/plain']],
    ]);
    expect(card.skills[0].examples[0]).toContain('"spec"');
  });

  it('also gives the endpoint as the top-level url earlier cards had', async () => {
    const res = await fetch(cardUrl(world.a1), {
      headers: { authorization: String(world.owner.authorization) },
    });
    const json = (await res.json()) as { url: string; supportedInterfaces: { url: string }[] };
    expect(json.url).toBe(`${base}/a2a/agents/${world.a1}`);
    expect(json.supportedInterfaces[0].url).toBe(json.url);
  });

  it('is what the OpenAPI document says it is: the card, and REST problems about this request', async () => {
    // world.t.request checks every answer against the document.
    const url = `/a2a/agents/${world.a1}/.well-known/agent-card.json`;
    const card = await world.t.request({ method: 'GET', url, headers: world.owner });
    expect(card.statusCode).toBe(200);
    const refused = await world.t.request({ method: 'GET', url, headers: world.otherUser });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'PROJECT.FORBIDDEN', instance: url });
  });

  it('keeps its version (and ETag) across heartbeats; a change to the card changes both', async () => {
    const read = async () => {
      const res = await fetch(cardUrl(world.a2), {
        headers: { authorization: String(world.owner.authorization) },
      });
      return {
        version: ((await res.json()) as { version: string }).version,
        etag: res.headers.get('etag'),
      };
    };
    const before = await read();
    for (let i = 0; i < 2; i++) {
      const beat = await world.t.request({
        method: 'POST',
        url: `/api/v1/agents/${world.a2}/heartbeat`,
        headers: world.owner,
        payload: {},
      });
      expect(beat.statusCode).toBe(200);
    }
    expect(await read()).toEqual(before);
    await world.t.request({
      method: 'PATCH',
      url: `/api/v1/agents/${world.a2}`,
      headers: world.owner,
      payload: { system_prompt: 'Reviews pull requests.' },
    });
    const after = await read();
    expect(after.version).not.toBe(before.version);
    expect(after.etag).not.toBe(before.etag);
  });

  it('is refused as REST refuses the agent: 401 without a token, 403 to another project, 404 for no agent', async () => {
    const anonymous = await fetch(cardUrl(world.a1));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const other = await fetch(cardUrl(world.a1), {
      headers: { authorization: String(world.otherProjectAgentKey.authorization) },
    });
    expect(other.status).toBe(403);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(((await other.json()) as { code: string }).code).toBe('PROJECT.FORBIDDEN');
    const none = await fetch(cardUrl(randomUUID()), {
      headers: { authorization: String(world.owner.authorization) },
    });
    expect(none.status).toBe(404);
    await expect(clientFor(world.a1, world.otherProjectAgentKey)).rejects.toThrow(/403/);
  });
});

describe('tasks over A2A', () => {
  let client: Client;
  beforeAll(async () => {
    client = await clientFor(world.a1, world.owner);
  });

  it('a streaming send creates a task for the agent and streams it until the agent completes; the result is an artifact', async () => {
    const stream = client.sendMessageStream(
      send([{ text: '  Port the parser\nto Rust  ' }, { data: { files: ['parser.ts'] } }], {
        contextId: 'ctx-1',
      }),
    );
    const seen: StreamResponse[] = [];
    const first = await stream.next();
    seen.push(first.value as StreamResponse);
    const task = (first.value as StreamResponse).payload?.value as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
    expect(task.contextId).toBe('ctx-1');

    // The AgentHub task behind it: assigned to the agent, the message's parts kept.
    const stored = await getTask(world.t, world.agentKey, task.id);
    expect(stored).toMatchObject({
      title: 'Port the parser to Rust',
      description: '  Port the parser\nto Rust  ',
      assigned_to: world.a1,
      assigned_to_type: 'agent',
      status: 'pending',
    });
    expect(stored['parts']).toEqual([
      {
        text: '  Port the parser\nto Rust  ',
        metadata: { [A2A_METADATA_KEY]: { message_id: expect.any(String), context_id: 'ctx-1' } },
      },
      { data: { files: ['parser.ts'] } },
    ]);

    await agentWorks(task.id, { status: 'completed', result: { text: 'Done.', lines: 420 } });
    for await (const response of stream) seen.push(response);
    expect(seen.map(describe_)).toEqual([
      'task:TASK_STATE_SUBMITTED',
      'status:TASK_STATE_WORKING',
      'artifact:result',
      'status:TASK_STATE_COMPLETED',
    ]);

    const got = await client.getTask(GetTaskRequest.fromJSON({ id: task.id }));
    expect(got.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(got.contextId).toBe('ctx-1');
    expect(got.artifacts).toHaveLength(1);
    expect(got.artifacts[0].parts.map((p) => p.content)).toEqual([
      { $case: 'text', value: 'Done.' },
      { $case: 'data', value: { text: 'Done.', lines: 420 } },
    ]);
    // The request, as the task's history: the parts as sent (the kept ids left out).
    expect(got.history[0].parts.map((p) => [p.content, p.metadata])).toEqual([
      [{ $case: 'text', value: '  Port the parser\nto Rust  ' }, undefined],
      [{ $case: 'data', value: { files: ['parser.ts'] } }, undefined],
    ]);
    expect(
      (await client.getTask(GetTaskRequest.fromJSON({ id: task.id, historyLength: 0 }))).history,
    ).toEqual([]);
  });

  it('a blocking send answers once the task is final; a failure carries the agent’s error', async () => {
    const sent = client.sendMessage(send([{ text: 'Try something hard' }]));
    let taskId: string | undefined;
    for (let i = 0; i < 100 && !taskId; i++) {
      const list = await world.t.request({
        method: 'GET',
        url: `/api/v1/tasks?project_id=${world.p1}&q=hard&assigned_to=${world.a1}&status=pending`,
        headers: world.owner,
      });
      taskId = list.json<{ items: { id: string }[] }>().items[0]?.id;
      if (!taskId) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await agentWorks(taskId as string, { status: 'failed', result: { error: 'Too hard.' } });
    const task = (await sent) as Task;
    expect(task.id).toBe(taskId);
    expect(task.contextId).toBe(taskId);
    expect(task.status?.state).toBe(TaskState.TASK_STATE_FAILED);
    expect(task.status?.message?.parts[0].content).toEqual({ $case: 'text', value: 'Too hard.' });
    expect(task.artifacts).toEqual([]);
  });

  it('cancels a task; a final task is not cancelable', async () => {
    const task = (await client.sendMessage(
      send([{ text: 'Never mind' }], {}, { returnImmediately: true }),
    )) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
    const cancelled = await client.cancelTask(CancelTaskRequest.fromJSON({ id: task.id }));
    expect(cancelled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect((await getTask(world.t, world.owner, task.id)).status).toBe('cancelled');
    expect(
      (await rpcError(client.cancelTask(CancelTaskRequest.fromJSON({ id: task.id })))).code,
    ).toBe(A2A_ERROR_CODE.TASK_NOT_CANCELABLE);
  });

  it('resubscribes to an open task and streams it to its end', async () => {
    const task = (await client.sendMessage(
      send([{ text: 'Watch me' }], {}, { returnImmediately: true }),
    )) as Task;
    const stream = client.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id: task.id }));
    const first = await stream.next();
    expect(describe_(first.value as StreamResponse)).toBe('task:TASK_STATE_SUBMITTED');
    await agentWorks(task.id, { status: 'completed' });
    const rest: string[] = [];
    for await (const response of stream) rest.push(describe_(response));
    // Completed without a result: no artifact.
    expect(rest).toEqual(['status:TASK_STATE_WORKING', 'status:TASK_STATE_COMPLETED']);
    // A final task has nothing to subscribe to.
    const again = client.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id: task.id }));
    expect((await rpcError(again.next())).code).toBe(A2A_ERROR_CODE.UNSUPPORTED_OPERATION);
  });

  it("a follow-up on the task goes to the agent's inbox on the task's conversation; a final task takes none", async () => {
    const task = (await client.sendMessage(
      send([{ text: 'First turn' }], {}, { returnImmediately: true }),
    )) as Task;
    const followed = (await client.sendMessage(
      send(
        [{ text: 'Also add tests' }, { data: { priority: 1 } }],
        { taskId: task.id },
        {
          returnImmediately: true,
        },
      ),
    )) as Task;
    expect(followed.id).toBe(task.id);
    const inbox = await world.t.request({
      method: 'POST',
      url: `/api/v1/agents/${world.a1}/inbox/receive`,
      headers: world.agentKey,
      payload: {},
    });
    expect(inbox.statusCode).toBe(200);
    const [message] = inbox.json<{ items: Record<string, unknown>[] }>().items;
    expect(message).toMatchObject({
      message_type: 'a2a.message',
      subject: 'Also add tests',
      conversation_id: task.id,
      payload: {
        task_id: task.id,
        message: {
          taskId: task.id,
          parts: [{ text: 'Also add tests' }, { data: { priority: 1 } }],
        },
      },
    });

    await client.cancelTask(CancelTaskRequest.fromJSON({ id: task.id }));
    const late = await rpcError(
      client.sendMessage(send([{ text: 'Too late' }], { taskId: task.id })),
    );
    expect(late.code).toBe(A2A_ERROR_CODE.UNSUPPORTED_OPERATION);
  });

  it("lists the agent's tasks, newest first, by state and page", async () => {
    const all = await client.listTasks(ListTasksRequest.fromJSON({ pageSize: 2 }));
    expect(all.tasks).toHaveLength(2);
    expect(all.totalSize).toBeGreaterThan(2);
    const next = await client.listTasks(
      ListTasksRequest.fromJSON({ pageSize: 2, pageToken: all.nextPageToken }),
    );
    expect(next.tasks.map((t) => t.id)).not.toContain(all.tasks[0].id);
    const completed = await client.listTasks(
      ListTasksRequest.fromJSON({ status: 'TASK_STATE_COMPLETED', includeArtifacts: true }),
    );
    expect(completed.tasks.length).toBeGreaterThan(0);
    for (const t of completed.tasks) expect(t.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(completed.tasks.some((t) => t.artifacts.length > 0)).toBe(true);
    const byContext = await rpcError(
      client.listTasks(ListTasksRequest.fromJSON({ contextId: 'ctx-1' })),
    );
    expect(byContext.code).toBe(A2A_ERROR_CODE.UNSUPPORTED_OPERATION);
  });

  it('a task that is not this agent’s is not found', async () => {
    const other = await world.t.request({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: world.owner,
      payload: {
        project_id: world.p1,
        title: 'for A2',
        assigned_to: world.a2,
        assigned_to_type: 'agent',
      },
    });
    const id = other.json<{ id: string }>().id;
    for (const taskId of [id, randomUUID(), 'not-a-uuid'])
      expect((await rpcError(client.getTask(GetTaskRequest.fromJSON({ id: taskId })))).code).toBe(
        A2A_ERROR_CODE.TASK_NOT_FOUND,
      );
  });

  it('answers the protocol’s own errors for what it does not offer', async () => {
    // The client reads the card and does not even ask; the agent answers the same when asked.
    const config = TaskPushNotificationConfig.fromJSON({
      taskId: randomUUID(),
      url: 'https://example.com/hook',
    });
    await expect(
      (async () => client.createTaskPushNotificationConfig(config))(),
    ).rejects.toMatchObject({ name: 'PushNotificationNotSupportedError' });

    const rpc = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}/a2a/agents/${world.a1}`, {
        method: 'POST',
        headers: {
          authorization: String(world.owner.authorization),
          'content-type': 'application/json',
          'a2a-version': '1.0',
          ...headers,
        },
        body: JSON.stringify(body),
      }).then(async (res) => ({
        status: res.status,
        json: (await res.json()) as { id?: unknown; error: { code: number } },
      }));
    for (const method of [
      'CreateTaskPushNotificationConfig',
      'GetTaskPushNotificationConfig',
      'ListTaskPushNotificationConfigs',
      'DeleteTaskPushNotificationConfig',
    ]) {
      const answer = await rpc({
        jsonrpc: '2.0',
        id: method,
        method,
        params: { taskId: randomUUID() },
      });
      expect(answer).toMatchObject({
        status: 200,
        json: { id: method, error: { code: A2A_ERROR_CODE.PUSH_NOTIFICATION_NOT_SUPPORTED } },
      });
    }
    const extended = await rpc({ jsonrpc: '2.0', id: 6, method: 'GetExtendedAgentCard' });
    expect(extended.json.error.code).toBe(A2A_ERROR_CODE.EXTENDED_CARD_NOT_CONFIGURED);
    const unknown = await rpc({ jsonrpc: '2.0', id: 7, method: 'tasks/teleport', params: {} });
    expect(unknown).toMatchObject({
      status: 200,
      json: { id: 7, error: { code: A2A_ERROR_CODE.METHOD_NOT_FOUND } },
    });
    const noMessage = await rpc({ jsonrpc: '2.0', id: 8, method: 'SendMessage', params: {} });
    expect(noMessage.json.error.code).toBe(A2A_ERROR_CODE.INVALID_PARAMS);
    const oldVersion = await rpc(
      { jsonrpc: '2.0', id: 9, method: 'GetTask', params: { id: randomUUID() } },
      { 'a2a-version': '0.3' },
    );
    expect(oldVersion.json.error.code).toBe(A2A_ERROR_CODE.VERSION_NOT_SUPPORTED);
    const noTokenRes = await fetch(`${base}/a2a/agents/${world.a1}`, { method: 'POST' });
    expect(noTokenRes.status).toBe(401);
  });
});
