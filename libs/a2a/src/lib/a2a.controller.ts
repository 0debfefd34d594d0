import { Controller, Get, Logger, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiExcludeEndpoint,
  ApiNotModifiedResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  A2A_VERSION_HEADER,
  AgentCard,
  formatSSEErrorEvent,
  formatSSEEvent,
  SSE_HEADERS,
} from '@a2a-js/sdk';
import { JsonRpcTransportHandler, ServerCallContext, validateVersion } from '@a2a-js/sdk/server';
import type { User } from '@a2a-js/sdk/server';
import { ContentTypeNotSupportedError, RequestMalformedError } from '@a2a-js/sdk/errors';
import { CurrentPrincipal, Principal } from '@agenthub/auth';
import { WithoutRequestTransaction } from '@agenthub/database';
import { EventStreams } from '@agenthub/events';
import {
  ApiAuth,
  ApiOp,
  ApiProblems,
  ApiUuidParam,
  RestDispatcher,
  RestProblem,
} from '@agenthub/http';
import type { AgentJson } from './agent-card';
import { AgentCards } from './agent-cards';
import { AgentHubRequestHandler } from './agenthub-request-handler';
import { invalidParams, invalidRequest, JsonRpcId, requestIdOf } from './json-rpc-input';
import { reachedHandler } from './json-rpc-refusals';

