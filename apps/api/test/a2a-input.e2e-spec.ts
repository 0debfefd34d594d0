import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { A2A_ERROR_CODE } from '@a2a-js/sdk/errors';
import { postRpc, RpcAnswer } from './a2a.support';
import { useWorld } from './world';

/**
 * Junk at an agent's JSON-RPC endpoint: whatever arrives, the answer is a JSON-RPC error
 * with the code the protocol gives it (200, as the SDK's own handler answers), the request's
 * id when it had a valid one, never a 500 and never a REST problem.
 */
jest.setTimeout(120_000);

const world = useWorld();
let base: string;

beforeAll(async () => {
  await world.t.app.listen(0, '127.0.0.1');
  base = await world.t.app.getUrl();
});

const asOwner = (body: unknown, headers: Record<string, string> = {}) =>
  postRpc(base, world.a1, body, { authorization: String(world.owner.authorization), ...headers });

const request = (method: string, params?: unknown, id: unknown = 1) => ({
  jsonrpc: '2.0',
  id,
  method,
  ...(params === undefined ? {} : { params }),
});

const message = (more: Record<string, unknown> = {}) => ({
  messageId: randomUUID(),
  role: 'ROLE_USER',
  parts: [{ text: 'hello' }],
  ...more,
});

/** The answer is a JSON-RPC error with this code (and the given id). */
function expectError(answer: RpcAnswer, code: number, id: unknown = 1): void {
  expect({ status: answer.status, contentType: answer.contentType }).toEqual({
    status: 200,
    contentType: expect.stringMatching(/^application\/json/),
  });
  expect(answer.json).toMatchObject({ jsonrpc: '2.0', id, error: { code } });
  expect(answer.json.result).toBeUndefined();
}

