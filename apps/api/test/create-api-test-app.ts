import { loadConfig } from '@agenthub/config';
import { createTestApp, createTestDatabase, TestApp, TestDatabase } from '@agenthub/testing';
import { AppModule } from '../src/app.module';
import { setupConsole } from '../src/console';
import { setupOpenApi } from '../src/openapi';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret!';

/**
 * The whole API on a test database, configured as `npm start` configures it (plus `env`);
 * its responses are checked against its own OpenAPI document (see `createTestApp`).
 */
export function createApiTestApp(
  databaseUrl: string,
  env: NodeJS.ProcessEnv = {},
): Promise<TestApp> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    ...env,
    DATABASE_URL: databaseUrl,
  });
  return createTestApp(AppModule.register(config), {
    configure: (app) => {
      setupOpenApi(app);
      setupConsole(app, config.consoleDir);
    },
    documentUrl: '/docs/json',
  });
}

/**
 * For one describe block: a fresh test database (migrated unless told otherwise) and the
 * whole API on it (configured with `env`), made before its tests and dropped after them. Read
 * `ctx.t` and `ctx.db` inside the tests.
 */
export function useApiTestApp(options: { migrated?: boolean; env?: NodeJS.ProcessEnv } = {}): {
  t: TestApp;
  db: TestDatabase;
} {
  const ctx = {} as { t: TestApp; db: TestDatabase };
  beforeAll(async () => {
    ctx.db = await createTestDatabase({ migrated: options.migrated });
    ctx.t = await createApiTestApp(ctx.db.url, options.env);
  });
  afterAll(async () => {
    await ctx.t?.close();
    await ctx.db?.drop();
  });
  return ctx;
}
