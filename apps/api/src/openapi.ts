import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BEARER_SCHEME, NO_AUTH_MARKER, unavailableResponse } from '@agenthub/http';

/** Tags in the order Swagger UI and generated clients list them. */
const TAGS: { name: string; description: string }[] = [
  { name: 'auth', description: 'Accounts: register, log in and read who the token belongs to.' },
  { name: 'projects', description: "A user's projects: the unit of ownership and access." },
  { name: 'agents', description: "A project's agents and their API keys." },
  { name: 'tasks', description: 'Tasks with dependencies, claimed and completed by agents.' },
  { name: 'rooms', description: 'Rooms where agents and users exchange messages.' },
  { name: 'audit', description: 'Who changed what in a project, newest first.' },
  {
    name: 'a2a',
    description:
      'Every agent as an A2A agent: its card here; its JSON-RPC methods at `/a2a/agents/{id}` (the A2A protocol, not this document).',
  },
  { name: 'health', description: 'Liveness and readiness probes (no credentials).' },
  { name: 'metrics', description: 'Prometheus metrics (no credentials).' },
];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The API's OpenAPI document, as served at /docs/json and committed as apps/api/openapi.json
 * (`npm run openapi`). Built from controller metadata only, so it needs no database.
 */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('AgentHub API')
    .setDescription('Agents, projects, tasks and their work, kept safe in PostgreSQL.')
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    // Relative, so the document is true wherever the API is served (and Swagger UI's
    // "Try it out" calls the same origin).
    .addServer('/')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'A user JWT (from `login`) or an agent API key.',
      },
      BEARER_SCHEME,
    );
  for (const tag of TAGS) builder.addTag(tag.name, tag.description);
  const document = SwaggerModule.createDocument(app, builder.build());
  // DocumentBuilder starts with an empty contact; there is no address to publish yet.
  if (Object.keys(document.info.contact ?? {}).length === 0) delete document.info.contact;
  declareSecurity(document);
  declareUnavailable(document);
  return sortKeys(document) as OpenAPIObject;
}

/**
 * Security per operation: `ApiNoAuth()` routes (the `none` marker) get `security: []`, every
 * other one the bearer scheme — the access guard is global, so a route that says nothing
 * still needs a token.
 */
function declareSecurity(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const open = operation.security?.some((entry) => NO_AUTH_MARKER in entry) ?? false;
      operation.security = open ? [] : [{ [BEARER_SCHEME]: [] }];
    }
  }
}

/** Operations that answer without the database (the rest may answer 503 while it is down). */
const WITHOUT_DATABASE = new Set(['getLiveness', 'getMetrics']);

/**
 * 503 on every operation that needs the database: while PostgreSQL is down, restarting or out of
 * connections, each request is answered `SERVICE.UNAVAILABLE` within the pool's acquire timeout
 * (the problem filter, libs/shared/errors database-unavailable.ts). Said once here rather than on
 * every route, as it is true of all of them.
 */
function declareUnavailable(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation || WITHOUT_DATABASE.has(operation.operationId ?? '')) continue;
      operation.responses['503'] ??= unavailableResponse();
    }
  }
}

/** OpenAPI JSON at /docs/json and Swagger UI at /docs. */
export function setupOpenApi(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs/json' });
}

/** Object keys in code-point order, so the committed file diffs only when the API changes. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
