import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import { PreparedStatements } from '@agenthub/database';
import type { AgentPrincipal, Principal } from '../identity/principal';
import { Project } from './entities/project.entity';
import { ProjectAccessDeniedError, ProjectNotFoundError } from './projects.errors';

/** `read`: look at a project and what is in it. `manage`: change either. */
export type ProjectAccessLevel = 'read' | 'manage';

/** The projects a list may show: every project, or these ones (possibly none). */
export type ProjectScope = { kind: 'all' } | { kind: 'projects'; projectIds: readonly string[] };

/**
 * THE rule of who may touch a project, as a pure function. For users it is the broker's
 * access matrix; agents, which had no rights there, are AgentHub's addition:
 * - a user who owns the project, or any superuser: read and manage;
 * - any other user: nothing;
 * - an agent: read inside its own project only. Whatever more an agent may do (heartbeat,
 *   claim a task, update a task assigned to it) is decided by the lib that owns that
 *   thing, on top of this rule.
 */
export function mayAccessProject(
  principal: Principal,
  project: { id: string; ownerId: string },
  level: ProjectAccessLevel,
): boolean {
  if (principal.kind === 'agent') return agentMayAccess(principal, project.id, level);
  return principal.isSuperuser || principal.userId === project.ownerId;
}

/** The agents' part of {@link mayAccessProject}: it needs the project's id alone, not its owner. */
function agentMayAccess(
  agent: AgentPrincipal,
  projectId: string,
  level: ProjectAccessLevel,
): boolean {
  return level === 'read' && agent.projectId === projectId;
}

/**
 * The project access policy every domain lib calls with a project id; none re-implements
 * it. Answers 404 for a project that does not exist and 403 for one the principal may not
 * touch at that level.
 */
@Injectable()
export class ProjectAccessPolicy {
  constructor(
    private readonly em: EntityManager,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * Nothing, when `principal` may access the project at `level`; else a 404 or 403 domain
   * error. What nearly every route asks before it touches a project's things, so it reads
   * the owner alone, by a prepared statement (in the caller's transaction, when it has one),
   * not the project as an entity: {@link projectFor} when the caller needs the entity.
   */
  async assertCanAccess(
    principal: Principal,
    projectId: string,
    level: ProjectAccessLevel,
  ): Promise<void> {
    // An agent the rule lets in (its own project): nothing to read. The project is there as
    // long as the agent is (agents.project_id REFERENCES projects ON DELETE CASCADE), and the
    // agent was authenticated for this request; what it then writes in a project deleted
    // since fails on the same foreign keys as after any check.
    if (principal.kind === 'agent' && agentMayAccess(principal, projectId, level)) return;
    const [project] = await this.statements.all<{ owner_id: string }>(
      this.em,
      `SELECT owner_id FROM projects WHERE id = ?`,
      [projectId],
    );
    this.assertFound(
      principal,
      projectId,
      project && { id: projectId, ownerId: project.owner_id },
      level,
    );
  }

  /** The project as an entity, when `principal` may access it at `level`; else a 404 or 403. */
  async projectFor(
    principal: Principal,
    projectId: string,
    level: ProjectAccessLevel,
  ): Promise<Project> {
    const project = await this.em.findOne(Project, { id: projectId });
    this.assertFound(
      principal,
      projectId,
      project && { id: project.id, ownerId: project.owner.id },
      level,
    );
    return project;
  }

  /** 404 for a project that is not there, before the 403 of {@link assertMayAccess}. */
  private assertFound(
    principal: Principal,
    projectId: string,
    project: { id: string; ownerId: string } | null | undefined,
    level: ProjectAccessLevel,
  ): asserts project {
    if (!project) throw new ProjectNotFoundError(projectId);
    this.assertMayAccess(principal, project, level);
  }

  /**
   * The same rule for a project already in hand (its owner read together with the row being
   * touched, so it exists): no query; a 403 domain error when `principal` may not access it.
   */
  assertMayAccess(
    principal: Principal,
    project: { id: string; ownerId: string },
    level: ProjectAccessLevel,
  ): void {
    if (!mayAccessProject(principal, project, level)) throw new ProjectAccessDeniedError(level);
  }

  /**
   * Which projects a principal may read, as a condition on `Project`, so a list filters in
   * SQL: `em.find(Project, policy.readableProjects(p))`. `{}` means "all" (superusers).
   */
  readableProjects(principal: Principal): FilterQuery<Project> {
    if (principal.kind === 'agent') return { id: principal.projectId };
    if (principal.isSuperuser) return {};
    return { owner: principal.userId };
  }

  /**
   * The same set as ids, for SQL on tables with a `project_id`: `'all'` for superusers,
   * else the ids (possibly none).
   */
  async readableProjectIds(principal: Principal): Promise<'all' | string[]> {
    if (principal.kind === 'user' && principal.isSuperuser) return 'all';
    const rows = await this.em.find(Project, this.readableProjects(principal), {
      fields: ['id'],
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((p) => p.id);
  }

  /**
   * What a list of project things (agents, tasks, rooms, …) may show: with `?project_id=`,
   * that project once the principal may read it (else 404/403); without, every project
   * the principal may read.
   */
  async listScope(principal: Principal, projectId?: string): Promise<ProjectScope> {
    if (projectId) {
      await this.assertCanAccess(principal, projectId, 'read');
      return { kind: 'projects', projectIds: [projectId] };
    }
    const readable = await this.readableProjectIds(principal);
    return readable === 'all' ? { kind: 'all' } : { kind: 'projects', projectIds: readable };
  }
}
