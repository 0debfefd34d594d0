import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { A2A_ERROR_CODE } from '@a2a-js/sdk/errors';
import { JsonRpcErrorResponse, requestIdOf } from './json-rpc-input';

/** The route of the JSON-RPC methods, as Fastify names it. */
export const RPC_ROUTE = '/a2a/agents/:id';

/** Requests the JSON-RPC handler took: what it answers is its own, never rewritten. */
export const reachedHandler = new WeakSet<FastifyRequest>();

/** REST's problem code for a body that is not JSON (Fastify's parser refused it). */
const NOT_JSON = 'REQUEST.INVALID';

/**
 * A refusal of the body before the handler ran (Fastify's JSON parser, its body limit, its
 * content types, the storable-text check every request gets) as the JSON-RPC error an A2A
 * client reads, as the SDK's own HTTP handler answers them: 200 with a parse error (-32700),
 * invalid params (-32602) for text the database cannot keep or JSON nested too deep, an
 * invalid request (-32600) for a body over the limit, content type not supported (-32005).
 * Authentication stays HTTP's (401 with `WWW-Authenticate`), as does every other answer.
 */
export function jsonRpcRefusalOf(
  status: number,
  problem: Record<string, unknown>,
  body: unknown,
): JsonRpcErrorResponse | undefined {
  const code = typeof problem['code'] === 'string' ? problem['code'] : `HTTP_${status}`;
  const detail = typeof problem['detail'] === 'string' ? problem['detail'] : `HTTP ${status}`;
  const error = (rpcCode: number, message: string): JsonRpcErrorResponse => ({
    jsonrpc: '2.0',
    id: requestIdOf(body),
    error: { code: rpcCode, message },
  });
  if (status === 400 && code === NOT_JSON)
    return error(A2A_ERROR_CODE.PARSE_ERROR, `Parse error: ${detail}`);
  if (status === 400) return error(A2A_ERROR_CODE.INVALID_PARAMS, `${code}: ${detail}`);
  if (status === 413) return error(A2A_ERROR_CODE.INVALID_REQUEST, `${code}: ${detail}`);
  if (status === 415)
    return error(
      A2A_ERROR_CODE.CONTENT_TYPE_NOT_SUPPORTED,
      'Unsupported Content-Type; expected application/json.',
    );
  return undefined;
}

/** Installs the rewrite of {@link jsonRpcRefusalOf} for POST /a2a/agents/:id. */
export function answerRefusalsAsJsonRpc(fastify: FastifyInstance): void {
  fastify.addHook(
    'onSend',
    async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (
        request.method !== 'POST' ||
        request.routeOptions.url !== RPC_ROUTE ||
        reachedHandler.has(request) ||
        typeof payload !== 'string' ||
        !String(reply.getHeader('content-type') ?? '').startsWith('application/problem+json')
      )
        return payload;
      let problem: Record<string, unknown>;
      try {
        problem = JSON.parse(payload) as Record<string, unknown>;
      } catch {
        return payload;
      }
      const answer = jsonRpcRefusalOf(reply.statusCode, problem, request.body);
      if (!answer) return payload;
      reply.code(200).header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify(answer);
    },
  );
}
