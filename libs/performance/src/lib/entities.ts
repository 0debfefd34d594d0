import type { EntityClass } from '@mikro-orm/core';
import { AgentPerformance } from './entities/agent-performance.entity';

/** Every entity this lib owns, for the ORM configuration (no globs). */
export const PERFORMANCE_ENTITIES: EntityClass<unknown>[] = [AgentPerformance];
