import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { ProjectScope } from '@agenthub/auth';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { pagedQuery, PreparedStatements } from '@agenthub/database';
import { wireTimestampSql } from '@agenthub/http';
import type { AgentStatus } from './agent-status';
import { DEFAULT_CAPABILITY_CONFIDENCE } from './entities/agent-capability.entity';
import { type AgentResponseDto, toAgentResponse } from './dto/agent-response.dto';

/**
 * An agent as read for the wire: the response's fields, `status` and `heartbeat_expires_at`
 * already accounting for the heartbeat timeout. Raw rows are not mapped: the timestamps come as
 * the database formats them for the wire (wireTimestampSql), which toAgentResponse() passes on.
 */
export type AgentRow = AgentResponseDto;

/** An agent with the owner of its project: enough for the access policy without another query. */
export interface AgentRowWithOwner extends AgentRow {
  project_owner_id: string;
}

export interface AgentListFilter {
  /** Which projects the list may draw from. */
  scope: ProjectScope;
  status?: AgentStatus;
  isActive?: boolean;
  agentType?: string;
  capability?: string;
  q?: string;
  limit: number;
  offset: number;
}

/** `%`, `_` and `\` are wildcards in LIKE; a search for them means the characters themselves. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/*
 * SQL of the agents' tables for statements of other libs that must stay one statement: the
 * tasks lib's claim reads the agent's capability names while it locks and claims a task, and
 * the performance recorder learns from a task's outcome in the statement that records its
 * points. The agents lib owns these tables, so it writes their SQL; each fragment says its
 * placeholders.
 */

/**
 * The moment agent `a` reads as offline unless it sends another heartbeat: its last heartbeat
 * plus the timeout (NULL when it never sent one). One `?`: the timeout in seconds
 * (AppConfig.agentHeartbeatTimeoutSeconds).
 */
export const AGENT_HEARTBEAT_EXPIRES_AT_SQL = `(a.last_heartbeat + make_interval(secs => ?))`;

/**
 * The status agent `a` reads as: offline once its heartbeat has expired
 * ({@link AGENT_HEARTBEAT_EXPIRES_AT_SQL}, so the status and the moment shown agree). One `?`:
 * the timeout in seconds (AppConfig.agentHeartbeatTimeoutSeconds).
 */
export const AGENT_EFFECTIVE_STATUS_SQL = `CASE WHEN ${AGENT_HEARTBEAT_EXPIRES_AT_SQL} < now() THEN 'offline' ELSE a.status END`;

/**
 * Whether agent `a` can be handed work now: active, a heartbeat within the timeout, and a
 * status that is neither offline nor error. One `?`: the timeout in seconds.
 */
export const AGENT_AVAILABLE_SQL = `(a.is_active AND a.last_heartbeat >= now() - make_interval(secs => ?) AND a.status NOT IN ('offline', 'error'))`;

/**
 * Agent `a`'s mean confidence over the capability names of a jsonb array (a capability
 * without details counts as the default, 0.5; an empty array gives 0.5). One `?`: the array.
 */
export const AGENT_MEAN_CONFIDENCE_SQL = `(SELECT coalesce(avg(coalesce(c.confidence_score, ${DEFAULT_CAPABILITY_CONFIDENCE})), ${DEFAULT_CAPABILITY_CONFIDENCE})
  FROM jsonb_array_elements_text(?::jsonb) AS r(name)
  LEFT JOIN agent_capabilities c ON c.agent_id = a.id AND c.capability_name = r.name)`;

/** The agent's capability names (jsonb), as a scalar subquery. One `?`: the agent's id. */
export const AGENT_CAPABILITY_NAMES_SQL = `(SELECT a.capabilities FROM agents a WHERE a.id = ?)`;

/**
 * The body of a data-modifying CTE that learns from one outcome (1: success, 0: failure) of
 * work that required `names` (a jsonb array of capability names): each of them that the agent
 * lists counts one more use (`usage_count + 1`, `last_used_at = now()`) and its confidence
 * moves toward the outcome by the learning rate α, c ← c + α·(outcome − c), kept in [0, 1];
 * a capability nobody described starts from the default (0.5) and takes the same step.
 * Placeholders, in order: α, outcome, names (jsonb), agent id, α, outcome.
 */
export function learnFromOutcomeSql(): string {
  return `INSERT INTO agent_capabilities (id, agent_id, capability_name, confidence_score, usage_count, last_used_at)
    SELECT gen_random_uuid(), a.id, r.capability, least(1, greatest(0, ${DEFAULT_CAPABILITY_CONFIDENCE} + ?::numeric * (?::numeric - ${DEFAULT_CAPABILITY_CONFIDENCE}))), 1, now()
    FROM agents a, jsonb_array_elements_text(?::jsonb) AS r(capability)
    WHERE a.id = ? AND jsonb_exists(a.capabilities, r.capability)
    ON CONFLICT (agent_id, capability_name) DO UPDATE SET
      usage_count = agent_capabilities.usage_count + 1,
      last_used_at = now(),
      confidence_score = least(1, greatest(0,
        agent_capabilities.confidence_score + ?::numeric * (?::numeric - agent_capabilities.confidence_score))),
      updated_at = now()`;
}

/**
 * The agent reads, in SQL. The heartbeat timeout is applied by the database, in the same
 * expression for the status shown and the `?status=` filter, so a page never shows an agent
 * as offline that the filter counted as online (and both use the database's clock, like the
 * `last_heartbeat = now()` written by heartbeats).
 */