describe('the JSON-RPC envelope', () => {
  it.each<[string, string | unknown]>([
    ['malformed JSON', '{"jsonrpc": "2.0", "id": 1, "method":'],
    ['an empty body', ''],
  ])('%s is a parse error (-32700) without an id', async (_what, body) => {
    expectError(await asOwner(body), A2A_ERROR_CODE.PARSE_ERROR, null);
  });

  it.each<[string, unknown, unknown]>([
    ['a batch', [request('GetTask', { id: randomUUID() })], null],
    ['null', null, null],
    ['a number', 42, null],
    [
      'a JSON string holding a request',
      JSON.stringify(JSON.stringify(request('ListTasks', {}))),
      null,
    ],
    ['jsonrpc "1.0"', { ...request('GetTask', { id: randomUUID() }), jsonrpc: '1.0' }, 1],
    ['no jsonrpc', { id: 'a', method: 'GetTask', params: { id: randomUUID() } }, 'a'],
    ['an object id', request('GetTask', { id: randomUUID() }, { n: 1 }), null],
    ['a fractional id', request('GetTask', { id: randomUUID() }, 1.5), null],
    ['a boolean id', request('GetTask', { id: randomUUID() }, true), null],
    ['no method', { jsonrpc: '2.0', id: 3, params: {} }, 3],
    ['an empty method', request('', {}, 3), 3],
    ['a numeric method', { jsonrpc: '2.0', id: 3, method: 7 }, 3],
    ['scalar params', request('GetTask', 'abc', 4), 4],
  ])('%s is an invalid request (-32600)', async (_what, body, id) => {
    expectError(await asOwner(body), A2A_ERROR_CODE.INVALID_REQUEST, id);
  });

  it('keeps a string id, an integer id and a null id as they came', async () => {
    for (const id of ['req-1', 0, -7, null])
      expectError(await asOwner(request('GetTask', { id: randomUUID() }, id)), -32001, id);
  });

  it.each(['tasks/send', 'message/send', 'Nope', '__proto__', 'constructor', 'toString'])(
    'an unknown method %s is method not found (-32601)',
    async (method) => {
      expectError(await asOwner(request(method, {})), A2A_ERROR_CODE.METHOD_NOT_FOUND);
      // Without params too: the method is what is wrong, not its missing params.
      expectError(await asOwner(request(method)), A2A_ERROR_CODE.METHOD_NOT_FOUND);
    },
  );

  it('another content type is content type not supported (-32005)', async () => {
    for (const contentType of [
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
    ])
      expectError(
        await asOwner('a=1', { 'content-type': contentType }),
        A2A_ERROR_CODE.CONTENT_TYPE_NOT_SUPPORTED,
        null,
      );
  });

  it('a body over the limit (1 MiB) is an invalid request (-32600)', async () => {
    const huge = request('SendMessage', {
      message: message({ parts: [{ text: 'x'.repeat(1_100_000) }] }),
    });
    expectError(await asOwner(huge), A2A_ERROR_CODE.INVALID_REQUEST, null);
  });

  it('without a token it is still 401 with WWW-Authenticate, whatever the body', async () => {
    for (const body of [request('GetTask', { id: randomUUID() }), [1, 2]]) {
      const res = await fetch(`${base}/a2a/agents/${world.a1}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
  });
});

describe('malformed params are invalid params (-32602), named', () => {
  const send = (msg: unknown, configuration?: unknown) =>
    request('SendMessage', {
      message: msg,
      configuration: configuration ?? { returnImmediately: true },
    });

  it.each<[string, unknown, RegExp]>([
    ['no params', request('SendMessage'), /params are required/],
    ['params as an array', request('SendMessage', [message()]), /params must be an object/],
    ['no message', request('SendMessage', {}), /params\.message is required/],
    ['a message that is text', send('hello'), /params\.message must be an object/],
    ['no messageId', send(message({ messageId: undefined })), /messageId/],
    ['an agent role', send(message({ role: 'ROLE_AGENT' })), /role/],
    ['an unknown role', send(message({ role: 'boss' })), /role/],
    ['parts not an array', send(message({ parts: { text: 'x' } })), /parts must be an array/],
    ['no parts', send(message({ parts: [] })), /at least one part/],
    ['a part that is text', send(message({ parts: ['hello'] })), /parts\[0\] must be an object/],
    [
      'a part of an unknown kind',
      send(message({ parts: [{ text: 'a' }, { kind: 'file', file: { uri: 'x' } }] })),
      /parts\[1\] must have exactly one of/,
    ],
    [
      'a part of two kinds',
      send(message({ parts: [{ text: 'a', data: { b: 1 } }] })),
      /exactly one of/,
    ],
    [
      'text that is not a string',
      send(message({ parts: [{ text: { a: 1 } }] })),
      /text must be a string/,
    ],
    ['raw that is not base64', send(message({ parts: [{ raw: 5 }] })), /raw must be base64/],
    ['raw of other characters', send(message({ parts: [{ raw: '!!!!' }] })), /raw must be base64/],
    ['a taskId that is a number', send(message({ taskId: 7 })), /taskId must be a string/],
    ['metadata that is a list', send(message({ metadata: [1] })), /metadata must be an object/],
    [
      'a negative historyLength',
      send(message(), { returnImmediately: true, historyLength: -1 }),
      /historyLength must be an integer, 0 or more/,
    ],
    [
      'returnImmediately as text',
      send(message(), { returnImmediately: 'yes' }),
      /returnImmediately must be a boolean/,
    ],
    [
      'NUL in the text',
      send(message({ parts: [{ text: 'a\u0000b' }] })),
      /REQUEST\.INVALID_CHARACTER/,
    ],
    [
      'data nested too deep',
      send(message({ parts: [{ data: JSON.parse('['.repeat(80) + ']'.repeat(80)) }] })),
      /REQUEST\.NESTED_TOO_DEEP/,
    ],
    [
      'huge text (over what a task keeps)',
      send(message({ parts: [{ text: 'x'.repeat(400_000) }] })),
      /parts must serialize to at most/,
    ],
    ['GetTask without an id', request('GetTask', {}), /params\.id must be a non-empty string/],
    ['GetTask with a blank id', request('GetTask', { id: '  ' }), /params\.id/],
    ['GetTask with a numeric id', request('GetTask', { id: 5 }), /params\.id/],
    [
      'GetTask with a negative historyLength',
      request('GetTask', { id: randomUUID(), historyLength: -1 }),
      /historyLength must be an integer, 0 or more/,
    ],
    [
      'GetTask with a fractional historyLength',
      request('GetTask', { id: randomUUID(), history_length: 1.5 }),
      /historyLength/,
    ],
    ['CancelTask with a list id', request('CancelTask', { id: [randomUUID()] }), /params\.id/],
    ['SubscribeToTask without an id', request('SubscribeToTask', {}), /params\.id/],
    [
      'SendStreamingMessage without parts',
      request('SendStreamingMessage', { message: message({ parts: undefined }) }),
      /parts must be an array/,
    ],
    ['ListTasks with an unknown state', request('ListTasks', { status: 'DONE' }), /params\.status/],
    ['ListTasks with pageSize as text', request('ListTasks', { pageSize: 'ten' }), /pageSize/],
    ['ListTasks with pageSize 0', request('ListTasks', { pageSize: 0 }), /pageSize/],
    ['ListTasks with pageSize over 500', request('ListTasks', { pageSize: 501 }), /pageSize/],
    ['ListTasks with a bad pageToken', request('ListTasks', { pageToken: 'abc' }), /pageToken/],
    [
      'ListTasks with a negative historyLength',
      request('ListTasks', { historyLength: -3 }),
      /historyLength/,
    ],
    [
      'ListTasks with a bad timestamp',
      request('ListTasks', { statusTimestampAfter: 'yesterday' }),
      /statusTimestampAfter/,
    ],
    ['a tenant that is a number', request('GetTask', { id: randomUUID(), tenant: 5 }), /tenant/],
  ])('%s', async (_what, body, message) => {
    const answer = await asOwner(body);
    expectError(answer, A2A_ERROR_CODE.INVALID_PARAMS);
    expect(answer.json.error?.message).toMatch(message);
  });

  it('a task id that is no task of this agent is task not found (-32001), whatever it looks like', async () => {
    for (const id of ['not-a-uuid', '..', '../agents', '%2e%2e', randomUUID(), 'ä'.repeat(300)]) {
      expectError(await asOwner(request('GetTask', { id })), A2A_ERROR_CODE.TASK_NOT_FOUND);
      expectError(await asOwner(request('CancelTask', { id })), A2A_ERROR_CODE.TASK_NOT_FOUND);
      expectError(
        await asOwner(request('SendMessage', { message: message({ taskId: id }) })),
        A2A_ERROR_CODE.TASK_NOT_FOUND,
      );
    }
  });

  it('a push-notification config asked for in a send is not supported (-32003)', async () => {
    const answer = await asOwner(
      request('SendMessage', {
        message: message(),
        configuration: {
          returnImmediately: true,
          taskPushNotificationConfig: { url: 'https://example.com/hook' },
        },
      }),
    );
    expectError(answer, A2A_ERROR_CODE.PUSH_NOTIFICATION_NOT_SUPPORTED);
  });

  it('snake_case names are read as the SDK reads them', async () => {
    const answer = await asOwner(
      request('SendMessage', {
        message: { message_id: randomUUID(), role: 'ROLE_USER', parts: [{ text: 'snake' }] },
        configuration: { return_immediately: true, history_length: 0 },
      }),
    );
    expect(answer.json).toMatchObject({
      id: 1,
      result: { task: { status: { state: 'TASK_STATE_SUBMITTED' } } },
    });
  });
});

describe('any body (property)', () => {
  const METHODS = [
    'SendMessage',
    'SendStreamingMessage',
    'GetTask',
    'ListTasks',
    'CancelTask',
    'SubscribeToTask',
    'GetExtendedAgentCard',
    'CreateTaskPushNotificationConfig',
    'Nope',
  ];
  const part = fc.oneof(
    fc.record({ text: fc.oneof(fc.string(), fc.jsonValue()) }),
    fc.record({ data: fc.jsonValue({ maxDepth: 3 }) }),
    fc.record({ raw: fc.oneof(fc.base64String(), fc.jsonValue()) }),
    fc.record({ url: fc.webUrl() }),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const messageish = fc.record(
    {
      messageId: fc.oneof(fc.uuid(), fc.jsonValue()),
      role: fc.oneof(fc.constant('ROLE_USER'), fc.jsonValue()),
      parts: fc.oneof(fc.array(part, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
      taskId: fc.oneof(fc.uuid(), fc.string()),
      contextId: fc.string(),
    },
    { requiredKeys: [] },
  );
  const params = fc.oneof(
    fc.record(
      {
        message: fc.oneof(messageish, fc.jsonValue({ maxDepth: 2 })),
        id: fc.oneof(fc.uuid(), fc.jsonValue({ maxDepth: 1 })),
        historyLength: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.jsonValue({ maxDepth: 1 })),
        pageSize: fc.oneof(fc.integer({ min: -5, max: 600 }), fc.jsonValue({ maxDepth: 1 })),
        status: fc.oneof(fc.constantFrom('TASK_STATE_WORKING', 'X'), fc.integer()),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 3 }),
  );
  const envelope = fc.record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), fc.jsonValue({ maxDepth: 1 })),
      id: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.jsonValue({ maxDepth: 1 })),
      method: fc.oneof(fc.constantFrom(...METHODS), fc.string()),
      params,
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    { weight: 4, arbitrary: envelope },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.array(envelope, { maxLength: 2 }) },
  );

  /**
   * The id an answer must carry: the request's, when it is a valid JSON-RPC id, as JSON
   * carries it (`-0` is sent as `0`).
   */
  const idOf = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const id = (value as { id?: unknown }).id;
    if (typeof id === 'number' && Number.isSafeInteger(id)) return id === 0 ? 0 : id;
    return typeof id === 'string' ? id : null;
  };

  it('never answers 5xx, always a JSON-RPC answer with the request’s id (a blocking send is told to return at once)', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        // A blocking send would wait for the agent: ask for the task at once instead.
        if (
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          (value as { method?: unknown }).method === 'SendMessage' &&
          typeof (value as { params?: unknown }).params === 'object' &&
          (value as { params?: unknown }).params !== null &&
          !Array.isArray((value as { params?: unknown }).params)
        )
          (value as { params: Record<string, unknown> }).params['configuration'] = {
            returnImmediately: true,
          };
        const answer = await asOwner(value);
        expect(answer.status).toBe(200);
        expect(answer.json['jsonrpc']).toBe('2.0');
        const error = answer.json.error;
        expect('result' in answer.json !== (error !== undefined)).toBe(true);
        if (error) {
          expect(Number.isInteger(error.code)).toBe(true);
          expect(typeof error.message).toBe('string');
          // Only what the server did wrong is an internal error; none of this is.
          expect(error.code).not.toBe(A2A_ERROR_CODE.INTERNAL_ERROR);
        }
        if (error?.code === A2A_ERROR_CODE.PARSE_ERROR) expect(answer.json.id).toBeNull();
        else expect(answer.json.id).toEqual(idOf(value));
      }),
      { numRuns: 300 },
    );
  });
});
