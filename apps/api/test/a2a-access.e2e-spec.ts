import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { GetTaskRequest, ListTasksRequest, TaskState } from '@a2a-js/sdk';
import type { Task } from '@a2a-js/sdk';
import { A2A_ERROR_CODE } from '@a2a-js/sdk/errors';
import { createTask } from '@agenthub/testing';
import { a2aClient, cardUrlOf, postRpc, userMessage } from './a2a.support';
import { ActorName, headersOf, useWorld } from './world';

/**
 * Who may use an agent over A2A: the card and every method answer the callers REST lets
 * read the agent (its project's owner, a superuser, an agent of the project) and refuse the
 * others as REST does, with the same status (401, 403, 404) on the methods as on the card.
 */
jest.setTimeout(60_000);

const world = useWorld();
let base: string;

beforeAll(async () => {
  await world.t.app.listen(0, '127.0.0.1');
  base = await world.t.app.getUrl();
});

const authOf = (actor: ActorName): Record<string, string> => {
  const headers = headersOf(world, actor);
  return headers.authorization ? { authorization: String(headers.authorization) } : {};
};

/** One request of each method, for agent A2 (A1's key is another agent of its project). */
const calls = (taskId: string): [string, unknown][] => [
  ['GetTask', { id: taskId }],
  ['ListTasks', { pageSize: 5 }],
  [
    'SendMessage',
    {
      message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text: 'matrix' }] },
      configuration: { returnImmediately: true },
    },
  ],
  ['SubscribeToTask', { id: taskId }],
  ['GetExtendedAgentCard', {}],
];

describe.each<[ActorName, number]>([
  ['otherUser', 403],
  ['otherProjectAgentKey', 403],
  ['anonymous', 401],
])('%s', (actor, status) => {
  it(`gets ${status} problem+json for the card and for every method`, async () => {
    const task = await createTask(world.t, world.owner, world.p1, {
      title: 'not yours',
      assigned_to: world.a2,
      assigned_to_type: 'agent',
    });
    const card = await fetch(cardUrlOf(base, world.a2), { headers: authOf(actor) });
    expect(card.status).toBe(status);
    expect(card.headers.get('content-type')).toContain('application/problem+json');
    for (const [method, params] of [...calls(task.id), ['CancelTask', { id: task.id }]]) {
      const answer = await postRpc(
        base,
        world.a2,
        { jsonrpc: '2.0', id: 1, method, params },
        authOf(actor),
      );
      expect({ method, status: answer.status, contentType: answer.contentType }).toEqual({
        method,
        status,
        contentType: expect.stringContaining('application/problem+json'),
      });
    }
    // The task is untouched.
    const after = await world.t.request({
      method: 'GET',
      url: `/api/v1/tasks/${task.id}`,
      headers: world.owner,
    });
    expect(after.json()).toMatchObject({ status: 'pending' });
  });
});

describe.each<ActorName>(['owner', 'superuser', 'agentKey'])('%s', (actor) => {
  it('reads the card and uses every method', async () => {
    const task = await createTask(world.t, world.owner, world.p1, {
      title: `for ${actor}`,
      assigned_to: world.a2,
      assigned_to_type: 'agent',
    });
    const card = await fetch(cardUrlOf(base, world.a2), { headers: authOf(actor) });
    expect(card.status).toBe(200);
    const answers: Record<string, unknown> = {};
    for (const [method, params] of calls(task.id)) {
      const answer = await postRpc(
        base,
        world.a2,
        { jsonrpc: '2.0', id: method, method, params },
        authOf(actor),
      );
      expect(answer.status).toBe(200);
      answers[method] = answer.json.error?.code ?? Object.keys(answer.json.result as object)[0];
    }
    expect(answers).toEqual({
      GetTask: 'id',
      ListTasks: 'tasks',
      SendMessage: 'task',
      SubscribeToTask: 'task',
      GetExtendedAgentCard: A2A_ERROR_CODE.EXTENDED_CARD_NOT_CONFIGURED,
    });
  });
});

it('no agent by that id is 404 for the card and the methods, also for ids that are no UUID', async () => {
  for (const id of [randomUUID(), 'not-an-id', '..%2Fprojects', '%252e%252e']) {
    const card = await fetch(cardUrlOf(base, id), { headers: authOf('owner') });
    expect({ id, status: card.status }).toEqual({ id, status: 404 });
    const answer = await postRpc(
      base,
      id,
      { jsonrpc: '2.0', id: 1, method: 'ListTasks', params: {} },
      authOf('owner'),
    );
    expect({ id, status: answer.status, code: answer.json['code'] }).toEqual({
      id,
      status: 404,
      code: 'AGENT.NOT_FOUND',
    });
  }
  // A dot segment as the id, sent as is (fetch would resolve it away), names no agent either.
  const status = await new Promise<number>((resolve, reject) =>
    httpRequest(`${base}/a2a/agents/%2e%2e/.well-known/agent-card.json`, {
      headers: authOf('owner'),
    })
      .on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject)
      .end(),
  );
  expect(status).toBe(404);
});

describe('the SDK client', () => {
  it('works for an agent key of the project as for the owner: send, get, list', async () => {
    for (const as of [world.agentKey, world.owner]) {
      const client = await a2aClient(base, world.a2, String(as.authorization));
      expect((await client.getAgentCard()).name).toBe('A2');
      const task = (await client.sendMessage(
        userMessage([{ text: 'from the SDK' }], {}, { returnImmediately: true }),
      )) as Task;
      expect(task.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
      expect((await client.getTask(GetTaskRequest.fromJSON({ id: task.id }))).id).toBe(task.id);
      const listed = await client.listTasks(ListTasksRequest.fromJSON({ pageSize: 500 }));
      expect(listed.tasks.map((t) => t.id)).toContain(task.id);
    }
  });

  it('refuses another project’s agent key on the card, so the client is never built', async () => {
    await expect(
      a2aClient(base, world.a2, String(world.otherProjectAgentKey.authorization)),
    ).rejects.toThrow(/403/);
  });

  it('cancel follows REST’s rule: the owner and the agent that sent it may, another agent may not', async () => {
    const send = async (as: ActorName, id: number) => {
      const sent = await postRpc(
        base,
        world.a2,
        {
          jsonrpc: '2.0',
          id,
          method: 'SendMessage',
          params: {
            message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text: 'cancel me' }] },
            configuration: { returnImmediately: true },
          },
        },
        authOf(as),
      );
      return (sent.json.result as { task: { id: string } }).task.id;
    };
    const cancel = (taskId: string, as: ActorName, id: number) =>
      postRpc(
        base,
        world.a2,
        { jsonrpc: '2.0', id, method: 'CancelTask', params: { id: taskId } },
        authOf(as),
      );
    const canceled = (id: number, taskId: string) => ({
      id,
      result: { id: taskId, status: { state: 'TASK_STATE_CANCELED' } },
    });

    // The owner's task: A1 neither holds nor sent it.
    const owners = await send('owner', 1);
    const refused = await cancel(owners, 'agentKey', 2);
    expect(refused.json).toMatchObject({ id: 2, error: { code: -32000 } });
    expect(refused.json.error?.message).toMatch(/^TASK\.NOT_ASSIGNEE: /);
    expect((await cancel(owners, 'owner', 3)).json).toMatchObject(canceled(3, owners));

    // A1 handed this one to A2: it may call it off.
    const a1s = await send('agentKey', 4);
    expect((await cancel(a1s, 'agentKey', 5)).json).toMatchObject(canceled(5, a1s));
  });
});
