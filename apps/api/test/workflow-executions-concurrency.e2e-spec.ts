import {
  createAgent,
  createAgentKey,
  createProject,
  createTestDatabase,
  query,
  registerAndLogin,
  TestApp,
  TestDatabase,
} from '@agenthub/testing';
import { createApiTestApp } from './create-api-test-app';
import { api, ApiProcess, startApiProcess } from './event-stream.support';

/**
 * The end of an execution happens once, whichever API processes its last steps complete
 * through at the same moment: one `completed_at`, one event, one audit row.
 */
jest.setTimeout(120_000);

let db: TestDatabase;
let t: TestApp;
let A: ApiProcess;
let B: ApiProcess;
let owner: Record<string, string>;
let projectId: string;
type Agent = { id: string; key: Record<string, string> };
let agents: Agent[];

beforeAll(async () => {
  db = await createTestDatabase();
  t = await createApiTestApp(db.url);
  owner = (await registerAndLogin(t, 'owner@workflow-race.test')).auth;
  projectId = (await createProject(t, owner, 'Race')).id;
  agents = await Promise.all(
    ['left', 'right'].map(async (name) => {
      const a = await createAgent(t, owner, projectId, { name });
      return {
        id: a.id,
        key: { authorization: `Bearer ${(await createAgentKey(t, owner, a.id)).api_key}` },
      };
    }),
  );
  [A, B] = await Promise.all([startApiProcess(db.url), startApiProcess(db.url)]);
});

afterAll(async () => {
  await Promise.all([A?.stop(), B?.stop()]);
  await t?.close();
  await db?.drop();
});

describe('two last steps completing at once in two API processes', () => {
  it('complete the execution exactly once, every time', async () => {
    // root → left, root → right: left and right are the last two steps.
    const created = await api(A.url, 'POST', '/workflows', owner, {
      project_id: projectId,
      name: 'fork',
      status: 'active',
      definition: {
        steps: [
          { key: 'root', title: 'Root' },
          { key: 'left', title: 'Left', depends_on: ['root'] },
          { key: 'right', title: 'Right', depends_on: ['root'] },
        ],
      },
    });
    expect(created.status).toBe(201);
    const workflowId = created.json['id'] as string;

    const rounds = 8;
    const executionIds: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const started = await api(B.url, 'POST', `/workflows/${workflowId}/executions`, owner, {
        context_data: { round },
      });
      expect(started.status).toBe(201);
      const executionId = started.json['id'] as string;
      executionIds.push(executionId);

      const root = await api(A.url, 'POST', '/tasks/claim', agents[0].key, {});
      expect(root.json['step_key']).toBe('root');
      const rootDone = await api(A.url, 'PATCH', `/tasks/${root.json['id']}`, agents[0].key, {
        status: 'completed',
        result: { round },
      });
      expect(rootDone.status).toBe(200);
      // One step each, claimed through different processes…
      const [first, second] = await Promise.all([
        api(A.url, 'POST', '/tasks/claim', agents[0].key, {}),
        api(B.url, 'POST', '/tasks/claim', agents[1].key, {}),
      ]);
      expect([first.json['step_key'], second.json['step_key']].sort()).toEqual(['left', 'right']);
      // …and completed at the same moment, through different processes.
      const done = await Promise.all([
        api(A.url, 'PATCH', `/tasks/${first.json['id']}`, agents[0].key, {
          status: 'completed',
          result: { by: 'A' },
        }),
        api(B.url, 'PATCH', `/tasks/${second.json['id']}`, agents[1].key, {
          status: 'completed',
          result: { by: 'B' },
        }),
      ]);
      expect(done.map((d) => d.status)).toEqual([200, 200]);
    }

    const executions = await query<{ id: string; status: string; completed: boolean }>(
      db.url,
      `SELECT id, status, completed_at IS NOT NULL AS completed FROM workflow_executions WHERE id = ANY($1) ORDER BY id`,
      [executionIds],
    );
    expect(executions.every((e) => e.status === 'completed' && e.completed)).toBe(true);
    expect(executions).toHaveLength(rounds);
    const events = await query<{ id: string; n: string }>(
      db.url,
      `SELECT data ->> 'id' AS id, count(*) AS n FROM events
       WHERE type = 'workflow_execution.completed' GROUP BY 1 ORDER BY 1`,
    );
    expect(events).toEqual([...executionIds].sort().map((id) => ({ id, n: '1' })));
    const audit = await query<{ resource_id: string; n: string }>(
      db.url,
      `SELECT resource_id, count(*) AS n FROM audit_log
       WHERE action = 'workflow_execution.completed' GROUP BY 1 ORDER BY 1`,
    );
    expect(audit).toEqual([...executionIds].sort().map((id) => ({ resource_id: id, n: '1' })));
    // Each execution's result holds both last steps, each from its own process.
    const results = await query<{ result_data: Record<string, unknown> }>(
      db.url,
      `SELECT result_data FROM workflow_executions WHERE id = ANY($1)`,
      [executionIds],
    );
    for (const { result_data } of results)
      expect(Object.keys(result_data).sort()).toEqual(['left', 'right', 'root']);
  });
});
