import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@agenthub/database';
import { MIGRATIONS } from '@agenthub/migrations';
import { cli } from './run-cli';
import { Spawned, spawnTs } from './spawn-ts';

const root = join(__dirname, '../../..');
const names = MIGRATIONS.map((m) => m.name);

describe('migrator started before its database', () => {
  const dataDir = join(root, 'tmp', `late-db-${randomBytes(4).toString('hex')}`);
  let server: Spawned | undefined;
  const stopServer = async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    server = undefined;
  };
  afterAll(async () => {
    await stopServer();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('waits for a database that comes up 5 s later, creates and migrates it', async () => {
    const port = await freePort();
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'pg-password'), 'late-secret\n', { mode: 0o600 }); // the server's password, known up front
    const env = {
      DATABASE_URL: `postgres://postgres:late-secret@127.0.0.1:${port}/agenthub`,
      AGENTHUB_DATA_DIR: dataDir,
    };

    const started = Date.now();
    const running = cli(['up', '--wait', '40', '--json'], env);
    await new Promise((r) => setTimeout(r, 5000));
    // Started on its maintenance database only: the migrator creates "agenthub" itself.
    server = spawnTs('embedded-server.ts', [dataDir, String(port), 'postgres'], {});
    const run = await running;

    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ applied: names });
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
    expect(run.stderr).toContain('waiting for the database');
    expect(run.stderr).toContain('created the database');

    // The same cluster in embedded mode (no DATABASE_URL), read-only: started, read, stopped.
    await stopServer();
    const status = spawnTs('cli-harness.ts', ['status', '--json'], {
      AGENTHUB_DATA_DIR: dataDir,
      DATABASE_URL: '',
    });
    expect((await status.exited).code).toBe(0);
    expect(JSON.parse(status.output().stdout)).toMatchObject({ pending: [], problems: [] });
  }, 60_000);
});
