import type { StepState } from '@agenthub/tasks';
import { isoTimestamp } from '@agenthub/http';
import type { ExecutionResponseDto } from './dto/execution-response.dto';
import type { ExecutionRow } from './workflow-execution.repository';

export function toExecutionResponse(
  row: ExecutionRow,
  steps: readonly StepState[],
): ExecutionResponseDto {
  return {
    id: row.id,
    project_id: row.project_id,
    workflow_id: row.workflow_id,
    workflow_version: row.workflow_version,
    status: row.status,
    current_step: row.current_step,
    context_data: row.context_data,
    result_data: row.result_data,
    started_by: row.started_by_user_id ?? row.started_by_agent_id,
    started_by_type: row.started_by_user_id ? 'user' : row.started_by_agent_id ? 'agent' : null,
    started_at: isoTimestamp(row.started_at),
    completed_at: isoTimestamp(row.completed_at),
    error_message: row.error_message,
    steps: steps.map((s) => ({ key: s.key, task_id: s.taskId, status: s.status })),
  };
}
