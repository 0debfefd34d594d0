import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResult,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

/** An SDK client connected to an API's /mcp, and what its server told it. */
export interface McpConnection {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** The URIs of `notifications/resources/updated` received, in order. */
  updated: string[];
  /** Resolves once the server's stream (GET /mcp) is open. */
  streamOpen: Promise<void>;
  /** The status of every GET /mcp the client made (it reconnects when the stream ends). */
  streamStatuses: number[];
  /** Calls a tool and returns its structured content; throws with the text of a tool error. */
  call<T = Record<string, unknown>>(name: string, args?: Record<string, unknown>): Promise<T>;
  /** Calls a tool that must fail and returns the problem its text carries. */
  problem(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Waits until a resource-updated notification for `uri` has arrived. */
  waitForUpdate(uri: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Join this session instead of initializing one (another process, same session). */
  sessionId?: string;
}

/** Connects the SDK's own client (Streamable HTTP) to `${base}/mcp` as `authorization`. */
export async function connectMcp(
  base: string,
  authorization: string,
  options: ConnectOptions = {},
): Promise<McpConnection> {
  let streamOpened!: () => void;
  const streamOpen = new Promise<void>((resolve) => (streamOpened = resolve));
  const streamStatuses: number[] = [];
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', base), {
    requestInit: { headers: { authorization } },
    sessionId: options.sessionId,
    // Tells the test when the server's stream is open, so it never races the first event.
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      if ((init?.method ?? 'GET') === 'GET') {
        streamStatuses.push(response.status);
        if (response.ok) streamOpened();
      }
      return response;
    },
  });
  const client = new Client({ name: 'agenthub-e2e', version: '1.0.0' });
  const updated: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
    updated.push(notification.params.uri);
  });
  await client.connect(transport);
  // A client joining an existing session skips initialize; the initialized notification
  // is what makes the SDK's transport open the server's stream.
  if (options.sessionId) await client.notification({ method: 'notifications/initialized' });
  // As clients do: the listed output schemas are what the client checks every result against.
  await client.listTools();

  const callRaw = (name: string, args: Record<string, unknown> = {}) =>
    client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
  return {
    client,
    transport,
    updated,
    streamOpen,
    streamStatuses,
    async call<T>(name: string, args?: Record<string, unknown>): Promise<T> {
      const result = await callRaw(name, args);
      if (result.isError)
        throw new Error(`${name} failed: ${(result.content[0] as { text: string }).text}`);
      expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(
        result.structuredContent,
      );
      return result.structuredContent as T;
    },
    async problem(name, args) {
      const result = await callRaw(name, args);
      expect(result.isError).toBe(true);
      return JSON.parse((result.content[0] as { text: string }).text) as Record<string, unknown>;
    },
    async waitForUpdate(uri, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!updated.includes(uri)) {
        if (Date.now() > deadline)
          throw new Error(`no resources/updated for ${uri}; got: ${updated.join(', ') || 'none'}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () => client.close(),
  };
}
