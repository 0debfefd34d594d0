import { ConflictError, InvalidInputError, NotFoundError } from '@agenthub/errors';

export class AgentNotFoundError extends NotFoundError {
  constructor() {
    super('AGENT.NOT_FOUND', 'Agent not found');
  }
}

export class AgentNameTakenError extends ConflictError {
  constructor(readonly agentName?: string) {
    super('AGENT.NAME_TAKEN', 'Agent name already exists in project');
  }
}

export class AgentApiKeyNotFoundError extends NotFoundError {
  constructor() {
    super('AGENT_KEY.NOT_FOUND', 'API key not found');
  }
}

export class AgentApiKeyExpiryInPastError extends InvalidInputError {
  constructor() {
    super('AGENT_KEY.EXPIRY_IN_PAST', 'expires_at must be in the future', {
      expires_at: ['must be in the future'],
    });
  }
}
