import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AuthModule } from '@agenthub/auth';
import { RestDispatcher } from '@agenthub/http';
import { A2aController } from './a2a.controller';
import { AgentCards } from './agent-cards';
import { answerRefusalsAsJsonRpc } from './json-rpc-refusals';

/**
 * The A2A gateway: every AgentHub agent as an A2A agent at /a2a/agents/:id, its methods over
 * the REST operations (called in-process as the caller), its streams fed by the event stream
 * (the events lib is global). A body refused before the route (not JSON, too large) is
 * answered as the JSON-RPC error an A2A client reads, not as a REST problem.
 */
@Module({
  imports: [AuthModule],
  controllers: [A2aController],
  providers: [RestDispatcher, AgentCards],
})
export class A2aModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) answerRefusalsAsJsonRpc(fastify);
  }
}
