import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import type { AgentStatus } from './agent-status';
import type { ProjectScope } from '@agenthub/auth';

/** An agent as read for the wire: `status` already accounts for the heartbeat timeout. */
export interface AgentRow {
  id: string;
  project_id: string;
  name: string;
  nickname: string | null;
  agent_type: string;
  status: AgentStatus;
  capabilities: string[];
  config: Record<string, unknown> | null;
  system_prompt: string | null;
  model_provider: string | null;
  model_name: string | null;
  is_active: boolean;
  last_heartbeat: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** An agent with the owner of its project: enough for the access policy without another query. */
export interface AgentRowWithOwner extends AgentRow {
  project_owner_id: string;
}

/** Which projects a list may draw from. */

export interface AgentListFilter {
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
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
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
  ) {}

  /** SQL for the status an agent reads as: stale heartbeats mean offline. One `?` (seconds). */
  private get effectiveStatus(): string {
    return `CASE WHEN a.last_heartbeat < now() - make_interval(secs => ?) THEN 'offline' ELSE a.status END`;
  }

  private get columns(): string {
    return `a.id, a.project_id, a.name, a.nickname, a.agent_type, ${this.effectiveStatus} AS status, a.capabilities,
      a.config, a.system_prompt, a.model_provider, a.model_name, a.is_active, a.last_heartbeat, a.created_at, a.updated_at`;
  }

  /** The hot path (`GET /agents/:id`): one indexed query answers both "what" and "whose". */
  async findRow(id: string): Promise<AgentRowWithOwner | undefined> {
    const rows = await this.em.execute<AgentRowWithOwner[]>(
      `SELECT ${this.columns}, p.owner_id AS project_owner_id FROM agents a JOIN projects p ON p.id = a.project_id WHERE a.id = ?`,
      [this.config.agentHeartbeatTimeoutSeconds, id],
    );
    return rows[0];
  }

  /** A page of agents, newest first, and how many match in all. */
  async list(filter: AgentListFilter): Promise<{ rows: AgentRow[]; total: number }> {
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
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';

    // One round trip for the page and the total; an empty page (offset past the end)
    // needs its own count.
    const rows = await this.em.execute<(AgentRow & { total_count: string })[]>(
      `SELECT ${this.columns}, count(*) OVER () AS total_count FROM agents a ${whereSql}
       ORDER BY a.created_at DESC, a.id DESC LIMIT ? OFFSET ?`,
      [this.config.agentHeartbeatTimeoutSeconds, ...params, filter.limit, filter.offset],
    );
    let total: number;
    if (rows.length > 0) {
      total = Number(rows[0].total_count);
    } else if (filter.offset === 0) {
      total = 0;
    } else {
      const [{ count }] = await this.em.execute<{ count: string }[]>(
        `SELECT count(*) AS count FROM agents a ${whereSql}`,
        params,
      );
      total = Number(count);
    }
    return { rows: rows.map(({ total_count: _total, ...row }) => row), total };
  }

  /** Records a heartbeat with the database's clock and returns the agent as it now reads. */
  async heartbeat(id: string, status: AgentStatus): Promise<AgentRow | undefined> {
    const rows = await this.em.execute<AgentRow[]>(
      `UPDATE agents a SET last_heartbeat = now(), status = ?, updated_at = now() WHERE a.id = ? RETURNING ${this.columns}`,
      [status, id, this.config.agentHeartbeatTimeoutSeconds],
    );
    return rows[0];
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
