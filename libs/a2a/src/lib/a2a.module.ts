import { Module } from '@nestjs/common';
import { AuthModule } from '@agenthub/auth';
import { RestDispatcher } from '@agenthub/http';
import { A2aController } from './a2a.controller';
import { AgentCards } from './agent-cards';

/**
 * The A2A gateway: every AgentHub agent as an A2A agent at /a2a/agents/:id, its methods over
 * the REST operations (called in-process as the caller), its streams fed by the event stream
 * (the events lib is global).
 */
@Module({
  imports: [AuthModule],
  controllers: [A2aController],
  providers: [RestDispatcher, AgentCards],
})
export class A2aModule {}
