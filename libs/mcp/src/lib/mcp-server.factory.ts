import { Injectable } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { z } from 'zod';
import {
  CallToolRequestSchema,
  CallToolResult,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  Resource,
  Result,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '@agenthub/auth';
import { isJsonObject, RestDispatcher, RestProblem } from '@agenthub/http';
import { McpSessionRepository, MAX_SUBSCRIPTIONS_PER_SESSION } from './mcp-session.repository';
import { parseResourceUri, RESOURCE_TEMPLATES } from './mcp-resources';
import { McpStreams } from './mcp-streams';
import { buildTools, McpTool, ToolArgumentsError } from './mcp-tools';

/** Who is calling, within which session: what every handler of one request acts as. */
export interface McpCallContext {
  principal: Principal;
  /** The request's Authorization header: the REST calls are made with it, as the caller. */
  authorization: string;
  requestId?: string;
  sessionId: string;
}

/** What MCP clients show the model about the server as a whole. */
const INSTRUCTIONS = `AgentHub keeps a fleet of AI agents' work in PostgreSQL: projects, agents, tasks, messages between agents, rooms and workflows. An agent's loop: \`heartbeat\`, \`claim_task\` (the next task it can do), work, \`extend_lease\` while working long, then \`update_task\` with \`status: "completed"\` (or \`"failed"\`) and a \`result\` object. Messages: \`send_message\`, \`receive_messages\` (\`wait_seconds\` to wait for one), then \`ack_message\` (or \`nack_message\`) each. A failed call is a tool error whose JSON has the problem's \`status\`, \`code\` and \`detail\`. Resources \`agenthub://tasks/{id}\`, \`agenthub://agents/{id}\` and \`agenthub://workflow-executions/{id}\` can be read and subscribed to.`;

const VIA = 'mcp';

const SCHEMA_VALIDATOR = new AjvJsonSchemaValidator();
/** Tasks in progress `resources/list` shows at most. */
const LISTED_TASKS = 50;

/**
 * Builds the MCP server of one HTTP request: the tools, resources and subscriptions as the
 * caller, each a REST operation called in-process (so the access policy, validation, audit
 * and events are REST's own). The low-level `Server` rather than `McpServer`: the tools'
 * schemas are the REST document's JSON Schema, not zod.
 */
@Injectable()
export class McpServerFactory {
  private toolsPromise?: Promise<{ tools: Map<string, McpTool>; version: string }>;

  constructor(
    private readonly rest: RestDispatcher,
    private readonly sessions: McpSessionRepository,
    private readonly streams: McpStreams,
  ) {}

  /** The tools, from the API's document (read once per process). */
  tools(): Promise<{ tools: Map<string, McpTool>; version: string }> {
    this.toolsPromise ??= this.rest.document().then((document) => ({
      tools: buildTools(document),
      version: String((document['info'] as { version?: unknown } | undefined)?.version ?? '1'),
    }));
    this.toolsPromise.catch(() => (this.toolsPromise = undefined));
    return this.toolsPromise;
  }

  async create(context: McpCallContext): Promise<Server> {
    const { tools, version } = await this.tools();
    const server = new Server(
      { name: 'agenthub', title: 'AgentHub', version },
      {
        capabilities: {
          tools: { listChanged: false },
          resources: { subscribe: true, listChanged: false },
        },
        instructions: INSTRUCTIONS,
        // One validator for every request's server: building Ajv anew costs each request
        // more than its session lookup.
        jsonSchemaValidator: SCHEMA_VALIDATOR,
      },
    );
    handle(server, ListToolsRequestSchema, () => ({
      tools: [...tools.values()].map((tool) => tool.definition),
    }));
    handle(server, CallToolRequestSchema, (request) => {
      const tool = tools.get(request.params.name);
      if (!tool)
        throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
      return this.callTool(tool, request.params.arguments ?? {}, context);
    });
    handle(server, ListResourcesRequestSchema, () => this.listResources(context));
    handle(server, ListResourceTemplatesRequestSchema, () => ({
      resourceTemplates: RESOURCE_TEMPLATES,
    }));
    handle(server, ReadResourceRequestSchema, async (request) => {
      const { uri, body } = await this.readResource(request.params.uri, context);
      return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(body) }] };
    });
    handle(server, SubscribeRequestSchema, async (request) => {
      // Only what the caller may read: the read decides, as REST would.
      const { uri } = await this.readResource(request.params.uri, context);
      if (!(await this.sessions.subscribe(context.sessionId, uri)))
        throw new McpError(
          ErrorCode.InvalidRequest,
          `A session subscribes to at most ${MAX_SUBSCRIPTIONS_PER_SESSION} resources`,
        );
      this.streams.subscribed(context.sessionId, uri);
      return {};
    });
    handle(server, UnsubscribeRequestSchema, async (request) => {
      const parsed = parseResourceUri(request.params.uri);
      if (parsed) {
        await this.sessions.unsubscribe(context.sessionId, parsed.uri);
        this.streams.unsubscribed(context.sessionId, parsed.uri);
      }
      return {};
    });
    return server;
  }

  private async callTool(
    tool: McpTool,
    args: Record<string, unknown>,
    context: McpCallContext,
  ): Promise<CallToolResult> {
    try {
      const call = tool.restCall(args, context.principal);
      const result = await this.rest.call({
        ...call,
        authorization: context.authorization,
        via: VIA,
        requestId: context.requestId,
      });
      const structured = tool.structured(result.status, result.body);
      return {
        content: [{ type: 'text', text: JSON.stringify(structured) }],
        structuredContent: structured,
      };
    } catch (error) {
      if (error instanceof RestProblem) return problemResult(error.body, error.status);
      if (error instanceof ToolArgumentsError) return problemResult(error.problem, 400);
      throw error;
    }
  }

  /**
   * What the caller is working on, not everything it may read (the templates reach the rest):
   * an agent itself and its tasks in progress; a user the tasks in progress of its projects.
   */
  private async listResources(context: McpCallContext): Promise<{ resources: Resource[] }> {
    const { principal } = context;
    const page = await this.rest.call<{ items: { id: string; title: string }[] }>({
      method: 'GET',
      path: '/tasks',
      query: {
        status: 'in_progress',
        assigned_to: principal.kind === 'agent' ? principal.agentId : undefined,
        limit: LISTED_TASKS,
      },
      authorization: context.authorization,
      via: VIA,
      requestId: context.requestId,
    });
    const resources: Resource[] = (page.body?.items ?? []).map((task) => ({
      uri: `agenthub://tasks/${task.id}`,
      name: `task ${task.id}`,
      title: task.title,
      mimeType: 'application/json',
    }));
    if (principal.kind === 'agent')
      resources.unshift({
        uri: `agenthub://agents/${principal.agentId}`,
        name: 'this agent',
        title: 'This agent',
        mimeType: 'application/json',
      });
    return { resources };
  }

  private async readResource(
    uri: string,
    context: McpCallContext,
  ): Promise<{ uri: string; body: unknown }> {
    const parsed = parseResourceUri(uri);
    if (!parsed)
      throw new McpError(ErrorCode.InvalidParams, `Unknown resource: ${uri.slice(0, 300)}`, {
        uri,
        templates: RESOURCE_TEMPLATES.map((t) => t.uriTemplate),
      });
    try {
      const result = await this.rest.call({
        method: 'GET',
        path: parsed.restPath,
        authorization: context.authorization,
        via: VIA,
        requestId: context.requestId,
      });
      return { uri: parsed.uri, body: result.body };
    } catch (error) {
      if (!(error instanceof RestProblem)) throw error;
      // -32002 is MCP's "resource not found"; the problem rides along as the error's data.
      const code =
        error.status === 404
          ? RESOURCE_NOT_FOUND
          : error.status === 400
            ? ErrorCode.InvalidParams
            : error.status < 500
              ? ErrorCode.InvalidRequest
              : ErrorCode.InternalError;
      throw new McpError(
        code,
        `${error.code}: ${error.detail}`,
        problemOf(error.body, error.status),
      );
    }
  }
}

