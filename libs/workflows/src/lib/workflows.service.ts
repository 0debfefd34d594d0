import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Principal, principalIds, ProjectAccessLevel, ProjectAccessPolicy } from '@agenthub/auth';
import { Page, page, PaginationQueryDto } from '@agenthub/http';
import { Workflow } from './entities/workflow.entity';
import { WorkflowVersion } from './entities/workflow-version.entity';
import { WorkflowRepository } from './workflow.repository';
import {
  parseWorkflowDefinition,
  sameDefinition,
  type WorkflowDefinition,
} from './workflow-definition';
import {
  WorkflowAgentForbiddenError,
  WorkflowNameTakenError,
  WorkflowNotFoundError,
  WorkflowVersionNotFoundError,
} from './workflows.errors';
import type {
  CreateWorkflowDto,
  ListWorkflowsQueryDto,
  UpdateWorkflowDto,
} from './dto/workflow-request.dto';
import {
  toWorkflowResponse,
  toWorkflowVersionResponse,
  WorkflowResponseDto,
  WorkflowVersionResponseDto,
} from './dto/workflow-response.dto';

const NAME_CONSTRAINT = 'uq_workflows_project_name';

function isNameClash(error: unknown): boolean {
  return (
    error instanceof UniqueConstraintViolationException &&
    (error as { constraint?: string }).constraint === NAME_CONSTRAINT
  );
}

/** Who wrote a workflow or a version: one column per kind of principal. */
function creatorOf(principal: Principal): {
  createdByUserId: string | null;
  createdByAgentId: string | null;
} {
  const { userId, agentId } = principalIds(principal);
  return { createdByUserId: userId, createdByAgentId: agentId };
}

/**
 * Workflow definitions and their versions. Who may do what is the shared project policy:
 * 'manage' (owner, superusers) creates, changes and deletes, 'read' (also the project's
 * agents) looks. Agents never manage definitions, whatever their project.
 */
@Injectable()
export class WorkflowsService {
  constructor(
    private readonly em: EntityManager,
    private readonly workflows: WorkflowRepository,
    private readonly policy: ProjectAccessPolicy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The workflow and its version 1, together. */
  async create(principal: Principal, dto: CreateWorkflowDto): Promise<WorkflowResponseDto> {
    if (principal.kind === 'agent') throw new WorkflowAgentForbiddenError('create workflows');
    await this.policy.assertCanAccess(principal, dto.project_id, 'manage');
    const definition = parseWorkflowDefinition(dto.definition, this.config.workflowMaxSteps);
    return this.em.transactional(async (em) => {
      const workflow = em.create(Workflow, {
        projectId: dto.project_id,
        name: dto.name,
        description: dto.description ?? null,
        definition,
        status: dto.status ?? 'draft',
        version: 1,
        tags: dto.tags ?? [],
        ...creatorOf(principal),
      });
      await this.flushNamed(em, dto.name);
      // After the workflow's own flush: the version refers to it, and the unit of work knows
      // no relation between the two to order the inserts by.
      em.create(WorkflowVersion, {
        workflowId: workflow.id,
        version: 1,
        definition: workflow.definition,
        ...creatorOf(principal),
      });
      await em.flush();
      return toWorkflowResponse(workflow);
    });
  }

  async list(
    principal: Principal,
    query: ListWorkflowsQueryDto,
  ): Promise<Page<WorkflowResponseDto>> {
    const scope = await this.policy.listScope(principal, query.project_id);
    const { workflows, total } = await this.workflows.list({
      scope,
      status: query.status,
      tag: query.tag,
      q: query.q,
      limit: query.limit,
      offset: query.offset,
    });
    return page(
      workflows.map((w) => toWorkflowResponse(w)),
      total,
      query,
    );
  }

  /** The workflow; with `version`, showing that version's definition in place of the current one. */
  async get(principal: Principal, id: string, version?: number): Promise<WorkflowResponseDto> {
    const workflow = await this.findFor(principal, id, 'read');
    if (version === undefined || version === workflow.version) return toWorkflowResponse(workflow);
    const shown = await this.workflows.findVersion(id, version);
    if (!shown) throw new WorkflowVersionNotFoundError(version);
    return toWorkflowResponse(workflow, shown);
  }

  async listVersions(
    principal: Principal,
    id: string,
    query: PaginationQueryDto,
  ): Promise<Page<WorkflowVersionResponseDto>> {
    await this.findFor(principal, id, 'read');
    const { versions, total } = await this.workflows.listVersions(id, query.limit, query.offset);
    return page(versions.map(toWorkflowVersionResponse), total, query);
  }

  /**
   * Changes fields in place; a definition that says something else than the current one
   * becomes the next version. The row is locked first, so two PATCHes of the definition at
   * once make two versions one after the other, never two of the same number.
   */
  async update(
    principal: Principal,
    id: string,
    dto: UpdateWorkflowDto,
  ): Promise<WorkflowResponseDto> {
    if (principal.kind === 'agent') throw new WorkflowAgentForbiddenError('change workflows');
    return this.em.transactional(async (em) => {
      const workflow = await this.findFor(principal, id, 'manage', true);
      let definition: WorkflowDefinition | undefined;
      if (dto.definition !== undefined) {
        definition = parseWorkflowDefinition(dto.definition, this.config.workflowMaxSteps);
        const current = workflow.definition as unknown as WorkflowDefinition;
        if (sameDefinition(definition, current)) definition = undefined;
      }
      if (dto.name !== undefined) workflow.name = dto.name;
      if (dto.description !== undefined) workflow.description = dto.description;
      if (dto.status !== undefined) workflow.status = dto.status;
      if (dto.tags !== undefined) workflow.tags = dto.tags;
      if (definition) {
        workflow.definition = definition as unknown as Record<string, unknown>;
        workflow.version += 1;
        em.create(WorkflowVersion, {
          workflowId: workflow.id,
          version: workflow.version,
          definition: workflow.definition,
          ...creatorOf(principal),
        });
      }
      await this.flushNamed(em, dto.name);
      return toWorkflowResponse(workflow);
    });
  }

  /** Its versions, executions and their tasks go with it (ON DELETE CASCADE). */
  async remove(principal: Principal, id: string): Promise<{ projectId: string }> {
    if (principal.kind === 'agent') throw new WorkflowAgentForbiddenError('delete workflows');
    const workflow = await this.findFor(principal, id, 'manage');
    await this.em.nativeDelete(Workflow, { id });
    return { projectId: workflow.projectId };
  }

  /** Flushes; a clash on the project's workflow names becomes a 409. */
  private async flushNamed(em: EntityManager, name: string | undefined): Promise<void> {
    try {
      await em.flush();
    } catch (error) {
      if (isNameClash(error)) throw new WorkflowNameTakenError(name);
      throw error;
    }
  }

  /**
   * The workflow, when it exists (404) and `principal` may access its project at `level`
   * (403); with `lock`, its row stays locked until the transaction ends.
   */
  private async findFor(
    principal: Principal,
    id: string,
    level: ProjectAccessLevel,
    lock = false,
  ): Promise<Workflow> {
    const found = await this.workflows.findWithOwner(id, lock);
    if (!found) throw new WorkflowNotFoundError();
    this.policy.assertMayAccess(
      principal,
      { id: found.workflow.projectId, ownerId: found.projectOwnerId },
      level,
    );
    return found.workflow;
  }
}
