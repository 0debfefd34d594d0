import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '@agenthub/auth';
import { RequestValidationError, toProblem } from '@agenthub/errors';
import { isJsonObject, type OpenApiDocument, type RestCall } from '@agenthub/http';
import { JsonSchema, SchemaConverter } from './json-schema';

/** One MCP tool: a REST operation, by its operationId in the API's document. */
export interface ToolSpec {
  name: string;
  operationId: string;
  /** What a model should know beyond the operation's own summary and description. */
  note?: string;
  /** The `id` the tool acts on defaults to the calling agent (users must name one). */
  idDefaultsToSelf?: boolean;
  /**
   * The answer goes under this one field, `null` when REST answers 204: MCP wants an object
   * at the root of structured content, and "nothing" must still be one.
   */
  wrap?: string;
}

/**
 * The work loop as tools, each one REST operation: the arguments are the operation's path
 * parameters (`id`), query parameters and body fields, named as REST names them.
 */
export const TOOL_SPECS: readonly ToolSpec[] = [
  { name: 'whoami', operationId: 'getMe' },
  {
    name: 'heartbeat',
    operationId: 'heartbeatAgent',
    idDefaultsToSelf: true,
    note: 'Without `id`, the calling agent.',
  },
  { name: 'list_agents', operationId: 'listAgents' },
  {
    name: 'claim_task',
    operationId: 'claimTask',
    wrap: 'task',
    note: 'Answers `{task: null}` when nothing is claimable.',
  },
  { name: 'get_task', operationId: 'getTask' },
  {
    name: 'update_task',
    operationId: 'updateTask',
    note: 'An agent completes its task with `{id, status: "completed", result}` (or `failed`).',
  },
  { name: 'extend_lease', operationId: 'extendTaskLease' },
  { name: 'create_task', operationId: 'createTask' },
  { name: 'search_tasks', operationId: 'listTasks' },
  { name: 'send_message', operationId: 'sendMessage' },
  {
    name: 'receive_messages',
    operationId: 'receiveMessages',
    idDefaultsToSelf: true,
    note: 'Without `id`, the calling agent. Acknowledge each message handled with `ack_message`.',
  },
  { name: 'ack_message', operationId: 'acknowledgeMessage' },
  { name: 'nack_message', operationId: 'rejectMessage' },
  { name: 'post_room_message', operationId: 'postRoomMessage' },
  { name: 'list_workflows', operationId: 'listWorkflows' },
  { name: 'start_workflow', operationId: 'startWorkflowExecution' },
  { name: 'get_execution', operationId: 'getExecution' },
];

type Method = RestCall['method'];
type QueryValue = NonNullable<RestCall['query']>[string];

/** A tool ready to list and to call. */
export interface McpTool {
  definition: Tool;
  /** The REST call for `args` (without credentials), or a problem for arguments it refuses. */
  restCall(
    args: Record<string, unknown>,
    principal: Principal,
  ): Pick<RestCall, 'method' | 'path' | 'query' | 'body'>;
  /** The structured content for the REST answer. */
  structured(status: number, body: unknown): Record<string, unknown>;
}

/** Arguments refused before any REST call; `problem` is shaped like REST's own. */
export class ToolArgumentsError extends Error {
  constructor(readonly problem: Record<string, unknown>) {
    super(String(problem['detail']));
  }
}

interface Operation {
  method: Method;
  path: string;
  spec: Record<string, unknown>;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: unknown;
}

const PREFIX = '/api/v1';

/** Every tool of {@link TOOL_SPECS}, schemas read from the API's own document. */
export function buildTools(document: OpenApiDocument, specs = TOOL_SPECS): Map<string, McpTool> {
  const operations = operationsById(document);
  const components = document.components?.schemas ?? {};
  const tools = new Map<string, McpTool>();
  for (const spec of specs) {
    const operation = operations.get(spec.operationId);
    if (!operation) throw new Error(`tool ${spec.name}: no operation ${spec.operationId}`);
    tools.set(spec.name, buildTool(spec, operation, components));
  }
  return tools;
}