/** The agent card as the document describes it (A2A 1.0; the protocol's spec has the rest). */
const AGENT_CARD_SCHEMA = {
  type: 'object',
  required: [
    'name',
    'description',
    'version',
    'url',
    'supportedInterfaces',
    'capabilities',
    'skills',
  ],
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    version: { type: 'string', description: 'Changes exactly when the card does.' },
    url: { type: 'string', format: 'uri', description: 'The JSON-RPC endpoint.' },
    supportedInterfaces: {
      type: 'array',
      items: {
        type: 'object',
        required: ['url', 'protocolBinding', 'protocolVersion'],
        properties: {
          url: { type: 'string', format: 'uri' },
          protocolBinding: { type: 'string', enum: ['JSONRPC'] },
          protocolVersion: { type: 'string' },
        },
      },
    },
    capabilities: {
      type: 'object',
      properties: {
        streaming: { type: 'boolean' },
        pushNotifications: { type: 'boolean' },
        extendedAgentCard: { type: 'boolean' },
      },
    },
    securitySchemes: { type: 'object', additionalProperties: { type: 'object' } },
    securityRequirements: { type: 'array', items: { type: 'object' } },
    defaultInputModes: { type: 'array', items: { type: 'string' } },
    defaultOutputModes: { type: 'array', items: { type: 'string' } },
    skills: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'description'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          description: { type: 'string' },
          tags: { type: 'array', items: { type: 'string' } },
          examples: { type: 'array', items: { type: 'string' } },
          inputModes: { type: 'array', items: { type: 'string' } },
          outputModes: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

/** A comment frame this often keeps proxies from closing a quiet stream. */
export const KEEP_ALIVE_MS = 15_000;

type JsonRpcResponse = { jsonrpc: string; id: JsonRpcId; error?: unknown };

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Every AgentHub agent as an A2A agent (JSON-RPC binding of the protocol version the SDK
 * speaks): its card at `/a2a/agents/:id/.well-known/agent-card.json`, its methods at
 * `/a2a/agents/:id`. Behind the same bearer authentication as REST (the global guard), and
 * only for callers who may read the agent (GET /agents/:id decides: REST's 401/403/404 as
 * problem+json). The SDK parses JSON-RPC and maps errors; this answers JSON, or server-sent
 * events for the streaming methods, as the SDK's own HTTP handler does.
 *
 * No request transaction: every method is REST operations, dispatched with their own.
 */
@WithoutRequestTransaction()
@Controller('a2a/agents')
export class A2aController {
  private readonly logger = new Logger(A2aController.name);

  constructor(
    private readonly cards: AgentCards,
    private readonly rest: RestDispatcher,
    private readonly streams: EventStreams,
  ) {}

  @Get(':id/.well-known/agent-card.json')
  @ApiTags('a2a')
  @ApiAuth()
  @ApiOp(
    'getA2aAgentCard',
    "Get an agent's A2A agent card",
    'The agent as an A2A agent (protocol 1.0, JSON-RPC binding at `/a2a/agents/{id}`): its name, description, version, endpoint, capabilities and one skill per capability. For callers who may read the agent. With `If-None-Match` of its ETag: 304.',
  )
  @ApiUuidParam('id', 'The agent.')
  @ApiOkResponse({ description: 'The agent card.', schema: AGENT_CARD_SCHEMA })
  @ApiNotModifiedResponse({ description: 'The card is the one the ETag names; no body.' })
  @ApiProblems([400, 401, 403, 404], { 403: 'PROJECT.FORBIDDEN', 404: 'AGENT.NOT_FOUND' })
  async card(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const found = await this.cardOr(id, request, reply);
    if (!found) return;
    // Protocol 1.0 gives the endpoint in `supportedInterfaces`; the top-level `url` of earlier
    // cards is kept too, for clients that read it there (1.0 clients ignore it).
    const body = JSON.stringify({
      ...(AgentCard.toJSON(found.card) as Record<string, unknown>),
      url: found.card.supportedInterfaces[0].url,
    });
    const etag = `W/"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    // The card depends on who asks (it is refused to others): no shared caches.
    reply
      .header('etag', etag)
      .header('cache-control', 'private, no-cache')
      .header('vary', 'Authorization');
    if (header(request, 'if-none-match') === etag) {
      await reply.code(304).send();
      return;
    }
    await reply.code(200).type('application/json').send(body);
  }

  /** JSON-RPC, not REST: its contract is the A2A protocol's (docs/api.md), not this document's. */
  @Post(':id')
  @ApiExcludeEndpoint()
  async rpc(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    reachedHandler.add(request);
    const found = await this.cardOr(id, request, reply, { skills: false });
    if (!found) return;
    const { card, agent } = found;
    const body = request.body;
    // Fastify parses JSON and plain text; JSON-RPC is JSON only (the SDK's content-type rule).
    const contentType = header(request, 'content-type');
    if (contentType !== undefined && !/^application\/json\s*(;|$)/i.test(contentType)) {
      await this.answer(reply, {
        jsonrpc: '2.0',
        id: null,
        error: JsonRpcTransportHandler.mapToJSONRPCError(
          new ContentTypeNotSupportedError(
            `Unsupported Content-Type "${contentType}"; expected application/json.`,
          ),
        ),
      });
      return;
    }
    const notARequest = invalidRequest(body);
    if (notARequest) {
      await this.answer(reply, notARequest);
      return;
    }
    const user: User = {
      isAuthenticated: true,
      userName:
        principal.kind === 'agent' ? `agent:${principal.agentId}` : `user:${principal.userId}`,
    };
    const context = new ServerCallContext({
      user,
      requestedVersion: header(request, A2A_VERSION_HEADER),
    });
    try {
      validateVersion(context.requestedVersion, card, 'JSONRPC');
    } catch (error) {
      await this.answer(reply, errorResponse(body, error));
      return;
    }
    const rpc = body as { method: string; params?: unknown };
    const badParams = invalidParams(rpc.method, rpc.params);
    if (badParams) {
      await this.answer(reply, errorResponse(body, new RequestMalformedError(badParams)));
      return;
    }

    const gone = new AbortController();
    reply.raw.once('close', () => gone.abort());
    const handler = new AgentHubRequestHandler(
      {
        agentId: id,
        projectId: agent.project_id,
        card,
        principal,
        authorization: request.headers.authorization ?? '',
        requestId: String(request.id),
        signal: gone.signal,
      },
      this.rest,
      this.streams,
    );
    const result = await new JsonRpcTransportHandler(handler).handle(
      body as Record<string, unknown>,
      context,
    );
    if (!(Symbol.asyncIterator in result)) {
      await this.answer(reply, result);
      return;
    }

    // A stream: its first event decides between an error answer and the event stream.
    const iterator = result[Symbol.asyncIterator]();
    let first: IteratorResult<unknown>;
    try {
      first = await iterator.next();
    } catch (error) {
      await this.answer(reply, errorResponse(body, error));
      return;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), ...SSE_HEADERS });
    res.flushHeaders();
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    try {
      if (!first.done) res.write(formatSSEEvent(first.value));
      for (let next = await iterator.next(); !next.done; next = await iterator.next())
        res.write(formatSSEEvent(next.value));
    } catch (error) {
      if (!gone.signal.aborted) {
        this.logger.warn(
          `A2A stream of agent ${id} ended by an error: ${(error as Error).message}`,
        );
        res.write(formatSSEErrorEvent(errorResponse(body, error)));
      }
    } finally {
      clearInterval(keepAlive);
      if (!res.writableEnded) res.end();
    }
  }

  /**
   * The agent's card, or `undefined` once REST's refusal was answered. `skills: false` for
   * the methods: they need the agent (who may call it, its project) and the card's
   * capabilities, not its skills, which cost another read.
   */
  private async cardOr(
    id: string,
    request: FastifyRequest,
    reply: FastifyReply,
    options: { skills: boolean } = { skills: true },
  ): Promise<{ card: AgentCard; agent: AgentJson } | undefined> {
    try {
      return await this.cards.cardFor(id, request, options);
    } catch (error) {
      if (!(error instanceof RestProblem)) throw error;
      await reply
        .code(error.status)
        .type('application/problem+json; charset=utf-8')
        // REST's problem, about this request (not the operation it was dispatched to).
        .send(JSON.stringify({ ...error.body, instance: request.url }));
      return undefined;
    }
  }

  /** A JSON-RPC answer (errors included: 200, as the SDK's handler answers them). */
  private async answer(reply: FastifyReply, response: JsonRpcResponse): Promise<void> {
    await reply.code(200).type('application/json').send(JSON.stringify(response));
  }
}

/** The JSON-RPC error answer to the request `body` (its id, when it has a valid one). */
function errorResponse(body: unknown, error: unknown): JsonRpcResponse {
  return {
    jsonrpc: '2.0',
    id: requestIdOf(body),
    error: JsonRpcTransportHandler.mapToJSONRPCError(error),
  };
}
