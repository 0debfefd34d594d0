import { A2A_ERROR_CODE } from '@a2a-js/sdk/errors';
import { isJsonObject } from '@agenthub/http';

/** A JSON-RPC request id as the protocol allows it: a string, an integer, or null. */
export type JsonRpcId = string | number | null;

/** A JSON-RPC error answer, ready to send. */
export interface JsonRpcErrorResponse {
  jsonrpc: '2.0';
  id: JsonRpcId;
  error: { code: number; message: string; data?: unknown };
}

type Json = Record<string, unknown>;

/** The request's id when it is a valid one, else null (what an error answer must carry). */
export function requestIdOf(body: unknown): JsonRpcId {
  const id = isJsonObject(body) ? body['id'] : undefined;
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return id;
  return null;
}

/**
 * Why `body` is not a JSON-RPC 2.0 request (Invalid Request, -32600), or `undefined` when it
 * is one. Checked before the SDK sees it: the SDK answers these with invalid params and
 * echoes any id back, an object or a fraction included.
 */
export function invalidRequest(body: unknown): JsonRpcErrorResponse | undefined {
  const refuse = (message: string): JsonRpcErrorResponse => ({
    jsonrpc: '2.0',
    id: requestIdOf(body),
    error: { code: A2A_ERROR_CODE.INVALID_REQUEST, message: `Invalid Request: ${message}` },
  });
  if (Array.isArray(body)) return refuse('batch requests are not supported; send one at a time.');
  if (!isJsonObject(body)) return refuse('the body must be a JSON-RPC request object.');
  if (body['jsonrpc'] !== '2.0') return refuse('"jsonrpc" must be "2.0".');
  if ('id' in body && body['id'] !== null && requestIdOf(body) === null)
    return refuse('"id" must be a string, an integer or null.');
  if (typeof body['method'] !== 'string' || body['method'] === '')
    return refuse('"method" must be a non-empty string.');
  const params = body['params'];
  if (params !== undefined && (typeof params !== 'object' || params === null))
    return refuse('"params" must be an object or an array.');
  // Answered here: the SDK checks params before the method, and would call an unknown
  // method's missing params invalid.
  if (!METHODS.has(body['method']))
    return {
      jsonrpc: '2.0',
      id: requestIdOf(body),
      error: {
        code: A2A_ERROR_CODE.METHOD_NOT_FOUND,
        message: `Method not found: ${body['method'].slice(0, 100)}`,
      },
    };
  return undefined;
}

/** A field under its JSON name, or the proto name the SDK also reads (`message_id`). */
const field = (o: Json, name: string, protoName?: string): unknown =>
  o[name] ?? (protoName === undefined ? undefined : o[protoName]);

type Check = (value: unknown, at: string) => string | undefined;

const optional =
  (check: Check): Check =>
  (value, at) =>
    value === undefined || value === null ? undefined : check(value, at);

const aString: Check = (v, at) => (typeof v === 'string' ? undefined : `${at} must be a string.`);
const anId: Check = (v, at) =>
  typeof v === 'string' && v.trim() !== '' ? undefined : `${at} must be a non-empty string.`;
const aBoolean: Check = (v, at) =>
  typeof v === 'boolean' ? undefined : `${at} must be a boolean.`;
const anObject: Check = (v, at) => (isJsonObject(v) ? undefined : `${at} must be an object.`);
const aCount: Check = (v, at) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
    ? undefined
    : `${at} must be an integer, 0 or more.`;
const strings: Check = (v, at) =>
  Array.isArray(v) && v.every((e) => typeof e === 'string')
    ? undefined
    : `${at} must be an array of strings.`;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const base64: Check = (v, at) =>
  typeof v === 'string' && v.length % 4 === 0 && BASE64.test(v)
    ? undefined
    : `${at} must be base64 text.`;
const TASK_STATES = [
  'TASK_STATE_UNSPECIFIED',
  'TASK_STATE_SUBMITTED',
  'TASK_STATE_WORKING',
  'TASK_STATE_COMPLETED',
  'TASK_STATE_FAILED',
  'TASK_STATE_CANCELED',
  'TASK_STATE_INPUT_REQUIRED',
  'TASK_STATE_REJECTED',
  'TASK_STATE_AUTH_REQUIRED',
];
const aTaskState: Check = (v, at) =>
  (typeof v === 'string' && TASK_STATES.includes(v)) ||
  (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < TASK_STATES.length)
    ? undefined
    : `${at} must be one of ${TASK_STATES.join(', ')}.`;
const aTimestamp: Check = (v, at) =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v))
    ? undefined
    : `${at} must be an RFC 3339 timestamp.`;

/** Each check in turn; the first problem found. */
function first(...problems: (() => string | undefined)[]): string | undefined {
  for (const problem of problems) {
    const found = problem();
    if (found) return found;
  }
  return undefined;
}

/** The four kinds of content a part may have; exactly one of them. */
const CONTENT: [string, Check][] = [
  ['text', aString],
  ['raw', base64],
  ['url', aString],
  ['data', () => undefined],
];

