import { databaseExists, withDatabase } from '@agenthub/database';
import { createTestDatabase, TestDatabase, withAdminClient } from '@agenthub/testing';
import { MIGRATIONS } from '@agenthub/migrations';
import { statusCommand } from './status.command';
import { upCommand } from './up.command';

async function captureStdout(fn: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(chunk.toString());
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

describe('migrator status and up', () => {
  let db: TestDatabase;
  const saved = process.env['DATABASE_URL'];
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    process.env['DATABASE_URL'] = db.url;
  });
  afterAll(async () => {
    process.env['DATABASE_URL'] = saved;
    await db.drop();
  });

  it('shows everything pending, applies it, then shows nothing pending', async () => {
    const names = MIGRATIONS.map((m) => m.name);
    const before = JSON.parse(await captureStdout(() => statusCommand({ json: true })));
    expect(before).toEqual({ applied: [], pending: names });

    const up = JSON.parse(await captureStdout(() => upCommand({ json: true })));
    expect(up).toEqual({ applied: names });

    const after = JSON.parse(await captureStdout(() => statusCommand({ json: true })));
    expect(after.pending).toEqual([]);
    expect(after.applied.map((m: { name: string }) => m.name)).toEqual(names);

    expect(await captureStdout(() => upCommand({}))).toContain('Nothing to do');
  });

  it('creates a missing database on up, while status leaves it missing', async () => {
    const missing = `${db.name}_new`;
    process.env['DATABASE_URL'] = withDatabase(db.url, missing);
    try {
      const before = JSON.parse(await captureStdout(() => statusCommand({ json: true })));
      expect(before.applied).toEqual([]);
      expect(await databaseExists(process.env['DATABASE_URL'])).toBe(false);
      await captureStdout(() => upCommand({ json: true }));
      const after = JSON.parse(await captureStdout(() => statusCommand({ json: true })));
      expect(after.pending).toEqual([]);
    } finally {
      await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(missing)} WITH (FORCE)`));
      process.env['DATABASE_URL'] = db.url;
    }
  });
});
