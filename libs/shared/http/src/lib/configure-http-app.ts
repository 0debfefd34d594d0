import { RequestMethod } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProblemDetailsFilter } from '@agenthub/errors';
import { refuseUnstorableText } from './storable-text';
import { createValidationPipe } from './validation';

export const API_PREFIX = 'api/v1';

/** Routes that live outside /api/v1 because probes and scrapers expect them there. */
export const UNPREFIXED_ROUTES = [
  { path: 'health/live', method: RequestMethod.GET },
  { path: 'health/ready', method: RequestMethod.GET },
  { path: 'metrics', method: RequestMethod.GET },
  { path: 'docs', method: RequestMethod.GET },
  { path: 'docs/json', method: RequestMethod.GET },
  // The protocol endpoints, where MCP and A2A clients expect them.
  { path: 'mcp', method: RequestMethod.ALL },
  { path: 'a2a/*path', method: RequestMethod.ALL },
];

/**
 * Global HTTP setup shared by main.ts and the test app, so tests see exactly what users
 * see: prefix, strict validation, problem+json for every error.
 */
export function configureHttpApp(app: NestFastifyApplication): NestFastifyApplication {
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_ROUTES });
  app.useGlobalPipes(createValidationPipe());
  app.getHttpAdapter().getInstance().addHook('preValidation', refuseUnstorableText);
  // Also answers what Fastify raises before a route runs (malformed JSON, body too large,
  // unsupported content type) and unknown routes: Nest hands those to the global filters.
  app.useGlobalFilters(new ProblemDetailsFilter());
  return app;
}
