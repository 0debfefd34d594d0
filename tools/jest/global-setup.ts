import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { register } from 'tsconfig-paths';

// Jest loads global setup outside its module registry, so the workspace aliases need
// registering by hand before any @agenthub import is required.
const root = join(__dirname, '../..');
const { compilerOptions } = require(join(root, 'tsconfig.base.json'));
register({ baseUrl: root, paths: compilerOptions.paths });

interface RunState {
  stop?: () => Promise<void>;
  adminUrl: string;
  runId: string;
}
const state = globalThis as typeof globalThis & { __agenthubTestRun?: RunState };

/**
 * Once per jest run: a PostgreSQL server (TEST_DATABASE_URL's, else an embedded one) and a
 * template database migrated to the latest schema, which test files clone.
 */
export default async function globalSetup(): Promise<void> {
  if (state.__agenthubTestRun) return; // several projects share one run

  const { startEmbeddedPostgres, withDatabase } =
    require('@agenthub/database') as typeof import('@agenthub/database');
  const { migrateToLatest } =
    require('@agenthub/migrations') as typeof import('@agenthub/migrations');
  const { assertTestDatabase, TEST_ENV } =
    require('@agenthub/testing') as typeof import('@agenthub/testing');

  let adminUrl = process.env['TEST_DATABASE_URL'];
  let stop: (() => Promise<void>) | undefined;
  if (!adminUrl) {
    const server = await startEmbeddedPostgres({
      dataDir: join(root, 'tmp', 'test-postgres'),
      database: 'agenthub_test',
      ephemeral: true,
    });
    adminUrl = server.url;
    stop = () => server.stop();
  }

  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const template = `agenthub_test_${runId}_template`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(template)}`);
  } finally {
    await client.end();
  }
  const templateUrl = withDatabase(adminUrl, template);
  assertTestDatabase(templateUrl);
  await migrateToLatest(templateUrl);

  // MikroORM keeps entity metadata on globalThis, and importing @agenthub/database ran
  // BaseEntity's decorators in this (outer) realm. jest-environment-node lends the outer
  // realm's globals to every test context, whose decorators would then extend this
  // realm's Maps ("Map.prototype.set called on incompatible receiver"). Forget it here.
  for (const key of Object.keys(globalThis)) {
    if (key.startsWith('mikro-orm-')) delete (globalThis as Record<string, unknown>)[key];
  }

  process.env[TEST_ENV.adminUrl] = adminUrl;
  process.env[TEST_ENV.templateDatabase] = template;
  process.env[TEST_ENV.runId] = runId;
  state.__agenthubTestRun = { stop, adminUrl, runId };
}
