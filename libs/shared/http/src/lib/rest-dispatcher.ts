import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from './configure-http-app';
import { REQUEST_ID_HEADER } from './request-id';

type QueryValue = string | number | boolean | undefined;

/** One REST operation, called in-process as the caller. */
export interface RestCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Under /api/v1, path parameters filled in and encoded: `/tasks/${encodeURIComponent(id)}`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** The caller's own Authorization header, passed on untouched. */
  authorization: string;
  /** The protocol face making the call (`mcp`, `a2a`): the in-process request's user-agent. */
  via: string;
  /** The outer request's id, so its log lines and audit rows share it. */
  requestId?: string;
}

export interface RestResult<T = unknown> {
  status: number;
  /** The parsed JSON body; `undefined` for an empty one (204). */
  body: T | undefined;
  headers: Record<string, string | number | string[] | undefined>;
}

/** An OpenAPI 3 document as plain JSON. */
export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
};

/** The problem+json answer of a REST operation (4xx, or 5xx), as an error to throw on. */
export class RestProblem extends Error {
  readonly code: string;
  readonly detail: string;

  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    const detail =
      typeof body['detail'] === 'string'
        ? body['detail']
        : typeof body['title'] === 'string'
          ? body['title']
          : `HTTP ${status}`;
    super(detail);
    this.name = 'RestProblem';
    this.code = typeof body['code'] === 'string' ? body['code'] : `HTTP_${status}`;
    this.detail = detail;
  }
}

/**
 * Calls the REST API in-process, through Fastify's `inject`: the request runs the whole
 * pipeline a network request runs (authentication, validation, the request transaction,
 * audit, events, problem+json errors), with the caller's own credentials. The protocol
 * faces (MCP, A2A) are built on this, so every rule stays where REST enforces it, once.
 */
@Injectable()
export class RestDispatcher {
  private documentPromise?: Promise<OpenApiDocument>;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async call<T = unknown>(call: RestCall): Promise<RestResult<T>> {
    // A path parameter of `.` or `..` (encodeURIComponent keeps dots) would be resolved into
    // another route: refused as the unknown resource it names.
    if (call.path.split('/').some((segment) => segment === '.' || segment === '..'))
      throw new RestProblem(404, {
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        code: 'RESOURCE.NOT_FOUND',
        detail: `No resource at ${call.path}`,
      });
    const headers: Record<string, string> = {
      authorization: call.authorization,
      accept: 'application/json',
      'user-agent': `agenthub-${call.via}`,
    };
    if (call.requestId) headers[REQUEST_ID_HEADER] = call.requestId;
    const hasBody = call.body !== undefined;
    if (hasBody) headers['content-type'] = 'application/json';
    const response = await this.fastify().inject({
      method: call.method,
      url: `/${API_PREFIX}${call.path}`,
      query: queryOf(call.query),
      headers,
      payload: hasBody ? JSON.stringify(call.body) : undefined,
    });
    const body = response.body === '' ? undefined : parseJson(response.body);
    if (response.statusCode >= 400) {
      throw new RestProblem(
        response.statusCode,
        body !== null && typeof body === 'object' && !Array.isArray(body)
          ? (body as Record<string, unknown>)
          : { detail: response.body },
      );
    }
    return { status: response.statusCode, body: body as T | undefined, headers: response.headers };
  }

  /** The API's OpenAPI document (served at /docs/json), read once. */
  document(): Promise<OpenApiDocument> {
    this.documentPromise ??= this.fastify()
      .inject({ method: 'GET', url: '/docs/json' })
      .then((response) => {
        if (response.statusCode !== 200)
          throw new Error(
            `the OpenAPI document is not served (GET /docs/json: ${response.statusCode})`,
          );
        return JSON.parse(response.body) as OpenApiDocument;
      });
    this.documentPromise.catch(() => (this.documentPromise = undefined));
    return this.documentPromise;
  }

  private fastify(): FastifyInstance {
    return this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
  }
}

/** The query as strings, without the undefined values. */
function queryOf(query: RestCall['query']): Record<string, string> | undefined {
  if (!query) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) out[key] = String(value);
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
