import {
  ConflictError,
  FieldErrors,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
} from '@agenthub/errors';

export class WorkflowNotFoundError extends NotFoundError {
  constructor() {
    super('WORKFLOW.NOT_FOUND', 'Workflow not found');
  }
}

export class WorkflowVersionNotFoundError extends NotFoundError {
  constructor(readonly version: number) {
    super('WORKFLOW.VERSION_NOT_FOUND', `The workflow has no version ${version}`);
  }
}

export class WorkflowNameTakenError extends ConflictError {
  constructor(readonly workflowName?: string) {
    super(
      'WORKFLOW.NAME_TAKEN',
      workflowName === undefined
        ? 'Workflow name already exists in project'
        : `A workflow named "${workflowName}" already exists in this project`,
    );
  }
}

/** Only `active` workflows can be executed. */
export class WorkflowNotActiveError extends ConflictError {
  constructor(readonly workflowStatus: string) {
    super(
      'WORKFLOW.NOT_ACTIVE',
      `Only an active workflow can be executed; this one is ${workflowStatus}`,
    );
  }
}

export class WorkflowAgentForbiddenError extends ForbiddenError {
  constructor(action: string) {
    super(
      'WORKFLOW.AGENT_FORBIDDEN',
      `Agents may not ${action}; a user who manages the project may`,
    );
  }
}

/** How many problems the detail spells out; `errors` always has all of them. */
const DETAIL_PROBLEMS = 5;

/**
 * Everything wrong with a definition, keyed by where it is (`steps[3].depends_on`). With a
 * `cycle` (keys, from the step that closes it back to it), the detail names it first.
 */
export class InvalidWorkflowDefinitionError extends InvalidInputError {
  constructor(
    errors: FieldErrors,
    readonly cycle?: readonly string[],
  ) {
    const entries = Object.entries(errors);
    let detail: string;
    if (cycle) {
      const others = entries.length - 1;
      detail = `Invalid workflow definition: the steps form a cycle: ${cycle.join(' → ')}`;
      if (others > 0) detail += `; and ${others} more problem${others > 1 ? 's' : ''} (see errors)`;
    } else {
      const listed = entries
        .slice(0, DETAIL_PROBLEMS)
        .map(([path, messages]) => `${path} (${messages[0]})`);
      const more = entries.length - listed.length;
      detail = `Invalid workflow definition: ${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
    }
    super('WORKFLOW.INVALID_DEFINITION', detail, errors);
  }
}
