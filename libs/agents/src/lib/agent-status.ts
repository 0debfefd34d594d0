/** Every status an agent may have; anything else is refused (400) and barred by a CHECK. */
export const AGENT_STATUSES = ['offline', 'online', 'idle', 'active', 'busy', 'error'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const DEFAULT_AGENT_STATUS: AgentStatus = 'offline';
/** What a heartbeat without a status reports. */
export const HEARTBEAT_DEFAULT_STATUS: AgentStatus = 'online';
