export * from './lib/agents.module';
export * from './lib/entities';
export * from './lib/agent-status';
export { Agent } from './lib/entities/agent.entity';
export {
  AgentCapability,
  DEFAULT_CAPABILITY_CONFIDENCE,
} from './lib/entities/agent-capability.entity';
export { AgentApiKey } from './lib/entities/agent-api-key.entity';
export type { AgentKeyStatus } from './lib/entities/agent-api-key.entity';
export { AgentsService } from './lib/agents.service';
export { AgentNotFoundError, AgentNameTakenError } from './lib/agents.errors';
export { hashAgentKey, generateAgentKey } from './lib/agent-api-key';
export type { AgentResponse } from './lib/dto/agent-response.dto';
