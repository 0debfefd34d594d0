export * from './lib/agents.module';
export * from './lib/entities';
export * from './lib/agent-status';
export { Agent } from './lib/entities/agent.entity';
