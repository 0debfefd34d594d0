import { ConflictError, NotFoundError } from '@agenthub/errors';
import type { ExecutionStatus } from './entities/workflow-execution.entity';

export class WorkflowExecutionNotFoundError extends NotFoundError {
  constructor() {
    super('WORKFLOW_EXECUTION.NOT_FOUND', 'Workflow execution not found');
  }
}

/** Cancel needs an execution that is still running. */
export class ExecutionNotRunningError extends ConflictError {
  constructor(status: ExecutionStatus) {
    super(
      'WORKFLOW_EXECUTION.NOT_RUNNING',
      `The workflow execution is ${status}: only a running execution can be cancelled`,
    );
  }
}

/** Retry needs an execution that failed or was cancelled. */
export class ExecutionNotRetryableError extends ConflictError {
  constructor(status: ExecutionStatus) {
    super(
      'WORKFLOW_EXECUTION.NOT_RETRYABLE',
      `The workflow execution is ${status}: only a failed or cancelled execution can be retried`,
    );
  }
}
