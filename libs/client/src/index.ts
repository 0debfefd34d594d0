export { createAgentHubClient } from './lib/client';
export type { AgentHubClient, AgentHubClientOptions } from './lib/client';
export type { components, operations, paths } from './lib/schema';
