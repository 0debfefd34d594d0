import { createTestDatabase, query, sharedFixture, TestDatabase } from '@agenthub/testing';
import { cli } from '../../test/run-cli';

const fixture = sharedFixture;

describe('migrator import', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let project: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.url, AGENTHUB_DATA_DIR: '/nonexistent' };
    const [user] = await query<{ id: string }>(
      db.url,
      `INSERT INTO users (email, password_hash, name) VALUES ('o@example.com', '$x', 'O') RETURNING id`,
    );
    project = (
      await query<{ id: string }>(
        db.url,
        `INSERT INTO projects (name, owner_id) VALUES ('P', $1) RETURNING id`,
        [user.id],
      )
    )[0].id;
  });
  afterAll(() => db.drop());

  const count = async () =>
    Number(
      (
        await query<{ n: string }>(
          db.url,
          'SELECT (SELECT count(*) FROM agents) + (SELECT count(*) FROM tasks) AS n',
        )
      )[0].n,
    );

  it('--dry-run --json prints the report and writes nothing; the real run prints the same; a re-run says nothing changed; verify is clean', async () => {
    const args = ['import', 'sqlite-phase1', fixture('phase1-sample.sqlite'), '--project', project];
    const dry = await cli([...args, '--dry-run', '--json'], env);
    expect(dry.code).toBe(0);
    expect(await count()).toBe(0);
    const real = await cli([...args, '--json'], env);
    expect(real.code).toBe(0);
    expect({ ...dry.json(), dry_run: false }).toEqual(real.json());
    expect(real.json()).toMatchObject({
      changed: true,
      tables: { tasks: { read: 40, inserted: 40 } },
    });
    expect(real.stderr).toMatch(/"msg":"import committed"/); // JSON log lines off a TTY
    expect(await count()).toBe(50);
    const again = await cli(args, env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing changed: everything was already imported.');
    expect(again.stdout).toContain('name_deduplicated');
    expect((await cli(['verify'], env)).code).toBe(0);
  });

  it('agent-com: broker fields with no column of their own go to legacy on the row, not into value_not_kept; a re-run changes nothing', async () => {
    const args = ['import', 'agent-com', fixture('agent-com-pre.sqlite')];
    const real = await cli([...args, '--json'], env);
    expect(real.code).toBe(0);
    expect(
      real
        .json<{ adjustments: { kind: string }[] }>()
        .adjustments.filter((a) => a.kind === 'value_not_kept'),
    ).toEqual([]);
    expect(await query(db.url, `SELECT legacy FROM users WHERE email = 'bob@example.com'`)).toEqual(
      [{ legacy: { username: 'bob', role: 'user', permissions: null } }],
    );
    expect(
      await query(
        db.url,
        `SELECT legacy->>'project_id' AS slug FROM projects WHERE legacy IS NOT NULL ORDER BY 1`,
      ),
    ).toEqual([{ slug: 'alpha' }, { slug: 'beta' }]);
    expect(await query(db.url, `SELECT DISTINCT legacy FROM agent_api_keys`)).toEqual([
      { legacy: { capabilities: ['chat'] } },
    ]);
    expect((await cli([...args, '--json'], env)).json()).toMatchObject({ changed: false });
  });

  it('bad input is exit 2 with a clear message: unknown source, missing --project, invalid JSON', async () => {
    const unknown = await cli(['import', 'csv', 'x.csv'], env);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain('unknown source "csv"');
    expect(
      (await cli(['import', 'registry-json', fixture('registry-sample.json')], env)).stderr,
    ).toContain('needs --project');
    const notJson = await cli(
      ['import', 'registry-json', fixture('phase1-sample.sqlite'), '--project', project, '--json'],
      env,
    );
    expect(notJson.code).toBe(2);
    expect(notJson.json()).toMatchObject({
      error: { message: expect.stringContaining('is not valid JSON') },
    });
  });
});
