import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { IsolationLevel } from '@mikro-orm/core';
import { Principal, ProjectAccessPolicy } from '@agenthub/auth';
import type { ProjectStatsResponseDto } from './dto/stats-response.dto';
import { StatsRepository } from './stats.repository';

const total = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((a, b) => a + b, 0);

/** A project's figures at a glance, for its readers (managers and its agents). */
@Injectable()
export class StatsService {
  constructor(
    private readonly em: EntityManager,
    private readonly stats: StatsRepository,
    private readonly policy: ProjectAccessPolicy,
  ) {}

  /**
   * Four statements, one per section, in one read-only REPEATABLE READ transaction: the
   * sections are one snapshot (a task that completes meanwhile is not counted twice, nor
   * missing from both), and `now()` — the last hour, stale heartbeats, `generated_at` — is
   * the same instant in all of them.
   */
  async ofProject(principal: Principal, projectId: string): Promise<ProjectStatsResponseDto> {
    await this.policy.assertCanAccess(principal, projectId, 'read');
    return this.em.transactional(
      async () => {
        const agents = await this.stats.agentsByStatus(projectId);
        const tasks = await this.stats.tasks(projectId);
        const messages = await this.stats.messagesByStatus(projectId);
        const executions = await this.stats.executionsByStatus(projectId);
        return {
          project_id: projectId,
          agents: { by_status: agents, total: total(agents) },
          tasks: {
            by_status: tasks.byStatus,
            by_priority: tasks.byPriority,
            total: tasks.total,
            completed_last_hour: tasks.completedLastHour,
            failed_last_hour: tasks.failedLastHour,
          },
          messages: { by_status: messages, total: total(messages) },
          executions: { by_status: executions, total: total(executions) },
          generated_at: tasks.at.toISOString(),
        };
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
    );
  }
}