function operationsById(document: OpenApiDocument): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith(`${PREFIX}/`)) continue;
    for (const [method, spec] of Object.entries(item)) {
      if (!isJsonObject(spec) || typeof spec['operationId'] !== 'string') continue;
      out.set(spec['operationId'], {
        method: method.toUpperCase() as Method,
        path: path.slice(PREFIX.length),
        spec,
      });
    }
  }
  return out;
}

function buildTool(
  spec: ToolSpec,
  operation: Operation,
  components: Record<string, unknown>,
): McpTool {
  const input = new SchemaConverter(components);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const pathParams: string[] = [];
  const queryParams = new Set<string>();
  const add = (name: string, schema: JsonSchema, isRequired: boolean) => {
    if (name in properties)
      throw new Error(`tool ${spec.name}: ${name} is both a parameter and a body field`);
    properties[name] = schema;
    if (isRequired) required.push(name);
  };

  const parameters = (operation.spec['parameters'] ?? []) as Parameter[];
  for (const parameter of parameters) {
    const schema = input.convert(parameter.schema ?? {});
    if (parameter.description) schema['description'] = parameter.description;
    if (parameter.in === 'path') {
      pathParams.push(parameter.name);
      if (spec.idDefaultsToSelf && parameter.name === 'id')
        schema['description'] =
          `${parameter.description ?? 'The agent.'} Default: the calling agent.`;
      add(parameter.name, schema, !(spec.idDefaultsToSelf && parameter.name === 'id'));
    } else if (parameter.in === 'query') {
      queryParams.add(parameter.name);
      add(parameter.name, schema, parameter.required === true);
    }
  }

  const requestBody = operation.spec['requestBody'];
  let bodyFields: Set<string> | undefined;
  if (isJsonObject(requestBody)) {
    const bodySchema = jsonContentSchema(requestBody);
    const resolved = bodySchema ? resolveRoot(bodySchema, input) : undefined;
    if (!resolved || resolved['type'] !== 'object' || !isJsonObject(resolved['properties']))
      throw new Error(`tool ${spec.name}: the request body is not an object schema`);
    const bodyRequired = new Set(
      requestBody['required'] === true ? ((resolved['required'] as string[]) ?? []) : [],
    );
    bodyFields = new Set(Object.keys(resolved['properties']));
    for (const [name, schema] of Object.entries(resolved['properties']))
      add(name, schema as JsonSchema, bodyRequired.has(name));
  }

  const inputSchema: JsonSchema = {
    type: 'object',
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
  const inputDefs = input.definitions();
  if (Object.keys(inputDefs).length) inputSchema['$defs'] = inputDefs;

  const { schema: outputSchema, emptyStatuses } = outputSchemaOf(spec, operation, components);
  const summary = String(operation.spec['summary'] ?? spec.name);
  const description = [summary.endsWith('.') ? summary : `${summary}.`]
    .concat(
      typeof operation.spec['description'] === 'string' ? [operation.spec['description']] : [],
    )
    .concat(spec.note ? [spec.note] : [])
    .join(' ');

  const definition: Tool = {
    name: spec.name,
    title: summary,
    description,
    inputSchema: inputSchema as Tool['inputSchema'],
    outputSchema: outputSchema as Tool['outputSchema'],
    annotations: {
      title: summary,
      readOnlyHint: operation.method === 'GET',
      destructiveHint: false,
      idempotentHint: operation.method === 'GET' || operation.method === 'PUT',
      openWorldHint: false,
    },
  };

  return {
    definition,
    restCall(args, principal) {
      const errors: Record<string, string[]> = {};
      let path = operation.path;
      for (const name of pathParams) {
        let value = args[name];
        if (
          value === undefined &&
          spec.idDefaultsToSelf &&
          name === 'id' &&
          principal.kind === 'agent'
        )
          value = principal.agentId;
        if (typeof value !== 'string' || value === '') {
          errors[name] = [
            value === undefined
              ? spec.idDefaultsToSelf
                ? `${name} is required unless the caller is an agent`
                : `${name} is required`
              : `${name} must be a string`,
          ];
          continue;
        }
        path = path.replace(`{${name}}`, encodeURIComponent(value));
      }
      const query: Record<string, QueryValue> = {};
      const body: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(args)) {
        if (pathParams.includes(name) || value === undefined) continue;
        if (queryParams.has(name)) {
          if (isQueryValue(value)) query[name] = value;
          else errors[name] = [`${name} must be a string, a number or a boolean`];
        } else if (bodyFields)
          body[name] = value; // REST refuses unknown fields itself
        else errors[name] = [`unknown argument "${name}" is not allowed`];
      }
      if (Object.keys(errors).length)
        throw new ToolArgumentsError(
          toProblem(new RequestValidationError(errors)) as unknown as Record<string, unknown>,
        );
      return {
        method: operation.method,
        path,
        query: queryParams.size ? query : undefined,
        body: bodyFields ? body : undefined,
      };
    },
    structured(status, responseBody) {
      if (spec.wrap)
        return { [spec.wrap]: emptyStatuses.has(status) ? null : (responseBody ?? null) };
      return isJsonObject(responseBody) ? responseBody : {};
    },
  };
}

