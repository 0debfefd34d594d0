import { ForbiddenError, NotFoundError } from '@agenthub/errors';

/** The agents lib's code, for the same answer on the agent's own routes. */
export class MetricAgentNotFoundError extends NotFoundError {
  constructor() {
    super('AGENT.NOT_FOUND', 'Agent not found');
  }
}

/** An agent records its own points only; a manager may record any agent's of the project. */
export class MetricAgentForbiddenError extends ForbiddenError {
  constructor() {
    super('METRIC.AGENT_FORBIDDEN', 'An agent may record only its own metrics');
  }
}
