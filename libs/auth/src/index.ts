export * from './lib/auth.module';
export * from './lib/entities';
export { User, normaliseEmail } from './lib/identity/entities/user.entity';
export type {
  Principal,
  UserPrincipal,
  AgentPrincipal,
  AuthenticatedRequest,
} from './lib/identity/principal';
export { Public, CurrentPrincipal } from './lib/identity/decorators';
export { AGENT_KEY_AUTHENTICATOR, AGENT_KEY_PREFIX } from './lib/identity/agent-key';
export type { AgentKeyAuthenticator } from './lib/identity/agent-key';
export { UserRequiredError } from './lib/identity/auth.errors';
export { Project } from './lib/projects/entities/project.entity';
export { ProjectAccessPolicy, mayAccessProject } from './lib/projects/project-access.policy';
export type { ProjectAccessLevel, ProjectScope } from './lib/projects/project-access.policy';
export { ProjectNotFoundError, ProjectAccessDeniedError } from './lib/projects/projects.errors';
export { Audit, AuditNote } from './lib/audit/audit.decorators';
export type { AuditNoteData, AuditOptions } from './lib/audit/audit.decorators';
export { AuditService } from './lib/audit/audit.service';
export { purgeAuditLog } from './lib/audit/audit-retention';
