import { Injectable } from '@nestjs/common';
import { EventLog } from '@agenthub/events';
import type { ExecutionResponseDto } from './dto/execution-response.dto';

export type ExecutionEventType =
  | 'workflow_execution.started'
  | 'workflow_execution.completed'
  | 'workflow_execution.failed'
  | 'workflow_execution.cancelled'
  | 'workflow_execution.retried';

/**
 * Executions' events on the event log, next to their steps' `task.*` events: every agent of
 * the project (and its managers) sees them. Called in the transaction of the change, with
 * the execution as REST returns it after the change.
 */
@Injectable()
export class WorkflowExecutionEvents {
  constructor(private readonly log: EventLog) {}

  async emit(type: ExecutionEventType, execution: ExecutionResponseDto): Promise<void> {
    await this.log.append({
      type,
      projectId: execution.project_id,
      audience: { kind: 'project' },
      data: execution,
    });
  }
}
