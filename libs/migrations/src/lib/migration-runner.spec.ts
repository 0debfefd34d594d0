import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@agenthub/testing';
import { MIGRATIONS } from '../migrations';
import { MigrationRunner } from './migration-runner';

async function tableExists(url: string, table: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT to_regclass($1) IS NOT NULL AS exists', [`public.${table}`]);
    return rows[0].exists;
  } finally {
    await client.end();
  }
}

describe('MigrationRunner', () => {
  let db: TestDatabase;
  let runner: MigrationRunner;
  beforeEach(async () => {
    db = await createTestDatabase({ migrated: false });
    runner = await MigrationRunner.connect(db.url);
  });
  afterEach(async () => {
    await runner.close();
    await db.drop();
  });

  it('reports every migration pending on an empty database without creating anything', async () => {
    const status = await runner.status();
    expect(status).toEqual({ applied: [], pending: MIGRATIONS.map((m) => m.name) });
    expect(await tableExists(db.url, 'mikro_orm_migrations')).toBe(false);
  });

  it('applies everything once, then has nothing to do', async () => {
    expect(await runner.up()).toEqual(MIGRATIONS.map((m) => m.name));
    const status = await runner.status();
    expect(status.pending).toEqual([]);
    expect(status.applied.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await runner.up()).toEqual([]);
  });

  it('reverts the last step and applies it again', async () => {
    await runner.up();
    const last = MIGRATIONS[MIGRATIONS.length - 1].name;
    expect(await runner.down({ step: 1 })).toEqual([last]);
    expect((await runner.status()).pending).toEqual([last]);
    expect(await runner.up()).toEqual([last]);
  });
});
