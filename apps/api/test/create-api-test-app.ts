import { loadConfig } from '@agenthub/config';
import { createTestApp, TestApp } from '@agenthub/testing';
import { AppModule } from '../src/app.module';
import { setupOpenApi } from '../src/openapi';

/** The whole API on a test database, configured as `npm start` configures it. */
export function createApiTestApp(databaseUrl: string, env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const config = loadConfig({ LOG_LEVEL: 'silent', JWT_SECRET: 'test-secret-test-secret-test-secret!', ...env, DATABASE_URL: databaseUrl });
  return createTestApp(AppModule.register(config), setupOpenApi);
}
