import { Inject, Injectable } from '@nestjs/common';
import { AGENT_EFFECTIVE_STATUS_SQL } from '@agenthub/agents';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import {
  AGENT_STATUS_KEYS,
  Counts,
  EXECUTION_STATUS_KEYS,
  MESSAGE_STATUS_KEYS,
  TASK_PRIORITY_KEYS,
  TASK_STATUS_KEYS,
} from './dto/stats-response.dto';

export type AgentStatusKey = (typeof AGENT_STATUS_KEYS)[number];
export type TaskStatusKey = (typeof TASK_STATUS_KEYS)[number];
export type TaskPriorityKey = (typeof TASK_PRIORITY_KEYS)[number];
export type MessageStatusKey = (typeof MESSAGE_STATUS_KEYS)[number];
export type ExecutionStatusKey = (typeof EXECUTION_STATUS_KEYS)[number];

export interface TaskCounts {
  byStatus: Counts<TaskStatusKey>;
  byPriority: Counts<TaskPriorityKey>;
  total: number;
  completedLastHour: number;
  failedLastHour: number;
  /** The database's clock when the figures were read. */
  at: Date;
}

/** Database-wide counts for the Prometheus gauges: every key present. */
export interface FleetCounts {
  agents: Counts<AgentStatusKey>;
  tasks: Counts<TaskStatusKey>;
  messages: Counts<MessageStatusKey>;
  executions: Counts<ExecutionStatusKey>;
}

/** `{key: 0}` for every key, then the counts the query found (bigint arrives as text). */
function fill<K extends string>(
  keys: readonly K[],
  rows: readonly { key: string | null; n: string | number }[],
): Counts<K> {
  const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Counts<K>;
  for (const row of rows) {
    if (row.key !== null && row.key in counts) counts[row.key as K] = Number(row.n);
  }
  return counts;
}

/**
 * Counts for `GET /projects/:id/stats` and the Prometheus gauges. It reads tables of other
 * libs (tasks, agent_messages, workflow_executions) — counting only, so it needs none of their
 * rules — and each figure is one statement: GROUP BY (with GROUPING SETS where a section has
 * two breakdowns), never a query per status.
 */
@Injectable()
export class StatsRepository {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async agentsByStatus(projectId: string): Promise<Counts<AgentStatusKey>> {
    const rows = await this.em.execute<{ key: string; n: string }[]>(
      `SELECT ${AGENT_EFFECTIVE_STATUS_SQL} AS key, count(*) AS n
       FROM agents a WHERE a.project_id = ? GROUP BY 1`,
      [this.config.agentHeartbeatTimeoutSeconds, projectId],
    );
    return fill(AGENT_STATUS_KEYS, rows);
  }

  /**
   * One pass over the project's tasks: per status, per priority, and the grand total with
   * the last hour's endings (the empty grouping set). `completed_at` is stamped by every
   * move to a final status, failures included.
   */
  async tasks(projectId: string): Promise<TaskCounts> {
    const rows = await this.em.execute<
      {
        status: string | null;
        priority: string | null;
        by: 'status' | 'priority' | 'all';
        n: string;
        completed_last_hour: string;
        failed_last_hour: string;
        at: Date | string;
      }[]
    >(
      `SELECT t.status, t.priority,
         CASE WHEN GROUPING(t.status) = 0 THEN 'status' WHEN GROUPING(t.priority) = 0 THEN 'priority' ELSE 'all' END AS by,
         count(*) AS n,
         count(*) FILTER (WHERE t.status = 'completed' AND t.completed_at >= now() - interval '1 hour') AS completed_last_hour,
         count(*) FILTER (WHERE t.status = 'failed' AND t.completed_at >= now() - interval '1 hour') AS failed_last_hour,
         now() AS at
       FROM tasks t WHERE t.project_id = ?
       GROUP BY GROUPING SETS ((t.status), (t.priority), ())`,
      [projectId],
    );
    const all = rows.find((r) => r.by === 'all');
    return {
      byStatus: fill(
        TASK_STATUS_KEYS,
        rows.filter((r) => r.by === 'status').map((r) => ({ key: r.status, n: r.n })),
      ),
      byPriority: fill(
        TASK_PRIORITY_KEYS,
        rows.filter((r) => r.by === 'priority').map((r) => ({ key: r.priority, n: r.n })),
      ),
      total: Number(all?.n ?? 0),
      completedLastHour: Number(all?.completed_last_hour ?? 0),
      failedLastHour: Number(all?.failed_last_hour ?? 0),
      // The empty grouping set always yields its row, even over no tasks.
      at: new Date(all?.at ?? Date.now()),
    };
  }

  async messagesByStatus(projectId: string): Promise<Counts<MessageStatusKey>> {
    const rows = await this.em.execute<{ key: string; n: string }[]>(
      `SELECT m.status AS key, count(*) AS n FROM agent_messages m WHERE m.project_id = ? GROUP BY 1`,
      [projectId],
    );
    return fill(MESSAGE_STATUS_KEYS, rows);
  }

  async executionsByStatus(projectId: string): Promise<Counts<ExecutionStatusKey>> {
    const rows = await this.em.execute<{ key: string; n: string }[]>(
      `SELECT e.status AS key, count(*) AS n FROM workflow_executions e WHERE e.project_id = ? GROUP BY 1`,
      [projectId],
    );
    return fill(EXECUTION_STATUS_KEYS, rows);
  }

  /**
   * Every project's counts at once, for the Prometheus gauges: ONE statement (a UNION ALL of
   * four GROUP BYs over status columns, each served by an index on the status). No ids, no
   * projects: the labels stay bounded by the status lists.
   */
  async fleet(): Promise<FleetCounts> {
    const rows = await this.em.execute<{ kind: string; key: string; n: string }[]>(
      `SELECT 'agents' AS kind, ${AGENT_EFFECTIVE_STATUS_SQL} AS key, count(*) AS n FROM agents a GROUP BY 2
       UNION ALL SELECT 'tasks', t.status, count(*) FROM tasks t GROUP BY 2
       UNION ALL SELECT 'messages', m.status, count(*) FROM agent_messages m GROUP BY 2
       UNION ALL SELECT 'executions', e.status, count(*) FROM workflow_executions e GROUP BY 2`,
      [this.config.agentHeartbeatTimeoutSeconds],
    );
    const of = (kind: string) => rows.filter((r) => r.kind === kind);
    return {
      agents: fill(AGENT_STATUS_KEYS, of('agents')),
      tasks: fill(TASK_STATUS_KEYS, of('tasks')),
      messages: fill(MESSAGE_STATUS_KEYS, of('messages')),
      executions: fill(EXECUTION_STATUS_KEYS, of('executions')),
    };
  }
}
