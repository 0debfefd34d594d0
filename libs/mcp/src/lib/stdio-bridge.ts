import { parseArgs } from 'node:util';
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { isJSONRPCRequest, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface BridgeOptions {
  /** The MCP endpoint (`…/mcp`). */
  endpoint: URL;
  /** An agent API key or a user's JWT. */
  key: string;
}

export const BRIDGE_USAGE = `usage: agenthub-mcp --url <AgentHub URL> --key <agent API key or user JWT>

Relays MCP over stdio (for clients that launch local servers) to AgentHub's /mcp endpoint.
--url   the API's address (http://localhost:3000) or its MCP endpoint (…/mcp); env AGENTHUB_URL
--key   the bearer token: an agent API key (ahk_…) or a user's JWT; env AGENTHUB_API_KEY`;

export class BridgeUsageError extends Error {}

/** The bridge's options from its command line, with AGENTHUB_URL / AGENTHUB_API_KEY as fallbacks. */
export function parseBridgeArgs(argv: string[], env: NodeJS.ProcessEnv = {}): BridgeOptions {
  let values: { url?: string; key?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BridgeUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) throw new BridgeUsageError('');
  const url = values.url ?? env['AGENTHUB_URL'];
  const key = values.key ?? env['AGENTHUB_API_KEY'];
  if (!url) throw new BridgeUsageError('--url is required');
  if (!key) throw new BridgeUsageError('--key is required');
  let endpoint: URL;
  try {
    endpoint = new URL(url);
  } catch {
    throw new BridgeUsageError(`--url ${url} is not a URL`);
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:')
    throw new BridgeUsageError(`--url must be http or https, not ${endpoint.protocol}`);
  // The API's address names its MCP endpoint.
  if (!endpoint.pathname.replace(/\/+$/, '').endsWith('/mcp'))
    endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}/mcp`;
  return { endpoint, key };
}

/**
 * Relays MCP between stdio and AgentHub's Streamable HTTP endpoint, message for message:
 * what the local client writes goes to `/mcp` with the bearer key (the session id, and the
 * server's stream of notifications, handled by the SDK's HTTP client transport), and what
 * comes back is written to stdout. A request the endpoint refuses (401 for a revoked key,
 * say) is answered on stdio with a JSON-RPC error, so the client never waits in vain.
 * Resolves once stdin ends, after ending the session.
 */
export async function runStdioBridge(
  options: BridgeOptions,
  io: { stdin: Readable; stdout: Writable; stderr: Writable },
): Promise<void> {
  const log = (message: string) => io.stderr.write(`agenthub-mcp: ${message}\n`);
  const http = new StreamableHTTPClientTransport(options.endpoint, {
    requestInit: { headers: { authorization: `Bearer ${options.key}` } },
  });
  const stdio = new StdioServerTransport(io.stdin, io.stdout);

  stdio.onmessage = (message: JSONRPCMessage) => {
    http.send(message).catch((error: unknown) => {
      const text = error instanceof Error ? error.message : String(error);
      log(text);
      if (isJSONRPCRequest(message))
        void stdio.send({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32000, message: `AgentHub refused the request: ${text}` },
        });
    });
  };
  stdio.onerror = (error) => log(`stdin: ${error.message}`);
  http.onmessage = (message) => void stdio.send(message);
  http.onerror = (error) => log(error.message);

  const ended = new Promise<void>((resolve) => {
    io.stdin.once('end', resolve);
    io.stdin.once('close', resolve);
  });
  await http.start();
  await stdio.start();
  await ended;
  await stdio.close();
  await http.terminateSession().catch((error: unknown) => {
    log(`ending the session: ${error instanceof Error ? error.message : String(error)}`);
  });
  await http.close();
}
