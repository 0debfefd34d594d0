export * from './lib/agents.module';
export * from './lib/entities';
