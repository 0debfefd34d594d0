import { Global, Module } from '@nestjs/common';
import { AGENT_KEY_AUTHENTICATOR, AuthModule } from '@agenthub/auth';
import { AgentsController } from './agents.controller';
import { AgentApiKeysController } from './agent-api-keys.controller';
import { AgentsService } from './agents.service';
import { AgentApiKeysService } from './agent-api-keys.service';
import { AgentRepository } from './agent.repository';
import { AgentKeyAuthenticatorService } from './agent-key-authenticator';
import { AgentApiKeyRepository } from './agent-api-key.repository';
import { AgentEvents } from './agent-events';

/**
 * The agent registry: agents, their capabilities, heartbeats and API keys; every change of an
 * agent is an `agent.*` event on the event log (the global EventsModule). Global because it
 * provides the auth guard's AGENT_KEY_AUTHENTICATOR (API keys → agent principals).
 */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [AgentsController, AgentApiKeysController],
  providers: [
    AgentsService,
    AgentApiKeysService,
    AgentRepository,
    AgentApiKeyRepository,
    AgentEvents,
    AgentKeyAuthenticatorService,
    { provide: AGENT_KEY_AUTHENTICATOR, useExisting: AgentKeyAuthenticatorService },
  ],
  exports: [AGENT_KEY_AUTHENTICATOR],
})
export class AgentsModule {}
