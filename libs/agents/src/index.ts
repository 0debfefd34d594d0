export { AgentsModule } from './lib/agents.module';
export { AGENT_ENTITIES } from './lib/entities';
export { Agent } from './lib/entities/agent.entity';
export { AGENT_CAPABILITY_NAMES_SQL, countCapabilityUsesSql } from './lib/agent.repository';
export { CapabilityNames } from './lib/dto/capability-names';
