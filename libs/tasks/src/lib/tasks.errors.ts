import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '@agenthub/errors';

export class TaskNotFoundError extends NotFoundError {
  constructor() {
    super('TASK.NOT_FOUND', 'Task not found');
  }
}

/** A dependency that does not exist, or lives in another project. */
export class InvalidDependencyError extends InvalidInputError {
  constructor(readonly taskIds: string[]) {
    super(
      'TASK.INVALID_DEPENDENCY',
      `Dependencies must be existing tasks of the same project; not: ${taskIds.join(', ')}`,
      { dependencies: taskIds.map((id) => `${id} is not a task of this project`) },
    );
  }
}

export class SelfDependencyError extends InvalidInputError {
  constructor() {
    super('TASK.SELF_DEPENDENCY', 'A task cannot depend on itself', {
      dependencies: ['a task cannot depend on itself'],
    });
  }
}

/** `cycle` runs from the task being changed back to itself: [a, b, c, a]. */
export class DependencyCycleError extends InvalidInputError {
  constructor(
    readonly cycle: string[],
    describe: (id: string) => string = (id) => id,
  ) {
    const path = cycle.map(describe).join(' → ');
    super('TASK.DEPENDENCY_CYCLE', `These dependencies would create a cycle: ${path}`, {
      dependencies: [`would create the cycle ${path}`],
    });
  }
}

export class IllegalTransitionError extends ConflictError {
  constructor(
    readonly from: string,
    readonly to: string,
    allowed: readonly string[],
  ) {
    super(
      'TASK.ILLEGAL_TRANSITION',
      `A task cannot go from ${from} to ${to}` +
        (allowed.length ? ` (from ${from}: ${allowed.join(', ')})` : ` (${from} is final)`),
    );
  }
}

/** → in_progress while some dependencies are not completed. */
export class TaskBlockedError extends ConflictError {
  constructor(readonly blockers: { id: string; title: string; status: string }[]) {
    super(
      'TASK.BLOCKED',
      `The task cannot start before its dependencies are completed; still open: ${blockers
        .map((b) => `${b.id} "${b.title}" (${b.status})`)
        .join(', ')}`,
    );
  }
}

export class TaskVersionConflictError extends ConflictError {
  constructor(given: number | undefined, current: number | undefined) {
    super(
      'TASK.VERSION_CONFLICT',
      given !== undefined && current !== undefined
        ? `The task is at version ${current}, not ${given}: it was changed by someone else; reload and retry`
        : 'The task was changed by someone else meanwhile; reload and retry',
    );
  }
}

export class TaskHasDependentsError extends ConflictError {
  constructor(readonly dependents: string[]) {
    super(
      'TASK.HAS_DEPENDENTS',
      `Other tasks depend on this one (${dependents.join(', ')}); remove those dependencies first, or delete with ?force=true`,
    );
  }
}

export class InvalidAssigneeError extends InvalidInputError {
  constructor(reason: string) {
    super('TASK.INVALID_ASSIGNEE', reason, { assigned_to: [reason] });
  }
}

/** Only an agent (API key) may claim tasks or hold leases. */
export class AgentRequiredError extends ForbiddenError {
  constructor(what: string) {
    super('TASK.AGENT_REQUIRED', `Only agents (with an API key) may ${what}`);
  }
}

/** An agent acting on a task that is not assigned to it. */
export class NotTaskAssigneeError extends ForbiddenError {
  constructor() {
    super(
      'TASK.NOT_ASSIGNEE',
      'Agents may only change tasks assigned to themselves, and cancel the tasks they created',
    );
  }
}

/** An agent changing more than the status and result of its task. */
export class AgentFieldForbiddenError extends ForbiddenError {
  constructor(fields: string[]) {
    super(
      'TASK.AGENT_FIELD_FORBIDDEN',
      `Agents may change only status and result of their tasks, not: ${fields.join(', ')}`,
    );
  }
}

/** Agents may create tasks in their project, but not delete or assign them. */
export class AgentActionForbiddenError extends ForbiddenError {
  constructor(action: string) {
    super('TASK.AGENT_FORBIDDEN', `Agents may not ${action}; a user who manages the project may`);
  }
}

export class TaskNotLeasedError extends ConflictError {
  constructor(status: string) {
    super(
      'TASK.NOT_LEASED',
      `Only a task in progress has a lease to extend; this one is ${status}`,
    );
  }
}

export class UnknownCapabilityError extends InvalidInputError {
  constructor(names: string[]) {
    super(
      'TASK.UNKNOWN_CAPABILITY',
      `The agent does not have these capabilities: ${names.join(', ')}`,
      {
        capabilities: names.map((n) => `the agent has no capability "${n}"`),
      },
    );
  }
}

/** A step of a running workflow execution: its place in the graph belongs to the execution. */
export class WorkflowStepLockedError extends ConflictError {
  constructor(change: 'delete' | 'dependencies' | 'placement') {
    super(
      'TASK.WORKFLOW_STEP_LOCKED',
      change === 'placement'
        ? 'The task is a step of a workflow execution: its workflow_id and step_order are the execution’s'
        : `The task is a step of a running workflow execution: its ${
            change === 'delete' ? 'deletion' : 'dependencies'
          } must wait until the execution ends (or is cancelled)`,
    );
  }
}

/** A finished workflow step goes back to pending only through a retry of its execution. */
export class WorkflowStepReopenError extends ConflictError {
  constructor() {
    super(
      'TASK.WORKFLOW_STEP_REOPEN',
      'The task is a step of a workflow execution: retry the execution (POST /workflow-executions/:id/retry) to run it again',
    );
  }
}

/** `auto` assignment found no agent: none available with every capability the task requires. */
export class NoEligibleAgentError extends ConflictError {
  constructor(capabilities: readonly string[]) {
    super(
      'TASK.NO_ELIGIBLE_AGENT',
      `No agent of the project can take the task now: none is active, online (a heartbeat within the timeout, not offline or in error) and has ${
        capabilities.length
          ? `every capability it requires (${capabilities.join(', ')})`
          : 'no capability requirement to meet'
      }`,
    );
  }
}
