import { Controller, Delete, Get, Logger, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  isInitializeRequest,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import { CurrentPrincipal, Principal } from '@agenthub/auth';
import { WithoutRequestTransaction } from '@agenthub/database';
import { isUuid } from '@agenthub/http';
import { McpCallContext, McpServerFactory } from './mcp-server.factory';
import { McpSession, McpSessionRepository } from './mcp-session.repository';
import { McpStreams } from './mcp-streams';

const SESSION_HEADER = 'mcp-session-id';
/** Client info kept with a session: these fields, each cut to this length. */
const CLIENT_INFO_FIELDS = ['name', 'title', 'version'];
const CLIENT_INFO_MAX = 200;

/**
 * MCP's Streamable HTTP transport at `/mcp`, behind the same bearer authentication as REST
 * (the global guard: 401 with `WWW-Authenticate: Bearer` without a valid token, a revoked
 * key refused on its next request).
 *
 * Sessions live in PostgreSQL, not in a process: `initialize` records one (whose it is) and
 * answers its id in `Mcp-Session-Id`; every later request names it, is refused as "Session
 * not found" (404, as the SDK's own session handling answers) when it is unknown, ended or
 * another caller's, and is then served by a fresh SDK server and stateless transport of its
 * own. So any API process serves any request of any session. `GET` opens the session's
 * server-to-client stream (resource-updated notifications), `DELETE` ends the session.
 *
 * No request transaction: every tool call is a REST operation, dispatched in-process with
 * its own.
 */
@ApiExcludeController()
@WithoutRequestTransaction()
@Controller('mcp')
export class McpController {
  private readonly logger = new Logger(McpController.name);

  constructor(
    private readonly servers: McpServerFactory,
    private readonly sessions: McpSessionRepository,
    private readonly streams: McpStreams,
  ) {}

  @Post()
  async post(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const body = request.body;
    const messages: unknown[] = Array.isArray(body) ? body : [body];
    let sessionId: string;
    if (
      messages.length === 1 &&
      isInitializeAttempt(messages[0]) &&
      !isInitializeRequest(messages[0])
    ) {
      // A malformed initialize starts nothing: the SDK's server answers what is wrong with it.
      sessionId = '';
    } else if (messages.length === 1 && isInitializeRequest(messages[0])) {
      const params = messages[0].params;
      sessionId = randomUUID();
      await this.sessions.create({
        id: sessionId,
        principal,
        clientInfo: clientInfoOf(params.clientInfo),
        protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(params.protocolVersion)
          ? params.protocolVersion
          : LATEST_PROTOCOL_VERSION,
      });
      // Node merges headers set here into the transport's writeHead.
      reply.raw.setHeader(SESSION_HEADER, sessionId);
    } else {
      const session = await this.sessionOf(request, principal, reply);
      if (!session) return;
      sessionId = session.id;
    }
    const server = await this.servers.create(this.contextOf(request, principal, sessionId));
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await this.serve(server, transport, request, reply, body);
  }

  @Get()
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const session = await this.sessionOf(request, principal, reply);
    if (!session) return;
    const server = await this.servers.create(this.contextOf(request, principal, session.id));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    // A request the transport refuses (no `Accept: text/event-stream`) opens no stream.
    if (String(request.headers.accept ?? '').includes('text/event-stream')) {
      const stop = await this.streams.start({
        sessionId: session.id,
        principal,
        server,
        end: () => void server.close(),
      });
      reply.raw.once('close', stop);
    }
    await this.serve(server, transport, request, reply, undefined);
  }

  @Delete()
  async end(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const session = await this.sessionOf(request, principal, reply);
    if (!session) return;
    await this.sessions.delete(session.id);
    this.streams.endSession(session.id);
    await reply.code(200).send();
  }

  /** What the transport answers for a method it does not speak. */
  @Put()
  put(@Res() reply: FastifyReply): Promise<void> {
    return methodNotAllowed(reply);
  }

  @Patch()
  patch(@Res() reply: FastifyReply): Promise<void> {
    return methodNotAllowed(reply);
  }

  /** Hands the request to the SDK's transport; the server lives as long as the response. */
  private async serve(
    server: Server,
    transport: StreamableHTTPServerTransport,
    request: FastifyRequest,
    reply: FastifyReply,
    body: unknown,
  ): Promise<void> {
    server.onerror = (error) => this.logger.warn(`MCP: ${error.message}`);
    reply.hijack();
    reply.raw.once('close', () => void server.close());
    try {
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, body);
    } catch (error) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(jsonRpcError(-32603, 'Internal error'));
      } else reply.raw.end();
    }
  }

  /**
   * The session the request names, if it is the caller's; otherwise the refusal is sent
   * (400 without the header, 404 for an unknown, ended or someone else's session) and null
   * comes back.
   */
  private async sessionOf(
    request: FastifyRequest,
    principal: Principal,
    reply: FastifyReply,
  ): Promise<McpSession | null> {
    const header = request.headers[SESSION_HEADER];
    const id = Array.isArray(header) ? header[0] : header;
    if (!id) {
      await refuse(reply, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
      return null;
    }
    const session = isUuid(id) ? await this.sessions.findLive(id.toLowerCase()) : null;
    const mine =
      session !== null &&
      (principal.kind === 'user'
        ? session.userId === principal.userId
        : session.agentId === principal.agentId);
    if (!mine) {
      await refuse(reply, 404, -32001, 'Session not found');
      return null;
    }
    return session;
  }

  private contextOf(
    request: FastifyRequest,
    principal: Principal,
    sessionId: string,
  ): McpCallContext {
    return {
      principal,
      authorization: String(request.headers.authorization),
      requestId: String(request.id),
      sessionId,
    };
  }
}

function jsonRpcError(code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
}

async function refuse(
  reply: FastifyReply,
  status: number,
  code: number,
  message: string,
): Promise<void> {
  await reply.code(status).type('application/json').send(jsonRpcError(code, message));
}

async function methodNotAllowed(reply: FastifyReply): Promise<void> {
  await reply
    .code(405)
    .header('allow', 'GET, POST, DELETE')
    .type('application/json')
    .send(jsonRpcError(-32000, 'Method not allowed.'));
}

function isInitializeAttempt(message: unknown): boolean {
  return (
    message !== null &&
    typeof message === 'object' &&
    (message as { method?: unknown }).method === 'initialize'
  );
}

function clientInfoOf(info: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of CLIENT_INFO_FIELDS)
    if (typeof info[field] === 'string') out[field] = info[field].slice(0, CLIENT_INFO_MAX);
  return out;
}
