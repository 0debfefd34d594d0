import { STATUS_CODES } from 'node:http';
import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiSecurity,
  getSchemaPath,
} from '@nestjs/swagger';
import { MAX_PAGE_LIMIT } from './pagination';

/** The name of the one security scheme: a user JWT or an agent API key, as a bearer token. */
export const BEARER_SCHEME = 'bearer';

/** Every error answer: an RFC 9457 problem document plus AgentHub's stable `code`. */
export class ProblemDetailsDto {
  @ApiProperty({
    description: 'A URN naming the kind of problem, derived from `code`.',
    example: 'urn:agenthub:problem:request.invalid',
  })
  type!: string;

  @ApiProperty({ description: "The HTTP status's reason phrase.", example: 'Bad Request' })
  title!: string;

  @ApiProperty({ description: 'The HTTP status code.', minimum: 400, maximum: 599, example: 400 })
  status!: number;

  @ApiProperty({ description: 'What went wrong, for a person.', example: 'Invalid request' })
  detail!: string;

  @ApiProperty({
    description: 'A stable machine-readable code (`AREA.REASON`) clients may switch on.',
    example: 'REQUEST.INVALID',
  })
  code!: string;

  @ApiPropertyOptional({
    description: 'Per-field messages, keyed by the field (or `query.x` / path parameter) name.',
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { title: ['title should not be empty'] },
  })
  errors?: Record<string, string[]>;

  @ApiPropertyOptional({ description: 'The request path this problem is about.' })
  instance?: string;
}

/**
 * What each status means for any route, with the codes any route may answer it with; a route
 * adds its own codes in `description`. Every code an answer carries is one of these two lists
 * (the e2e harness checks it: libs/shared/testing response-contract.ts).
 */
const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: a field, query value or path parameter broke a rule (`REQUEST.VALIDATION_FAILED`, `REQUEST.INVALID_ID`, `REQUEST.INVALID` for malformed JSON, `REQUEST.INVALID_BODY`, `REQUEST.INVALID_CHARACTER`, `REQUEST.NESTED_TOO_DEEP`, `REQUEST.INVALID_URL` for a malformed URL, `REQUEST.CONSTRAINT_VIOLATION` when the database refuses a value).',
  401: 'No valid credentials (`AUTH.UNAUTHENTICATED`, `AUTH.INVALID_TOKEN`, `AUTH.TOKEN_EXPIRED`, `AUTH.INVALID_API_KEY`).',
  403: 'Authenticated, but not allowed to do this (`PROJECT.FORBIDDEN`).',
  404: 'No such resource, or not visible to the caller.',
  409: "Conflicts with the current state of the resource (besides the route's own codes, what the database refuses: `RESOURCE.ALREADY_EXISTS`, `RESOURCE.REFERENCE_VIOLATION`, `RESOURCE.VERSION_CONFLICT`).",
  413: 'The request body is too large (`REQUEST.TOO_LARGE`).',
  415: 'The body is not `application/json` (`REQUEST.UNSUPPORTED_MEDIA_TYPE`).',
  429: 'Too many attempts; retry after `Retry-After` seconds.',
  503: 'Not ready: the database is unreachable or migrations are pending.',
};

/**
 * Documents the error answers a route can give, each as `application/problem+json`
 * referencing {@link ProblemDetailsDto}. `codes` adds the route's own codes per status,
 * e.g. `{ 409: 'AGENT.NAME_TAKEN' }`.
 */
export function ApiProblems(
  statuses: number[],
  codes: Partial<Record<number, string | string[]>> = {},
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) => {
      const own = codes[status];
      const ownCodes = own === undefined ? [] : Array.isArray(own) ? own : [own];
      const description = [
        PROBLEM_DESCRIPTIONS[status] ?? 'Error.',
        ...(ownCodes.length > 0 ? [`Codes: ${ownCodes.map((c) => `\`${c}\``).join(', ')}.`] : []),
      ].join(' ');
      return ApiResponse({
        status,
        description,
        ...(status === 429 ? { headers: RETRY_AFTER_HEADER } : {}),
        content: {
          'application/problem+json': {
            schema: { $ref: getSchemaPath(ProblemDetailsDto) },
            ...(ownCodes[0] ? { example: exampleProblem(status, ownCodes[0]) } : {}),
          },
        },
      });
    }),
  );
}

/** The problem+json filter sets it on every 429 and 503. */
const RETRY_AFTER_HEADER = {
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer' as const, minimum: 1 },
  },
};

/**
 * The 503 every operation that needs the database may answer while it is unavailable (the
 * problem filter's `SERVICE.UNAVAILABLE`, with Retry-After); added to the document once, for
 * all of them, by the API's document builder.
 */
export function unavailableResponse() {
  return {
    description:
      'The database is unavailable (`SERVICE.UNAVAILABLE`); retry after `Retry-After` seconds. A write answered so may or may not have been applied: retry it only if it is safe to repeat, or read first.',
    headers: RETRY_AFTER_HEADER,
    content: {
      'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } },
    },
  };
}

/** A whole problem document (redocly checks examples against the schema). */
function exampleProblem(status: number, code: string) {
  const detail = (PROBLEM_DESCRIPTIONS[status] ?? 'Error.').split(/ \(|: /)[0];
  return {
    type: `urn:agenthub:problem:${code.toLowerCase()}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: /[.!]$/.test(detail) ? detail : `${detail}.`,
    code,
  };
}

/** A `{ items, total, limit, offset }` list of `item`, as the 200 answer. */
export function ApiPage(item: Type<unknown>, description = 'One page of the list.') {
  return applyDecorators(
    ApiExtraModels(item),
    ApiOkResponse({
      description,
      schema: {
        type: 'object',
        required: ['items', 'total', 'limit', 'offset'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(item) } },
          total: { type: 'integer', minimum: 0, description: 'Matching items in all pages.' },
          limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT },
          offset: { type: 'integer', minimum: 0 },
        },
      },
    }),
  );
}

/** `summary` and an `operationId` a client generator turns into a method name. */
export function ApiOp(operationId: string, summary: string, description?: string) {
  return ApiOperation({ operationId, summary, ...(description ? { description } : {}) });
}

/** The route needs a bearer token: a user JWT or an agent API key. */
export const ApiAuth = () => ApiBearerAuth(BEARER_SCHEME);

/** The route needs no credentials (`security: []` in the document). */
export const ApiNoAuth = () => ApiSecurity(NO_AUTH_MARKER);
/** Rewritten to an empty security requirement by the document builder. */
export const NO_AUTH_MARKER = 'none';

/** A UUID path parameter, as {@link UuidParam} enforces it. */
export const ApiUuidParam = (name: string, description?: string) =>
  ApiParam({ name, format: 'uuid', type: 'string', ...(description ? { description } : {}) });
