import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { PaginationQueryDto } from '@agenthub/http';
import { UserRequiredError } from '../identity/auth.errors';
import { User } from '../identity/entities/user.entity';
import type { Principal } from '../identity/principal';
import type { CreateProjectDto } from './dto/create-project.dto';
import type { UpdateProjectDto } from './dto/update-project.dto';
import { Project } from './entities/project.entity';
import { ProjectAccessPolicy } from './project-access.policy';

@Injectable()
export class ProjectsService {
  constructor(
    private readonly em: EntityManager,
    private readonly policy: ProjectAccessPolicy,
  ) {}

  /** Any user may create projects; they own them. Agents may not. */
  async create(principal: Principal, input: CreateProjectDto): Promise<Project> {
    if (principal.kind !== 'user') throw new UserRequiredError();
    const project = this.em.create(Project, {
      name: input.name,
      description: input.description ?? null,
      owner: this.em.getReference(User, principal.userId),
    });
    await this.em.flush();
    return project;
  }

  /** The projects the principal may read (own ones; all for superusers), newest first. */
  list(principal: Principal, query: PaginationQueryDto): Promise<[Project[], number]> {
    return this.em.findAndCount(Project, this.policy.readableProjects(principal), {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: query.limit,
      offset: query.offset,
    });
  }

  get(principal: Principal, id: string): Promise<Project> {
    return this.policy.projectFor(principal, id, 'read');
  }

  async update(principal: Principal, id: string, input: UpdateProjectDto): Promise<Project> {
    const project = await this.policy.projectFor(principal, id, 'manage');
    if (input.name !== undefined) project.name = input.name;
    if (input.description !== undefined) project.description = input.description;
    await this.em.flush();
    return project;
  }

  /** Everything in the project goes with it: the foreign keys cascade in the database. */
  async remove(principal: Principal, id: string): Promise<void> {
    const project = await this.policy.projectFor(principal, id, 'manage');
    await this.em.remove(project).flush();
  }
}
