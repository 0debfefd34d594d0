import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { orNull, type OpenApiDocument } from '@agenthub/http';

export type { OpenApiDocument };

interface MediaTypeObject {
  schema?: unknown;
}
interface ResponseObject {
  description?: string;
  content?: Record<string, MediaTypeObject>;
}
interface OperationObject {
  operationId?: string;
  responses?: Record<string, ResponseObject>;
}

/** One response as the check sees it, whichever transport carried it. */
export interface ObservedResponse {
  method: string;
  /** The request URL: a path, with or without a query string, or an absolute URL. */
  url: string;
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Throws when `response` is not what the document says the route answers; else returns. */
export type ResponseContract = (response: ObservedResponse) => void;

/** The id the document's schemas are registered under, so `$ref`s resolve inside ajv. */
const DOC_ID = 'agenthub-openapi';

const PROBLEM_JSON = 'application/problem+json';

/**
 * Answers no operation lists, as they are not the route's to give: 414 and 431 come from
 * Fastify before routing (any path can be too long), and 500 is a bug, never a contract (the
 * tests that force one check it themselves). They must still be the document's problem+json.
 */
const FRAMEWORK_STATUSES = new Set([414, 431, 500]);

/**
 * Not API operations: Swagger UI's page and assets and the document itself are served by
 * @nestjs/swagger, and the console's files by @fastify/static; they are not (and need not be)
 * in the document.
 */
const UNCHECKED_PATHS = [/^\/docs(\/|$)/, /^\/console(\/|$)/];

/**
 * Builds the check of every response against `document`: the route (path template and
 * method), the response for the status (or `default`), the media type and, for JSON, the
 * body against the schema.
 */
export function responseContract(document: OpenApiDocument): ResponseContract {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  const converted = toJsonSchema(document) as OpenApiDocument;
  ajv.addSchema({ $id: DOC_ID, components: converted.components ?? {} });
  const routes = Object.keys(converted.paths)
    .map((template) => ({
      template,
      pattern: templatePattern(template),
      item: converted.paths[template],
    }))
    // Literal segments win over parameters: /tasks/claim before /tasks/{id}.
    .sort((a, b) => paramCount(a.template) - paramCount(b.template));
  const problemSchema = findProblemSchema(converted);
  const compiled = new Map<string, ValidateFunction>();
  const validator = (key: string, schema: unknown): ValidateFunction => {
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(schema as object);
      compiled.set(key, validate);
    }
    return validate;
  };

  return (response) => {
    const path = pathOf(response.url);
    if (UNCHECKED_PATHS.some((pattern) => pattern.test(path))) return;
    const method = response.method.toLowerCase();
    const where = `${response.method.toUpperCase()} ${response.url} → ${response.status}`;
    const fail: (problem: string, errors?: ErrorObject[] | null) => never = (problem, errors) => {
      throw new Error(
        `Response not described by the OpenAPI document: ${where}` +
          ` (${response.contentType ?? 'no content type'}): ${problem}` +
          (errors ? `\n${ajv.errorsText(errors, { separator: '\n', dataVar: 'body' })}` : '') +
          `\nbody: ${response.body.slice(0, 1000)}`,
      );
    };

    const route = routes.find((candidate) => candidate.pattern.test(path));
    // HEAD is answered by the GET route, without a body.
    const operation = route?.item[method === 'head' ? 'get' : method] as
      OperationObject | undefined;
    /** A problem+json answer of the document's problem schema, or `fail(why)`. */
    const expectProblemBody = (why: string): void => {
      if (!problemSchema) fail(`${why}, and the document describes no problem+json`);
      if (mediaType(response.contentType) !== PROBLEM_JSON) fail(`${why}: not ${PROBLEM_JSON}`);
      const validate = validator('problem', problemSchema);
      if (!validate(parse(response.body, fail))) {
        fail(`${why}: body is not the document's problem schema`, validate.errors);
      }
    };

    if (!route || !operation) {
      // A path or method with no route is no operation the document could describe: only its
      // 4xx answer (404, or what Fastify refuses before routing) must be a problem.
      const unrouted = route ? `no ${method} operation on ${route.template}` : 'no path matches';
      if (response.status < 400 || response.status >= 500) fail(unrouted);
      expectProblemBody(unrouted);
      return;
    }

    const operationName = operation.operationId ?? `${method} ${route.template}`;
    const responses = operation.responses ?? {};
    const status = String(response.status);
    const described = responses[status] ?? responses[`${status[0]}XX`] ?? responses['default'];
    if (!described) {
      const why = `${operationName} documents no ${status} response (documented: ${Object.keys(responses).join(', ') || 'none'})`;
      if (!FRAMEWORK_STATUSES.has(response.status)) fail(why);
      expectProblemBody(why);
      return;
    }
    if (method === 'head') return;
    const content = described.content;
    if (!content || Object.keys(content).length === 0) {
      if (response.body.length > 0) fail(`${operationName} documents no body for ${status}`);
      return;
    }
    const type = mediaType(response.contentType);
    if (!type) fail(`${operationName} documents a body for ${status}, none came`);
    const media = content[type] ?? content[`${type.split('/')[0]}/*`] ?? content['*/*'];
    if (!media) {
      fail(
        `${operationName} ${status} is documented as ${Object.keys(content).join(', ')}, not ${type}`,
      );
    }
    if (media.schema === undefined) return;
    const validate = validator(`${operationName} ${status} ${type}`, media.schema);
    const body = isJson(type) ? parse(response.body, fail) : response.body;
    if (!validate(body))
      fail(`body does not match ${operationName}'s ${status} schema`, validate.errors);
    // A problem's `code` is one the document lists for that status: the status's own list
    // (any route) or the route's (both are backquoted in the response's description).
    const code = response.status >= 400 ? (body as { code?: unknown } | null)?.code : undefined;
    if (typeof code === 'string') {
      const listed = [...(described.description ?? '').matchAll(DOCUMENTED_CODE)].map((m) => m[1]);
      if (!listed.includes(code))
        fail(
          `${operationName} documents no code ${code} for ${status} (listed: ${listed.join(', ') || 'none'})`,
        );
    }
  };
}

/** A backquoted `AREA.REASON` code in a response's description. */
const DOCUMENTED_CODE = /`([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+)`/g;

/** The schema of the document's problem+json answers (the first one: they share one). */
function findProblemSchema(document: OpenApiDocument): unknown {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as OperationObject[]) {
      for (const response of Object.values(operation?.responses ?? {})) {
        const schema = response.content?.[PROBLEM_JSON]?.schema;
        if (schema) return schema;
      }
    }
  }
  return undefined;
}

function parse(text: string, fail: (problem: string) => never): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fail('body is not JSON');
  }
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0].trim().toLowerCase() || undefined;
}

function isJson(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

function pathOf(url: string): string {
  return new URL(url, 'http://test').pathname;
}

function paramCount(template: string): number {
  return template.split('{').length - 1;
}

function templatePattern(template: string): RegExp {
  const parts = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[^/]+')}$`);
}

/**
 * OpenAPI 3.0 schemas as JSON Schema for ajv: `nullable: true` becomes a type union (or an
 * `anyOf` with null where there is no `type`, as on `allOf: [{ $ref }]`), and local `$ref`s
 * point into the registered document.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    out[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `${DOC_ID}${value}`
        : toJsonSchema(value);
  }
  return nullable === true ? orNull(out) : out;
}
