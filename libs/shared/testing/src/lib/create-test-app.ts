import { DynamicModule, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { configureHttpApp, requestIdFor } from '@agenthub/http';

export interface TestApp {
  app: NestFastifyApplication;
  /** Sends a request through the whole stack (no socket). */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * Builds the Nest app around `rootModule` with exactly the global setup of main.ts
 * (prefix, validation pipe, problem+json filter), so tests see what users see. `configure`
 * adds what an app sets up beyond that (main.ts passes the same function).
 */
export async function createTestApp(
  rootModule: Type<unknown> | DynamicModule,
  configure?: (app: NestFastifyApplication) => void,
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({ imports: [rootModule] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    // The same request ids as main.ts: audit rows and logs carry them.
    new FastifyAdapter({ requestIdHeader: false, genReqId: requestIdFor }),
    { logger: false },
  );
  configureHttpApp(app);
  configure?.(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    request: (options) => app.getHttpAdapter().getInstance().inject(options),
    close: () => app.close(),
  };
}
