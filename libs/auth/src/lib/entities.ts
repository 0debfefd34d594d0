import type { EntityClass } from '@mikro-orm/core';
import { User } from './identity/entities/user.entity';
import { Project } from './projects/entities/project.entity';
import { AuditEntry } from './audit/entities/audit-entry.entity';

/** Every entity this lib owns, for the ORM configuration (no globs). */
export const AUTH_ENTITIES: EntityClass<unknown>[] = [User, Project, AuditEntry];
