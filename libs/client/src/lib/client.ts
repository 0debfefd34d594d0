import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema';

export interface AgentHubClientOptions {
  /** The API's origin, e.g. `http://localhost:3000`: the document's paths carry `/api/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`: a user JWT (from `login`) or an agent API key. */
  token?: string;
  /** Another fetch (a test's, a proxy's); the global one otherwise. */
  fetch?: typeof globalThis.fetch;
}

/** A typed AgentHub client: `client.GET('/api/v1/agents/{id}', { params: { path: { id } } })`. */
export type AgentHubClient = Client<paths>;

/**
 * A client for one caller: each token (a user's, an agent's) gets its own. Methods, paths,
 * parameters, bodies and answers are typed from apps/api/openapi.json.
 */
export function createAgentHubClient(options: AgentHubClientOptions): AgentHubClient {
  return createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    headers: options.token ? { authorization: `Bearer ${options.token}` } : undefined,
  });
}
