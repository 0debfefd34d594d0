import { AddressInfo, connect } from 'node:net';
import type { InjectOptions } from 'fastify';
import { createRoom, createTask, createWorkflow, expectProblem, query } from '@agenthub/testing';
import { useWorld } from './world';

/*
 * Strings PostgreSQL cannot store: text and jsonb refuse U+0000, and jsonb refuses a lone
 * surrogate (`\ud800`). One global rule refuses both before a route runs, naming the field.
 */
describe('junk input', () => {
  const world = useWorld();
  let taskId: string;
  let roomId: string;
  let workflowId: string;
  beforeAll(async () => {
    taskId = (await createTask(world.t, world.owner, world.p1)).id;
    roomId = (await createRoom(world.t, world.owner, world.p1)).id;
    workflowId = (await createWorkflow(world.t, world.owner, world.p1, { status: 'active' })).id;
  });

  const send = (options: InjectOptions) =>
    world.t.request({ ...options, headers: { ...world.owner, ...options.headers } });

  /** A 400 problem whose `errors` names `field` and nothing else. */
  async function expectRefused(options: InjectOptions, field: string): Promise<void> {
    const res = await send(options);
    expectProblem(res, 400, 'REQUEST.INVALID_CHARACTER');
    expect(Object.keys(res.json().errors)).toEqual([field]);
  }

  const NUL = 'a\u0000b';
  const LONE = 'a\ud800b';

  it.each([
    [
      'task title',
      () => ({ url: '/api/v1/tasks', payload: { project_id: world.p1, title: NUL } }),
      'title',
    ],
    [
      'task description',
      () => ({
        url: '/api/v1/tasks',
        payload: { project_id: world.p1, title: 't', description: NUL },
      }),
      'description',
    ],
    [
      'agent name',
      () => ({ url: '/api/v1/agents', payload: { project_id: world.p1, name: NUL } }),
      'name',
    ],
    [
      'a jsonb value (agent config)',
      () => ({
        url: '/api/v1/agents',
        payload: { project_id: world.p1, name: 'cfg', config: { deep: [{ key: NUL }] } },
      }),
      'config.deep.0.key',
    ],
    [
      'a jsonb key (agent config)',
      () => ({
        url: '/api/v1/agents',
        payload: { project_id: world.p1, name: 'cfg', config: { ['k\u0000']: 1 } },
      }),
      'config.k\\u0000',
    ],
    [
      'room description',
      () => ({
        url: '/api/v1/rooms',
        payload: { project_id: world.p1, name: 'r', description: NUL },
      }),
      'description',
    ],
    [
      'room message content',
      () => ({ url: `/api/v1/rooms/${roomId}/messages`, payload: { content: NUL } }),
      'content',
    ],
    [
      'room message meta',
      () => ({
        url: `/api/v1/rooms/${roomId}/messages`,
        payload: { content: 'hi', meta: { a: NUL } },
      }),
      'meta.a',
    ],
    [
      'workflow step title (in the definition)',
      () => ({
        url: '/api/v1/workflows',
        payload: {
          project_id: world.p1,
          name: 'w',
          definition: { steps: [{ key: 'a', title: NUL }] },
        },
      }),
      'definition.steps.0.title',
    ],
    [
      'execution context',
      () => ({
        url: `/api/v1/workflows/${workflowId}/executions`,
        payload: { context_data: { a: NUL } },
      }),
      'context_data.a',
    ],
  ])('refuses a NUL in the %s with a 400 naming the field', async (_what, make, field) => {
    const before = await fingerprint();
    await expectRefused({ method: 'POST', ...make() }, field);
    expect(await fingerprint()).toBe(before);
  });

  it('refuses a NUL in a PATCH body (task result)', async () => {
    await expectRefused(
      { method: 'PATCH', url: `/api/v1/tasks/${taskId}`, payload: { result: { out: NUL } } },
      'result.out',
    );
  });

  it.each([
    ['q', '/api/v1/tasks?q=%00'],
    ['q', '/api/v1/tasks?q=a%00b&limit=5'],
    ['status', '/api/v1/tasks?status=%00'],
    ['project_id', '/api/v1/rooms?project_id=%00'],
  ])('refuses a NUL in the query value %s', async (field, url) => {
    await expectRefused({ method: 'GET', url }, field);
  });

  it('refuses a NUL in a path parameter', async () => {
    await expectRefused({ method: 'GET', url: '/api/v1/tasks/%00' }, 'id');
  });

  it.each([
    [
      'task title',
      () => ({ url: '/api/v1/tasks', payload: { project_id: world.p1, title: LONE } }),
      'title',
    ],
    [
      'a jsonb value (agent config)',
      () => ({
        url: '/api/v1/agents',
        payload: { project_id: world.p1, name: 'cfg', config: { a: LONE } },
      }),
      'config.a',
    ],
  ])('refuses a lone surrogate in the %s', async (_what, make, field) => {
    await expectRefused({ method: 'POST', ...make() }, field);
  });

  it('keeps well-formed non-ASCII text (astral characters are surrogate pairs)', async () => {
    const res = await send({
      method: 'POST',
      url: '/api/v1/tasks',
      payload: { project_id: world.p1, title: 'déjà vu 🚀 \t tab' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().title).toBe('déjà vu 🚀 \t tab');
  });

  it('refuses a deeply nested body without a 500 (no recursion runs out of stack)', async () => {
    const depth = 300_000; // 600 kB of brackets: under the body limit
    const res = await send({
      method: 'POST',
      url: '/api/v1/agents',
      headers: { 'content-type': 'application/json' },
      payload: `{"project_id":"${world.p1}","name":"deep","config":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
    });
    expectProblem(res, 400, 'REQUEST.NESTED_TOO_DEEP');
  });

  it('answers an over-long path parameter with a problem (414)', async () => {
    const res = await send({ method: 'GET', url: `/api/v1/tasks/${'a'.repeat(5000)}` });
    expectProblem(res, 414, 'REQUEST.URI_TOO_LONG');
    expect(res.json().status).toBe(414);
  });

  it('answers a URL it cannot decode with a problem (400)', async () => {
    const res = await send({ method: 'GET', url: '/api/v1/tasks/%E0%A4%A' });
    expectProblem(res, 400, 'REQUEST.INVALID_URL');
  });

  it('answers headers over maxHeaderSize with a problem (431), on a real socket', async () => {
    // Node's HTTP parser refuses these before Fastify sees a request; light-my-request has no
    // parser, so this needs a listening server.
    const server = world.t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
        socket.write(
          `GET /api/v1/health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        );
      });
      const [head, body] = raw.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 431 /);
      expect(head).toContain('Content-Type: application/problem+json');
      expect(JSON.parse(body)).toMatchObject({ status: 431, code: 'REQUEST.HEADERS_TOO_LARGE' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** Row counts of the tables the requests above could touch. */
  async function fingerprint(): Promise<string> {
    const [row] = await query<{ f: string }>(
      world.db.url,
      `SELECT concat_ws(',', (SELECT count(*) FROM tasks), (SELECT count(*) FROM agents),
              (SELECT count(*) FROM chat_rooms), (SELECT count(*) FROM chat_messages),
              (SELECT count(*) FROM workflows), (SELECT count(*) FROM workflow_executions)) AS f`,
    );
    return row.f;
  }
});
