import { createProject, expectProblem, query } from '@agenthub/testing';
import { useWorld } from './world';

describe('POST /agents/batch', () => {
  const world = useWorld();
  /** A new project of the world's owner, for a batch of its own. */
  const newProject = async (name: string) => (await createProject(world.t, world.owner, name)).id;

  const deploy = (projectId: string, agents: unknown, headers = world.owner) =>
    world.t.request({
      method: 'POST',
      url: '/api/v1/agents/batch',
      headers,
      payload: { project_id: projectId, agents },
    });
  const agentsOf = (projectId: string) =>
    query(
      world.db.url,
      'SELECT name, nickname, status, capabilities, agent_type FROM agents WHERE project_id = $1 ORDER BY name',
      [projectId],
    );

  it('upserts the valid items by name and reports the invalid ones by index, writing none of them', async () => {
    const project = await newProject('Batch mixed');
    await deploy(project, [
      { name: 'existing', nickname: 'old', agent_type: 'coder', capabilities: ['a'] },
    ]);

    const res = await deploy(project, [
      { name: 'new-one', capabilities: ['code'] },
      { name: 'bad-status', status: 'sleeping' },
      { name: 'existing', nickname: 'new' },
      'not an object',
      { name: 'new-one', nickname: 'again' },
      { name: 'sneaky', is_admin: true },
      { nickname: 'nameless' },
      { name: 'x'.repeat(300) },
      null,
      { name: 'second-new', status: 'idle' },
    ]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ success: 3, failed: 7 });
    expect(body.errors.map((e: { index: number }) => e.index)).toEqual([1, 3, 4, 5, 6, 7, 8]);
    expect(body.errors[0]).toMatchObject({
      index: 1,
      name: 'bad-status',
      error: expect.stringContaining('status'),
      fields: { status: expect.any(Array) },
    });
    expect(body.errors[1]).toMatchObject({ index: 3, name: null });
    expect(body.errors[2]).toMatchObject({
      index: 4,
      name: 'new-one',
      error: expect.stringContaining('Duplicate name'),
    });
    expect(body.errors[3]).toMatchObject({
      index: 5,
      name: 'sneaky',
      fields: { is_admin: expect.any(Array) },
    });
    expect(body.errors[4]).toMatchObject({
      index: 6,
      name: null,
      fields: { name: expect.any(Array) },
    });
    expect(body.errors[5].name).toHaveLength(255);
    expect(body.deployed).toEqual([
      { index: 0, id: expect.any(String), name: 'new-one', created: true },
      { index: 2, id: expect.any(String), name: 'existing', created: false },
      { index: 9, id: expect.any(String), name: 'second-new', created: true },
    ]);

    // The existing agent changed only in the fields the item gave.
    expect(await agentsOf(project)).toEqual([
      {
        name: 'existing',
        nickname: 'new',
        status: 'offline',
        capabilities: ['a'],
        agent_type: 'coder',
      },
      {
        name: 'new-one',
        nickname: null,
        status: 'offline',
        capabilities: ['code'],
        agent_type: 'generic',
      },
      {
        name: 'second-new',
        nickname: null,
        status: 'idle',
        capabilities: [],
        agent_type: 'generic',
      },
    ]);
  });

  it('is idempotent: deploying the same batch again updates, creates nothing', async () => {
    const project = await newProject('Batch twice');
    const items = [{ name: 'a', capabilities: ['x'] }, { name: 'b' }];
    const first = (await deploy(project, items)).json();
    const second = (await deploy(project, items)).json();
    expect(first.deployed.map((d: { created: boolean }) => d.created)).toEqual([true, true]);
    expect(second.deployed.map((d: { created: boolean }) => d.created)).toEqual([false, false]);
    expect(second.deployed.map((d: { id: string }) => d.id)).toEqual(
      first.deployed.map((d: { id: string }) => d.id),
    );
    expect(await agentsOf(project)).toHaveLength(2);
  });

  it('is all or nothing when the database refuses an item validation could not catch', async () => {
    const project = await newProject('Batch atomic');
    await deploy(project, [{ name: 'keeper', nickname: 'before' }]);
    // A rule only the database knows about, standing in for any write failure.
    await query(
      world.db.url,
      `ALTER TABLE agents ADD CONSTRAINT test_no_boom CHECK (name <> 'boom')`,
    );
    try {
      const res = await deploy(project, [
        { name: 'fine' },
        { name: 'keeper', nickname: 'after' },
        { name: 'boom' },
      ]);
      expectProblem(res, 400, 'REQUEST.CONSTRAINT_VIOLATION');
    } finally {
      await query(world.db.url, 'ALTER TABLE agents DROP CONSTRAINT test_no_boom');
    }
    expect(await agentsOf(project)).toEqual([
      expect.objectContaining({ name: 'keeper', nickname: 'before' }),
    ]);
  });

  it('lets concurrent deploys of the same new names both succeed without duplicates', async () => {
    const project = await newProject('Batch race');
    const items = Array.from({ length: 20 }, (_, i) => ({ name: `racer-${i}` }));
    const [a, b] = await Promise.all([deploy(project, items), deploy(project, items)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json().success + b.json().success).toBe(40);
    expect(await agentsOf(project)).toHaveLength(20);
  });

  it('prunes capability details of names an update drops', async () => {
    const project = await newProject('Batch capabilities');
    const deployed = await deploy(project, [{ name: 'c', capabilities: ['keep', 'drop'] }]);
    const id = deployed.json().deployed[0].id;
    await world.t.request({
      method: 'PUT',
      url: `/api/v1/agents/${id}/capabilities`,
      headers: world.owner,
      payload: { capabilities: [{ capability_name: 'keep' }, { capability_name: 'drop' }] },
    });
    await deploy(project, [{ name: 'c', capabilities: ['keep'] }]);
    const rows = await query<{ capability_name: string }>(
      world.db.url,
      'SELECT capability_name FROM agent_capabilities WHERE agent_id = $1',
      [id],
    );
    expect(rows.map((r) => r.capability_name)).toEqual(['keep']);
  });

  it('takes up to 500 items and refuses more with 400', async () => {
    const project = await newProject('Batch big');
    const ok = await deploy(
      project,
      Array.from({ length: 500 }, (_, i) => ({ name: `bulk-${i}`, capabilities: ['bulk'] })),
    );
    expect(ok.json()).toMatchObject({ success: 500, failed: 0, errors: [] });
    const tooMany = await deploy(
      project,
      Array.from({ length: 501 }, (_, i) => ({ name: `more-${i}` })),
    );
    expectProblem(tooMany, 400, 'REQUEST.VALIDATION_FAILED');
    expect(tooMany.json().errors).toHaveProperty('agents');
    const [{ count }] = await query<{ count: string }>(
      world.db.url,
      'SELECT count(*) FROM agents WHERE project_id = $1',
      [project],
    );
    expect(Number(count)).toBe(500);
  });

  it('validates the envelope itself', async () => {
    const cases: unknown[] = [
      { agents: [] },
      { project_id: 'nope', agents: [] },
      { project_id: world.p1 },
      { project_id: world.p1, agents: { name: 'x' } },
      { project_id: world.p1, agents: [], dry_run: true },
    ];
    for (const payload of cases) {
      expectProblem(
        await world.t.request({
          method: 'POST',
          url: '/api/v1/agents/batch',
          headers: world.owner,
          payload: payload as object,
        }),
        400,
      );
    }
    expectProblem(
      await deploy('00000000-0000-4000-8000-000000000000', []),
      404,
      'PROJECT.NOT_FOUND',
    );
    expect((await deploy(world.p1, [])).json()).toEqual({
      success: 0,
      failed: 0,
      errors: [],
      deployed: [],
    });
  });
});
