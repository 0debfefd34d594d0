import type { EntityClass } from '@mikro-orm/core';
import { Agent } from './entities/agent.entity';
import { AgentApiKey } from './entities/agent-api-key.entity';
import { AgentCapability } from './entities/agent-capability.entity';

/** Every entity this lib owns, for the ORM configuration (no globs). */
export const AGENT_ENTITIES: EntityClass<unknown>[] = [Agent, AgentCapability, AgentApiKey];
