import { randomUUID } from 'node:crypto';
import { SendMessageRequest, TaskState } from '@a2a-js/sdk';
import type { StreamResponse } from '@a2a-js/sdk';
import {
  Client,
  ClientFactory,
  ClientFactoryOptions,
  createAuthenticatingFetchWithRetry,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';

export const cardUrlOf = (base: string, agentId: string) =>
  `${base}/a2a/agents/${agentId}/.well-known/agent-card.json`;

/** The SDK's client for an agent on the API at `base`, with this Authorization header. */
export function a2aClient(base: string, agentId: string, authorization: string): Promise<Client> {
  const fetchImpl = createAuthenticatingFetchWithRetry(fetch, {
    headers: async () => ({ authorization }),
    shouldRetryWithHeaders: async () => undefined,
  });
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
    }),
  );
  return factory.createFromUrl(cardUrlOf(base, agentId), '');
}

/** A user message with these parts (A2A JSON), and the send's configuration. */
export const userMessage = (
  parts: unknown[],
  more: Record<string, unknown> = {},
  configuration: Record<string, unknown> = {},
) =>
  SendMessageRequest.fromJSON({
    message: { messageId: randomUUID(), role: 'ROLE_USER', parts, ...more },
    configuration,
  });

/** What a stream said, one word per response. */
export function describeResponse(response: StreamResponse): string {
  const p = response.payload;
  if (p?.$case === 'task') return `task:${TaskState[p.value.status?.state ?? 0]}`;
  if (p?.$case === 'statusUpdate') return `status:${TaskState[p.value.status?.state ?? 0]}`;
  if (p?.$case === 'artifactUpdate') return `artifact:${p.value.artifact?.name}`;
  return String(p?.$case);
}

/** An answer of POST /a2a/agents/:id as it came: status, content type, the JSON-RPC body. */
export interface RpcAnswer {
  status: number;
  contentType: string;
  /** The JSON answer, or the first server-sent event's data for a stream. */
  json: {
    jsonrpc?: unknown;
    id?: unknown;
    result?: unknown;
    error?: { code: number; message: string };
  } & Record<string, unknown>;
}

/**
 * Posts `body` as it is (a string is sent verbatim) to an agent's JSON-RPC endpoint. A stream
 * is read up to its first event, then dropped.
 */
export async function postRpc(
  base: string,
  agentId: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RpcAnswer> {
  const abort = new AbortController();
  const res = await fetch(`${base}/a2a/agents/${agentId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'a2a-version': '1.0', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: abort.signal,
  });
  const contentType = res.headers.get('content-type') ?? '';
  let text: string;
  if (contentType.startsWith('text/event-stream')) {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    text = '';
    while (!text.includes('\n\n')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    abort.abort();
    const frame = text.slice(0, text.indexOf('\n\n'));
    text = frame
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
  } else {
    text = await res.text();
  }
  return { status: res.status, contentType, json: text ? JSON.parse(text) : {} };
}
