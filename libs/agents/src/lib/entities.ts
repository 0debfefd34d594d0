import type { EntityClass } from '@mikro-orm/core';
import { Agent } from './entities/agent.entity';

/** Every entity this lib owns, for the ORM configuration (no globs). */
export const AGENT_ENTITIES: EntityClass<unknown>[] = [Agent];