/** The JSON schema of a request body or response, if it has one. */
function jsonContentSchema(holder: Record<string, unknown>): unknown {
  const content = holder['content'];
  if (!isJsonObject(content)) return undefined;
  const json = content['application/json'];
  return isJsonObject(json) ? json['schema'] : undefined;
}

/** A schema with a root reference replaced by the schema it names (inline, not in $defs). */
function resolveRoot(schema: unknown, converter: SchemaConverter): JsonSchema {
  if (isJsonObject(schema) && typeof schema['$ref'] === 'string')
    return converter.component(schema['$ref'].split('/').pop() as string);
  return converter.convert(schema);
}

/** The 2xx answer's schema, rooted at an object, and which 2xx statuses have no body. */
function outputSchemaOf(
  spec: ToolSpec,
  operation: Operation,
  components: Record<string, unknown>,
): { schema: JsonSchema; emptyStatuses: Set<number> } {
  const output = new SchemaConverter(components);
  const responses = (operation.spec['responses'] ?? {}) as Record<string, Record<string, unknown>>;
  const emptyStatuses = new Set<number>();
  let body: unknown;
  for (const [status, response] of Object.entries(responses)) {
    if (!/^2\d\d$/.test(status)) continue;
    const schema = jsonContentSchema(response);
    if (schema === undefined) emptyStatuses.add(Number(status));
    else if (body === undefined) body = schema;
  }
  let schema: JsonSchema;
  if (spec.wrap) {
    const inner: JsonSchema = body === undefined ? { type: 'null' } : output.convert(body);
    schema = {
      type: 'object',
      properties: {
        [spec.wrap]:
          emptyStatuses.size && body !== undefined ? { anyOf: [inner, { type: 'null' }] } : inner,
      },
      required: [spec.wrap],
      additionalProperties: false,
    };
  } else {
    if (body === undefined || emptyStatuses.size)
      throw new Error(`tool ${spec.name}: a 2xx answer without a body needs a wrap`);
    schema = resolveRoot(body, output);
    // A union of objects (who the caller is: a user or an agent) is still an object.
    if (schema['type'] === undefined) schema = { type: 'object', ...schema };
    if (schema['type'] !== 'object')
      throw new Error(`tool ${spec.name}: the answer is not an object; it needs a wrap`);
  }
  const defs = output.definitions();
  if (Object.keys(defs).length) schema['$defs'] = defs;
  return { schema, emptyStatuses };
}

function isQueryValue(value: unknown): value is QueryValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
