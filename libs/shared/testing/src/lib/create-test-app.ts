import { DynamicModule, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { configureHttpApp, problemServerOptions, requestIdFor } from '@agenthub/http';
import {
  ObservedResponse,
  OpenApiDocument,
  ResponseContract,
  responseContract,
} from './response-contract';

export interface TestApp {
  app: NestFastifyApplication;
  /**
   * Sends a request through the whole stack (no socket). When the app serves an OpenAPI
   * document (`documentUrl`) and checking is on, a response the document does not describe
   * rejects with what is wrong.
   */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  /**
   * The same check for a response that came another way (over a socket, from a client):
   * throws when checking is on and the document does not describe it.
   */
  checkResponse(response: ObservedResponse): void;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** What an app sets up beyond main.ts's global setup (main.ts passes the same function). */
  configure?: (app: NestFastifyApplication) => void;
  /** Where the app serves its OpenAPI document (e.g. `/docs/json`): responses are checked. */
  documentUrl?: string;
}

/** On: every e2e answer must be what the document says (AGENTHUB_CHECK_RESPONSES=0 to debug). */
const CHECK_BY_DEFAULT = true;

/**
 * Whether `request` checks responses against the app's document: AGENTHUB_CHECK_RESPONSES
 * (`1`/`true` or `0`/`false`), else the default.
 */
export function responseCheckingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['AGENTHUB_CHECK_RESPONSES']?.trim().toLowerCase();
  return value === undefined || value === '' ? CHECK_BY_DEFAULT : !['0', 'false'].includes(value);
}

/**
 * Builds the Nest app around `rootModule` with exactly the global setup of main.ts
 * (prefix, validation pipe, problem+json filter), so tests see what users see.
 */
export async function createTestApp(
  rootModule: Type<unknown> | DynamicModule,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({ imports: [rootModule] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    // The same request ids (audit rows and logs carry them) and framework answers as main.ts.
    new FastifyAdapter({ requestIdHeader: false, genReqId: requestIdFor, ...problemServerOptions }),
    { logger: false },
  );
  configureHttpApp(app);
  options.configure?.(app);
  await app.init();
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.ready();

  let contract: ResponseContract | undefined;
  if (options.documentUrl && responseCheckingEnabled()) {
    // The app's own document, not a committed copy: it is what the routes say right now.
    const document = await fastify.inject({ method: 'GET', url: options.documentUrl });
    contract = responseContract(document.json<OpenApiDocument>());
  }
  return {
    app,
    request: async (request) => {
      const response = await fastify.inject(request);
      contract?.({
        method: request.method ?? 'GET',
        url: injectedUrl(request),
        status: response.statusCode,
        contentType: response.headers['content-type'] as string | undefined,
        body: response.body,
      });
      return response;
    },
    checkResponse: (response) => contract?.(response),
    close: () => app.close(),
  };
}

function injectedUrl(request: InjectOptions): string {
  const url = request.url ?? request.path;
  if (typeof url === 'string') return url;
  return url?.pathname ?? '/';
}
