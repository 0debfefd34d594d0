import type { DynamicModule, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { loadConfig } from '@agenthub/config';
import { createTestApp, createTestDatabase, TestApp, TestDatabase } from '@agenthub/testing';
import { AppModule } from '../src/app.module';
import { setupOpenApi } from '../src/openapi';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret!';

/**
 * The whole API on a test database, configured as `npm start` configures it. `extra`
 * modules are imported next to the app, before it, so a global module of theirs stands in
 * for the app's own provider of an extension point (e.g. a fake AGENT_KEY_AUTHENTICATOR).
 */
export function createApiTestApp(
  databaseUrl: string,
  env: NodeJS.ProcessEnv = {},
  extra: (Type<unknown> | DynamicModule)[] = [],
): Promise<TestApp> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    ...env,
    DATABASE_URL: databaseUrl,
  });
  if (extra.length === 0) return createTestApp(AppModule.register(config), setupOpenApi);
  @Module({ imports: [...extra, AppModule.register(config)] })
  class AppWithExtras {}
  return createTestApp(AppWithExtras, setupOpenApi);
}

/**
 * For one describe block: a fresh test database (migrated unless told otherwise) and the
 * whole API on it, made before its tests and dropped after them. Read `ctx.t` and `ctx.db`
 * inside the tests.
 */
export function useApiTestApp(options: { migrated?: boolean } = {}): {
  t: TestApp;
  db: TestDatabase;
} {
  const ctx = {} as { t: TestApp; db: TestDatabase };
  beforeAll(async () => {
    ctx.db = await createTestDatabase({ migrated: options.migrated });
    ctx.t = await createApiTestApp(ctx.db.url);
  });
  afterAll(async () => {
    await ctx.t?.close();
    await ctx.db?.drop();
  });
  return ctx;
}