const RESOURCE_NOT_FOUND = -32002;

/**
 * Registers `handler` for the method of `schema`, answering malformed params with JSON-RPC's
 * -32602 and what is wrong: the SDK parses with the handler's schema first and answers a
 * failure as an internal error (-32603), which reads as AgentHub's fault.
 */
function handle<S extends z.ZodObject<{ method: z.ZodLiteral<string> }>>(
  server: Server,
  schema: S,
  handler: (request: z.infer<S>) => Result | Promise<Result>,
): void {
  const envelope = z.object({ method: schema.shape.method, params: z.unknown().optional() });
  server.setRequestHandler(envelope, (request: unknown) => {
    const parsed = schema.safeParse(request);
    if (!parsed.success)
      throw new McpError(
        ErrorCode.InvalidParams,
        `Invalid params: ${z.prettifyError(parsed.error)}`,
      );
    return handler(parsed.data);
  });
}

/** The problem as a tool error: `{status, code, detail, ...}` as JSON text. */
function problemResult(body: Record<string, unknown>, status: number): CallToolResult {
  // No structuredContent: clients check it against the tool's output schema, which
  // describes the success; the problem is the text.
  return {
    isError: true,
    content: [{ type: 'text', text: JSON.stringify(problemOf(body, status)) }],
  };
}

function problemOf(body: Record<string, unknown>, status: number): Record<string, unknown> {
  const problem = isJsonObject(body) ? body : {};
  return { status, ...problem };
}
