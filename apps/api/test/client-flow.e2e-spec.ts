import { createAgentHubClient, type AgentHubClient } from '@agenthub/client';
import { createTestDatabase, TestApp, TestDatabase } from '@agenthub/testing';
import { createApiTestApp } from './create-api-test-app';

/**
 * The main flow as a REST client lives it: only through @agenthub/client, over a real socket.
 * Every call is typed from apps/api/openapi.json, so a document that lost a route, a field or
 * a status fails to compile here; and each answer is checked against the app's document.
 */
describe('the main flow through @agenthub/client', () => {
  let db: TestDatabase;
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createApiTestApp(db.url);
    await t.app.listen(0, '127.0.0.1');
    baseUrl = await t.app.getUrl();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  /** A client for `token`'s caller whose every answer goes through the harness's check. */
  function client(token?: string): AgentHubClient {
    const api = createAgentHubClient({ baseUrl, token });
    api.use({
      async onResponse({ request, response }) {
        t.checkResponse({
          method: request.method,
          url: request.url,
          status: response.status,
          contentType: response.headers.get('content-type') ?? undefined,
          body: await response.clone().text(),
        });
      },
    });
    return api;
  }

  /** The answer's data, or an error naming the status and the problem the API gave. */
  async function ok<T>(
    call: Promise<{ data?: T; error?: unknown; response: Response }>,
  ): Promise<T> {
    const { data, error, response } = await call;
    if (data === undefined) {
      throw new Error(`${response.status} from ${response.url}: ${JSON.stringify(error)}`);
    }
    return data;
  }

  it('registers, logs in, sets up a project and an agent, and the agent works its tasks', async () => {
    const anonymous = client();
    const user = await ok(
      anonymous.POST('/api/v1/auth/register', {
        body: { email: 'ada@client.test', password: 'correct horse battery', name: 'Ada' },
      }),
    );
    expect(user).toMatchObject({ email: 'ada@client.test', name: 'Ada', is_superuser: false });
    const { access_token } = await ok(
      anonymous.POST('/api/v1/auth/login', {
        body: { email: 'ada@client.test', password: 'correct horse battery' },
      }),
    );
    const owner = client(access_token);
    expect(await ok(owner.GET('/api/v1/auth/me'))).toMatchObject({ kind: 'user', id: user.id });

    const project = await ok(owner.POST('/api/v1/projects', { body: { name: 'Relaunch' } }));
    expect(project.owner_id).toBe(user.id);
    const agent = await ok(
      owner.POST('/api/v1/agents', { body: { project_id: project.id, name: 'builder' } }),
    );
    const key = await ok(
      owner.POST('/api/v1/agents/{id}/api-keys', {
        params: { path: { id: agent.id } },
        body: { name: 'ci' },
      }),
    );

    const design = await ok(
      owner.POST('/api/v1/tasks', { body: { project_id: project.id, title: 'Design' } }),
    );
    const build = await ok(
      owner.POST('/api/v1/tasks', {
        body: { project_id: project.id, title: 'Build', dependencies: [design.id] },
      }),
    );
    expect(build.dependencies).toEqual([design.id]);

    // The agent, with its key: "Build" waits for "Design", so claims come in that order.
    const worker = client(key.api_key);
    for (const task of [design, build]) {
      const claimed = await ok(worker.POST('/api/v1/tasks/claim', { body: {} }));
      expect(claimed).toMatchObject({ id: task.id, status: 'in_progress', assigned_to: agent.id });
      const done = await ok(
        worker.PATCH('/api/v1/tasks/{id}', {
          params: { path: { id: task.id } },
          body: { status: 'completed' },
        }),
      );
      expect(done.status).toBe('completed');
    }
    const nothing = await worker.POST('/api/v1/tasks/claim', { body: {} });
    expect(nothing.response.status).toBe(204);

    const audit = await ok(
      owner.GET('/api/v1/projects/{id}/audit', { params: { path: { id: project.id } } }),
    );
    const actions = audit.items.map((entry) => `${entry.actor_type} ${entry.action}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'user project.create',
        'user agent.create',
        'user agent_api_key.create',
        'agent task.claim',
      ]),
    );
    expect(audit.items.filter((entry) => entry.action === 'task.claim')).toHaveLength(2);
  });
});