function partProblem(part: unknown, at: string): string | undefined {
  if (!isJsonObject(part)) return `${at} must be an object.`;
  const present = CONTENT.filter(([name]) => part[name] !== undefined && part[name] !== null);
  if (present.length !== 1)
    return `${at} must have exactly one of ${CONTENT.map(([n]) => `"${n}"`).join(', ')}.`;
  const [name, check] = present[0];
  return first(
    () => check(part[name], `${at}.${name}`),
    () => optional(anObject)(part['metadata'], `${at}.metadata`),
    () => optional(aString)(part['filename'], `${at}.filename`),
    () => optional(aString)(field(part, 'mediaType', 'media_type'), `${at}.mediaType`),
  );
}

function messageProblem(message: unknown, at: string): string | undefined {
  if (message === undefined || message === null) return `${at} is required.`;
  if (!isJsonObject(message)) return `${at} must be an object.`;
  const role = message['role'];
  const parts = message['parts'];
  return first(
    () => anId(field(message, 'messageId', 'message_id'), `${at}.messageId`),
    () =>
      role === 'ROLE_USER' || role === 1
        ? undefined
        : `${at}.role must be "ROLE_USER" (a message to an agent is the user's).`,
    () =>
      Array.isArray(parts) && parts.length > 0
        ? undefined
        : `${at}.parts must be an array of at least one part.`,
    () => (parts as unknown[]).map((p, i) => partProblem(p, `${at}.parts[${i}]`)).find(Boolean),
    () => optional(aString)(field(message, 'taskId', 'task_id'), `${at}.taskId`),
    () => optional(aString)(field(message, 'contextId', 'context_id'), `${at}.contextId`),
    () => optional(anObject)(message['metadata'], `${at}.metadata`),
    () => optional(strings)(message['extensions'], `${at}.extensions`),
    () =>
      optional(strings)(
        field(message, 'referenceTaskIds', 'reference_task_ids'),
        `${at}.referenceTaskIds`,
      ),
  );
}

function configurationProblem(configuration: unknown, at: string): string | undefined {
  if (configuration === undefined || configuration === null) return undefined;
  if (!isJsonObject(configuration)) return `${at} must be an object.`;
  const c = configuration;
  return first(
    () => optional(aCount)(field(c, 'historyLength', 'history_length'), `${at}.historyLength`),
    () =>
      optional(aBoolean)(
        field(c, 'returnImmediately', 'return_immediately'),
        `${at}.returnImmediately`,
      ),
    () =>
      optional(strings)(
        field(c, 'acceptedOutputModes', 'accepted_output_modes'),
        `${at}.acceptedOutputModes`,
      ),
  );
}

const taskIdParams = (p: Json) =>
  first(
    () => anId(p['id'], 'params.id'),
    () => optional(anObject)(p['metadata'], 'params.metadata'),
  );

/** What each method's params must look like (the methods the SDK has no check of its own for). */
const PARAMS: Record<string, (params: Json) => string | undefined> = {
  SendMessage: sendParams,
  SendStreamingMessage: sendParams,
  GetTask: (p) =>
    first(
      () => anId(p['id'], 'params.id'),
      () => optional(aCount)(field(p, 'historyLength', 'history_length'), 'params.historyLength'),
    ),
  CancelTask: taskIdParams,
  SubscribeToTask: taskIdParams,
  ListTasks: (p) =>
    first(
      () => optional(aString)(field(p, 'contextId', 'context_id'), 'params.contextId'),
      () => optional(aTaskState)(p['status'], 'params.status'),
      () => optional(aCount)(field(p, 'pageSize', 'page_size'), 'params.pageSize'),
      () => optional(aString)(field(p, 'pageToken', 'page_token'), 'params.pageToken'),
      () => optional(aCount)(field(p, 'historyLength', 'history_length'), 'params.historyLength'),
      () =>
        optional(aTimestamp)(
          field(p, 'statusTimestampAfter', 'status_timestamp_after'),
          'params.statusTimestampAfter',
        ),
      () =>
        optional(aBoolean)(
          field(p, 'includeArtifacts', 'include_artifacts'),
          'params.includeArtifacts',
        ),
    ),
};

/**
 * Every method of the JSON-RPC binding: those {@link PARAMS} checks, and those answered with
 * the protocol's "not supported" errors.
 */
const METHODS = new Set([
  ...Object.keys(PARAMS),
  'CreateTaskPushNotificationConfig',
  'GetTaskPushNotificationConfig',
  'ListTaskPushNotificationConfigs',
  'DeleteTaskPushNotificationConfig',
  'GetExtendedAgentCard',
]);

function sendParams(p: Json): string | undefined {
  return first(
    () => messageProblem(p['message'], 'params.message'),
    () => configurationProblem(p['configuration'], 'params.configuration'),
    () => optional(anObject)(p['metadata'], 'params.metadata'),
  );
}

/**
 * What is wrong with a request's params (invalid params, -32602), or `undefined`. The SDK
 * reads params leniently (a number where a string belongs becomes its text, a part of no
 * known kind is dropped, bad base64 throws): these checks refuse such input by name first.
 * Methods not listed here are left to the SDK (unknown ones: method not found).
 */
export function invalidParams(method: string, params: unknown): string | undefined {
  const check = Object.prototype.hasOwnProperty.call(PARAMS, method) ? PARAMS[method] : undefined;
  if (!check) return undefined;
  if (params === undefined) return 'params are required.';
  if (!isJsonObject(params)) return 'params must be an object (parameters by name).';
  return first(
    () => optional(aString)(params['tenant'], 'params.tenant'),
    () => check(params),
  );
}