@Injectable()
export class AgentRepository {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly statements: PreparedStatements,
  ) {}

  /** SQL for the status an agent reads as: stale heartbeats mean offline. One `?` (seconds). */
  private get effectiveStatus(): string {
    return AGENT_EFFECTIVE_STATUS_SQL;
  }

  /** The response's columns; their `?`s are {@link columnParams}. */
  private get columns(): string {
    return `a.id, a.project_id, a.name, a.nickname, a.agent_type, ${this.effectiveStatus} AS status, a.capabilities,
      a.config, a.system_prompt, a.model_provider, a.model_name, a.is_active,
      ${wireTimestampSql('a.last_heartbeat')} AS last_heartbeat,
      ${wireTimestampSql(AGENT_HEARTBEAT_EXPIRES_AT_SQL)} AS heartbeat_expires_at,
      ${wireTimestampSql('a.created_at')} AS created_at, ${wireTimestampSql('a.updated_at')} AS updated_at`;
  }

  /** The values of the `?`s in {@link columns}: the timeout, for the status and the expiry. */
  private get columnParams(): number[] {
    const timeout = this.config.agentHeartbeatTimeoutSeconds;
    return [timeout, timeout];
  }

  /**
   * The hot path (`GET /agents/:id`): one indexed query answers both "what" and "whose". A
   * prepared statement: parsed and planned once per connection, not once per request.
   */
  async findRow(id: string): Promise<AgentRowWithOwner | undefined> {
    const rows = await this.statements.all<AgentRowWithOwner>(
      this.em,
      `SELECT ${this.columns}, p.owner_id AS project_owner_id FROM agents a JOIN projects p ON p.id = a.project_id WHERE a.id = ?`,
      [...this.columnParams, id],
    );
    return rows[0];
  }

  /** A page of agents as the wire shows them, newest first, and how many match in all. */
  async list(filter: AgentListFilter): Promise<{ rows: AgentResponseDto[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.scope.kind === 'projects') {
      if (filter.scope.projectIds.length === 0) return { rows: [], total: 0 };
      where.push('a.project_id IN (?)');
      params.push(filter.scope.projectIds);
    }
    if (filter.status !== undefined) {
      where.push(`${this.effectiveStatus} = ?`);
      params.push(this.config.agentHeartbeatTimeoutSeconds, filter.status);
    }
    if (filter.isActive !== undefined) {
      where.push('a.is_active = ?');
      params.push(filter.isActive);
    }
    if (filter.agentType !== undefined) {
      where.push('a.agent_type = ?');
      params.push(filter.agentType);
    }
    if (filter.capability !== undefined) {
      where.push('a.capabilities @> ?::jsonb');
      params.push(JSON.stringify([filter.capability]));
    }
    if (filter.q !== undefined) {
      const pattern = `%${escapeLike(filter.q)}%`;
      where.push(`(a.name ILIKE ? OR a.nickname ILIKE ?
        OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(a.capabilities) AS c(name) WHERE c.name ILIKE ?))`);
      params.push(pattern, pattern, pattern);
    }
    return pagedQuery<AgentRow, AgentResponseDto>(
      this.em,
      {
        select: this.columns,
        selectParams: this.columnParams,
        from: `FROM agents a ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
        fromParams: params,
        orderBy: 'a.created_at DESC, a.id DESC',
        limit: filter.limit,
        offset: filter.offset,
      },
      toAgentResponse,
    );
  }

  /** The agents of `ids` as they read, in no particular order (unknown ids are left out). */
  async findRows(ids: readonly string[]): Promise<AgentRow[]> {
    if (ids.length === 0) return [];
    return this.em.execute<AgentRow[]>(`SELECT ${this.columns} FROM agents a WHERE a.id IN (?)`, [
      ...this.columnParams,
      ids,
    ]);
  }

  /**
   * Records a heartbeat with the database's clock: the agent as it now reads, and the status
   * it read as just before (the heartbeat timeout applied). The row is locked while it is
   * read, so of two concurrent heartbeats the second one sees the first one's status.
   */
  async heartbeat(
    id: string,
    status: AgentStatus,
  ): Promise<{ agent: AgentRow; statusBefore: AgentStatus } | undefined> {
    const timeout = this.config.agentHeartbeatTimeoutSeconds;
    const rows = await this.em.execute<(AgentRow & { status_before: AgentStatus })[]>(
      `WITH before AS (SELECT a.id, ${this.effectiveStatus} AS status FROM agents a WHERE a.id = ? FOR UPDATE)
       UPDATE agents a SET last_heartbeat = now(), status = ?, updated_at = now()
         FROM before b WHERE a.id = b.id
       RETURNING ${this.columns}, b.status AS status_before`,
      [timeout, id, status, ...this.columnParams],
    );
    const row = rows[0];
    if (!row) return undefined;
    const { status_before: statusBefore, ...agent } = row;
    return { agent, statusBefore };
  }

  /**
   * Removes capability details whose name is no longer in the agent's list: the list says
   * which capabilities an agent has; details never outlive it.
   */
  async pruneCapabilityDetails(agentIds: readonly string[]): Promise<void> {
    if (agentIds.length === 0) return;
    await this.em.execute(
      `DELETE FROM agent_capabilities c USING agents a
       WHERE c.agent_id = a.id AND a.id IN (?) AND NOT a.capabilities @> jsonb_build_array(c.capability_name)`,
      [agentIds],
      'run',
    );
  }
}
