import { HttpException, HttpStatus } from '@nestjs/common';
import {
  CheckConstraintViolationException,
  ForeignKeyConstraintViolationException,
  NotNullConstraintViolationException,
  OptimisticLockError,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { isDatabaseUnavailable, isStatementTimeout } from './database-unavailable';
import { DomainError, FieldErrors } from './domain-error';

/** An RFC 9457 problem document, plus AgentHub's stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldErrors;
  instance?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const GENERIC_CODES: Record<number, string> = {
  400: 'REQUEST.INVALID',
  401: 'AUTH.UNAUTHENTICATED',
  403: 'AUTH.FORBIDDEN',
  404: 'RESOURCE.NOT_FOUND',
  405: 'REQUEST.METHOD_NOT_ALLOWED',
  409: 'RESOURCE.CONFLICT',
  413: 'REQUEST.TOO_LARGE',
  414: 'REQUEST.URI_TOO_LONG',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  408: 'REQUEST.TIMEOUT',
  429: 'REQUEST.RATE_LIMITED',
  431: 'REQUEST.HEADERS_TOO_LARGE',
  500: 'INTERNAL',
  503: 'SERVICE.UNAVAILABLE',
};

export function problem(
  status: number,
  code: string,
  detail: string,
  errors?: FieldErrors,
): Problem {
  return {
    type: `urn:agenthub:problem:${code.toLowerCase()}`,
    title: TITLES[status] ?? HttpStatus[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  };
}

/** Fastify's own errors (bad JSON, body too large, bad content type) carry these. */
interface FrameworkError {
  statusCode: number;
  code?: string;
  message: string;
}
function isFrameworkError(error: unknown): error is FrameworkError {
  const statusCode = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return (
    error instanceof Error &&
    typeof statusCode === 'number' &&
    statusCode >= 400 &&
    statusCode < 500
  );
}

/**
 * The one mapping from anything thrown while serving a request to a problem document.
 * Returns `undefined` for errors that are bugs (the caller logs them and answers 500).
 */
export function toProblem(error: unknown): Problem | undefined {
  if (error instanceof DomainError) {
    return problem(error.status, error.code, error.message, error.errors);
  }
  // Not the request's fault and not a bug: the database is down, restarting or saturated.
  if (isDatabaseUnavailable(error)) return databaseUnavailableProblem();
  if (isStatementTimeout(error))
    return problem(
      503,
      'SERVICE.UNAVAILABLE',
      'The database did not finish in time (statement timeout); retry later (a write may or may not have been applied)',
    );
  // Constraint violations the services did not translate: the database is the
  // source of truth, so its verdict is still a client error, not a crash.
  if (error instanceof UniqueConstraintViolationException) {
    return problem(
      409,
      'RESOURCE.ALREADY_EXISTS',
      'A resource with the same unique value already exists',
    );
  }
  if (error instanceof ForeignKeyConstraintViolationException) {
    return problem(
      409,
      'RESOURCE.REFERENCE_VIOLATION',
      'The change refers to a resource that does not exist, or one that others still refer to',
    );
  }
  if (
    error instanceof NotNullConstraintViolationException ||
    error instanceof CheckConstraintViolationException
  ) {
    return problem(
      400,
      'REQUEST.CONSTRAINT_VIOLATION',
      'The request breaks a rule of the data model',
    );
  }
  if (error instanceof OptimisticLockError) {
    return problem(
      409,
      'RESOURCE.VERSION_CONFLICT',
      'The resource was changed by someone else; reload and retry',
    );
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status >= 500) return undefined;
    const body = error.getResponse();
    const message =
      typeof body === 'string'
        ? body
        : Array.isArray((body as { message?: unknown }).message)
          ? (body as { message: string[] }).message.join('; ')
          : String((body as { message?: unknown }).message ?? error.message);
    return problem(status, GENERIC_CODES[status] ?? `HTTP.${status}`, message);
  }
  if (isFrameworkError(error)) {
    const code =
      error.code?.startsWith('FST_ERR_CTP') || error.code === 'FST_ERR_VALIDATION'
        ? 'REQUEST.INVALID_BODY'
        : error.code === 'FST_ERR_BAD_URL'
          ? 'REQUEST.INVALID_URL'
          : undefined;
    return problem(
      error.statusCode,
      code ?? GENERIC_CODES[error.statusCode] ?? `HTTP.${error.statusCode}`,
      error.message,
    );
  }
  return undefined;
}

/** How long a client should wait before retrying a 503 (the filter sends it as Retry-After). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

export function databaseUnavailableProblem(): Problem {
  return problem(
    503,
    'SERVICE.UNAVAILABLE',
    'The database is unavailable right now; retry shortly (a write may or may not have been applied)',
  );
}

export function internalProblem(): Problem {
  return problem(500, 'INTERNAL', 'An unexpected error occurred; it has been logged');
}
