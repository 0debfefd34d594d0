import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { ProjectScope } from '@agenthub/auth';
import { pagedQuery } from '@agenthub/database';
import { Workflow, type WorkflowStatus } from './entities/workflow.entity';
import { WorkflowVersion } from './entities/workflow-version.entity';

/** The columns of a workflow as the entity maps them (not the generated search column). */
const COLUMNS = `w.id, w.project_id, w.name, w.description, w.definition, w.status, w.version, w.tags,
  w.created_by_user_id, w.created_by_agent_id, w.created_at, w.updated_at`;

export interface WorkflowListFilter {
  /** Which projects the list may draw from. */
  scope: ProjectScope;
  status?: WorkflowStatus;
  tag?: string;
  q?: string;
  limit: number;
  offset: number;
}

/**
 * The SQL of workflows the unit of work does not express: reads that carry the project's
 * owner (for the access policy, in the same round trip) and lists with full-text search.
 * Rows come back as entities (`em.map`), so one mapping serves all.
 */
@Injectable()
export class WorkflowRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * The workflow and its project's owner; with `lock`, the row is locked until the
   * transaction ends (a PATCH's version number is read and raised under it).
   */
  async findWithOwner(
    id: string,
    lock = false,
  ): Promise<{ workflow: Workflow; projectOwnerId: string } | null> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `SELECT ${COLUMNS}, p.owner_id AS project_owner_id
       FROM workflows w JOIN projects p ON p.id = w.project_id WHERE w.id = ?
       ${lock ? 'FOR UPDATE OF w' : ''}`,
      [id],
    );
    if (rows.length === 0) return null;
    const { project_owner_id: projectOwnerId, ...row } = rows[0];
    // em.map merges it into the unit of work, so a PATCH's changes flush as an UPDATE.
    return { workflow: this.em.map(Workflow, row), projectOwnerId: projectOwnerId as string };
  }

  async findVersion(workflowId: string, version: number): Promise<WorkflowVersion | null> {
    return this.em.findOne(WorkflowVersion, { workflowId, version });
  }

  /** Newest first. */
  async listVersions(
    workflowId: string,
    limit: number,
    offset: number,
  ): Promise<{ versions: WorkflowVersion[]; total: number }> {
    const { rows, total } = await pagedQuery<Record<string, unknown>>(this.em, {
      select: `v.workflow_id, v.version, v.definition, v.created_by_user_id, v.created_by_agent_id, v.created_at`,
      from: `FROM workflow_versions v WHERE v.workflow_id = ?`,
      fromParams: [workflowId],
      orderBy: 'v.version DESC',
      limit,
      offset,
    });
    return { versions: rows.map((row) => this.em.map(WorkflowVersion, row)), total };
  }

  /** Newest first; with `q`, best matches first (then newest). */
  async list(filter: WorkflowListFilter): Promise<{ workflows: Workflow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.scope.kind === 'projects') {
      if (filter.scope.projectIds.length === 0) return { workflows: [], total: 0 };
      where.push('w.project_id IN (?)');
      params.push(filter.scope.projectIds);
    }
    if (filter.status !== undefined) {
      where.push('w.status = ?');
      params.push(filter.status);
    }
    if (filter.tag !== undefined) {
      // Containment, so the GIN index on tags serves it.
      where.push('w.tags @> ARRAY[?]::text[]');
      params.push(filter.tag);
    }
    let rank = '';
    const rankParams: unknown[] = [];
    if (filter.q !== undefined) {
      where.push(`w.search_vector @@ websearch_to_tsquery('english', ?)`);
      params.push(filter.q);
      rank = `, ts_rank(w.search_vector, websearch_to_tsquery('english', ?)) AS search_rank`;
      rankParams.push(filter.q);
    }
    const { rows, total } = await pagedQuery<Record<string, unknown>>(this.em, {
      select: `${COLUMNS}${rank}`,
      selectParams: rankParams,
      from: `FROM workflows w ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
      fromParams: params,
      orderBy:
        filter.q !== undefined
          ? 'search_rank DESC, w.created_at DESC, w.id DESC'
          : 'w.created_at DESC, w.id DESC',
      limit: filter.limit,
      offset: filter.offset,
    });
    return {
      workflows: rows.map(({ search_rank: _rank, ...row }) => this.em.map(Workflow, row)),
      total,
    };
  }
}
