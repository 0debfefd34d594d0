export { AgentsModule } from './lib/agents.module';
export { AGENT_ENTITIES } from './lib/entities';
export { Agent } from './lib/entities/agent.entity';
export {
  AGENT_AVAILABLE_SQL,
  AGENT_CAPABILITY_NAMES_SQL,
  AGENT_EFFECTIVE_STATUS_SQL,
  AGENT_MEAN_CONFIDENCE_SQL,
  learnFromOutcomeSql,
} from './lib/agent.repository';
export { CapabilityNames } from './lib/dto/capability-names';
