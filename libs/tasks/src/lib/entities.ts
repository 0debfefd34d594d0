import type { EntityClass } from '@mikro-orm/core';
import { Task } from './entities/task.entity';

/** Every entity this lib owns, for the ORM configuration (no globs). */
export const TASK_ENTITIES: EntityClass<unknown>[] = [Task];
