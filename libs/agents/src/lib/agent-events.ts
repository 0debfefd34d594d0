import { Injectable } from '@nestjs/common';
import { EventLog } from '@agenthub/events';
import type { AgentResponseDto } from './dto/agent-response.dto';

export type AgentEventType = 'agent.created' | 'agent.updated' | 'agent.deleted';

/**
 * The agents' events on the event log: every agent of the project (and its managers) sees
 * them, as every one of them may read the agents of its project. Call in the transaction of
 * the change, with the agent as `GET /agents/:id` shows it after the change (deleted: as it
 * was), so the event commits with the change or not at all.
 *
 * `agent.updated` means the agent's JSON changed beyond its heartbeat stamp: a heartbeat is an
 * event only when it changes the status the agent reads as (see AgentsService.heartbeat).
 */
@Injectable()
export class AgentEvents {
  constructor(private readonly log: EventLog) {}

  async emit(type: AgentEventType, ...agents: AgentResponseDto[]): Promise<void> {
    await this.emitEach(agents.map((agent) => ({ type, agent })));
  }

  /** Events of several types in one statement, in this order (a batch deploy's). */
  async emitEach(changes: { type: AgentEventType; agent: AgentResponseDto }[]): Promise<void> {
    await this.log.append(
      ...changes.map(({ type, agent }) => ({
        type,
        projectId: agent.project_id,
        audience: { kind: 'project' as const },
        data: agent,
      })),
    );
  }
}
