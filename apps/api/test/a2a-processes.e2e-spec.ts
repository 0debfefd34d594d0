import { SubscribeToTaskRequest } from '@a2a-js/sdk';
import type { StreamResponse, Task } from '@a2a-js/sdk';
import {
  bearer,
  createAgent,
  createAgentKey,
  createProject,
  deactivateUser,
  registerAndLogin,
} from '@agenthub/testing';
import { a2aClient, describeResponse, userMessage } from './a2a.support';
import { api, ApiProcess, startApiProcess } from './event-stream.support';
import { useWorld } from './world';

/**
 * The A2A gateway behind several API processes on one database: a task's stream on one
 * process follows what the agent does through another, a task created on one is followed
 * from the other, and a stream whose caller's credentials end (a revoked key, a deactivated
 * user) ends within the event stream's credential check, with a JSON-RPC error event.
 */
jest.setTimeout(90_000);

const world = useWorld();
let base: string;
let other: ApiProcess;

beforeAll(async () => {
  await world.t.app.listen(0, '127.0.0.1');
  base = await world.t.app.getUrl();
  other = await startApiProcess(world.db.url);
}, 90_000);
afterAll(() => other?.stop());

/** The agent works on its task over REST on the API at `url`: starts it, then ends it. */
async function agentWorksOn(url: string, taskId: string, end: Record<string, unknown>) {
  for (const body of [{ status: 'in_progress' }, end]) {
    const res = await api(url, 'PATCH', `/tasks/${taskId}`, world.agentKey, body);
    expect(res.status).toBe(200);
  }
}

async function rest(stream: AsyncGenerator<StreamResponse>): Promise<string[]> {
  const seen: string[] = [];
  for await (const response of stream) seen.push(describeResponse(response));
  return seen;
}

/** How the stream ended: the error it threw (and after how long), or `done`. */
async function ending(stream: AsyncGenerator<StreamResponse>, from: number) {
  try {
    for await (const _response of stream) {
      // Nothing changes the task: only the end is of interest.
    }
    return { ended: 'done', afterMs: Date.now() - from };
  } catch (error) {
    // The SDK throws an error naming the event's error; the JSON-RPC error is its cause.
    const e = error as { message: string; cause?: { envelopeCode?: number; code?: number } };
    return {
      ended: 'error',
      code: e.cause?.envelopeCode ?? e.cause?.code,
      message: e.message,
      afterMs: Date.now() - from,
    };
  }
}

describe('A2A across API processes', () => {
  it('streams a task sent on one process while the agent works on it through the other', async () => {
    const client = await a2aClient(base, world.a1, String(world.owner.authorization));
    const stream = client.sendMessageStream(userMessage([{ text: 'Across processes' }]));
    const first = await stream.next();
    expect(describeResponse(first.value as StreamResponse)).toBe('task:TASK_STATE_SUBMITTED');
    const task = (first.value as StreamResponse).payload?.value as Task;

    await agentWorksOn(other.url, task.id, {
      status: 'completed',
      result: { text: 'Done there.' },
    });
    expect(await rest(stream)).toEqual([
      'status:TASK_STATE_WORKING',
      'artifact:result',
      'status:TASK_STATE_COMPLETED',
    ]);
  });

  it('resubscribes on one process to a task created on the other', async () => {
    const onA = await a2aClient(base, world.a1, String(world.agentKey.authorization));
    const onB = await a2aClient(other.url, world.a1, String(world.agentKey.authorization));
    // The card read on B names B as the agent's address.
    expect((await onB.getAgentCard()).supportedInterfaces[0].url).toBe(
      `${other.url}/a2a/agents/${world.a1}`,
    );
    const task = (await onA.sendMessage(
      userMessage([{ text: 'Made on A' }], {}, { returnImmediately: true }),
    )) as Task;
    const stream = onB.resubscribeTask(SubscribeToTaskRequest.fromJSON({ id: task.id }));
    const first = await stream.next();
    expect(describeResponse(first.value as StreamResponse)).toBe('task:TASK_STATE_SUBMITTED');

    await agentWorksOn(base, task.id, { status: 'failed', result: { error: 'No luck.' } });
    expect(await rest(stream)).toEqual(['status:TASK_STATE_WORKING', 'status:TASK_STATE_FAILED']);
  });
});

describe('a stream outlives no credentials', () => {
  it('a revoked agent key ends its open stream on the other process within 2 s, with a JSON-RPC error event', async () => {
    const key = await createAgentKey(world.t, world.owner, world.a1);
    const client = await a2aClient(other.url, world.a1, bearer(key.api_key).authorization);
    const stream = client.sendMessageStream(userMessage([{ text: 'Until the key goes' }]));
    expect(describeResponse((await stream.next()).value as StreamResponse)).toBe(
      'task:TASK_STATE_SUBMITTED',
    );

    const revokedAt = Date.now();
    const revoked = await world.t.request({
      method: 'DELETE',
      url: `/api/v1/agents/${world.a1}/api-keys/${key.id}`,
      headers: world.owner,
    });
    expect(revoked.statusCode).toBe(204);
    const end = await ending(stream, revokedAt);
    expect(end).toMatchObject({
      ended: 'error',
      code: -32000,
      message: expect.stringMatching(/AUTH\.CREDENTIALS_INVALID: .*no longer valid/),
    });
    // The credential check runs every 500 ms; the bound leaves a slow machine room.
    expect(end.afterMs).toBeLessThan(5_000);
    // And the key is refused at once on its next request.
    const next = await fetch(`${other.url}/a2a/agents/${world.a1}`, {
      method: 'POST',
      headers: {
        authorization: bearer(key.api_key).authorization,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ListTasks', params: {} }),
    });
    expect(next.status).toBe(401);
  });

  it('a deactivated user’s stream ends within 2 s: the last frame is an error event with the request’s id', async () => {
    const email = 'leaving@agents.test';
    const user = await registerAndLogin(world.t, email);
    const project = await createProject(world.t, user.auth, 'Leaving');
    const agent = await createAgent(world.t, user.auth, project.id, { name: 'L1' });

    const res = await fetch(`${base}/a2a/agents/${agent.id}`, {
      method: 'POST',
      headers: {
        authorization: String(user.auth.authorization),
        'content-type': 'application/json',
        'a2a-version': '1.0',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'stream-1',
        method: 'SendStreamingMessage',
        params: {
          message: { messageId: 'm-1', role: 'ROLE_USER', parts: [{ text: 'Until I leave' }] },
        },
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('\n\n')) text += decoder.decode((await reader.read()).value);

    const deactivatedAt = Date.now();
    await deactivateUser(world.db.url, email);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      text += decoder.decode(chunk.value);
    const afterMs = Date.now() - deactivatedAt;
    expect(afterMs).toBeLessThan(5_000);

    const frames = text.split('\n\n').filter((frame) => frame.trim() !== '');
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatch(/^data: /);
    const [event, data] = frames[1].split('\n');
    expect(event).toBe('event: error');
    expect(JSON.parse(data.replace(/^data: /, ''))).toEqual({
      jsonrpc: '2.0',
      id: 'stream-1',
      error: {
        code: -32000,
        message: expect.stringMatching(/^AUTH\.CREDENTIALS_INVALID: /),
      },
    });
  });
});
