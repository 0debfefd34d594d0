import type { EntityClass } from '@mikro-orm/core';

/** Every entity this lib owns, for the ORM configuration (no globs). */
export const AUTH_ENTITIES: EntityClass<unknown>[] = [];
