import { Module } from '@nestjs/common';

/** The A2A gateway: every AgentHub agent as an A2A agent at /a2a/agents/:id. */
@Module({})
export class A2aModule {}
