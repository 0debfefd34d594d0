import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '@agenthub/errors';
import { MESSAGE_TRANSITIONS, MessageAction, MessageStatus } from './message-lifecycle';

export class MessageNotFoundError extends NotFoundError {
  constructor() {
    super('MESSAGE.NOT_FOUND', 'Message not found');
  }
}

/** `/agents/:id/inbox…` of an agent that does not exist. */
export class InboxAgentNotFoundError extends NotFoundError {
  constructor() {
    super('AGENT.NOT_FOUND', 'Agent not found');
  }
}

/** The move is not in the transition table from the message's status (message-lifecycle.ts). */
export class IllegalMessageTransitionError extends ConflictError {
  constructor(action: MessageAction, status: MessageStatus) {
    const from = MESSAGE_TRANSITIONS[action].from;
    super(
      'MESSAGE.ILLEGAL_TRANSITION',
      `Cannot ${action.replace('_', ' ')} a message that is ${status} (only from ${from.join(' or ')})`,
    );
  }
}

/** delivered / ack / nack belong to the recipient agent; receive to the inbox's own agent. */
export class NotRecipientError extends ForbiddenError {
  constructor() {
    super('MESSAGE.NOT_RECIPIENT', 'Only the recipient agent may do this');
  }
}

/** An agent of the project that neither sent nor received the message. */
export class NotMessagePartyError extends ForbiddenError {
  constructor() {
    super(
      'MESSAGE.FORBIDDEN',
      "Only the message's sender, its recipient and the project's managers may read it",
    );
  }
}

/** Another agent's inbox: only that agent and the project's managers may read it. */
export class InboxForbiddenError extends ForbiddenError {
  constructor(what: 'read' | 'receive') {
    super(
      'MESSAGE.INBOX_FORBIDDEN',
      what === 'receive'
        ? 'Only the agent itself receives from its inbox'
        : "Only the agent itself and its project's managers may read its inbox",
    );
  }
}

/** A recipient that is an agent of another project than the message's. */
export class RecipientForbiddenError extends ForbiddenError {
  constructor() {
    super('MESSAGE.RECIPIENT_FORBIDDEN', "Recipients must be agents of the message's project");
  }
}

export class InvalidRecipientError extends InvalidInputError {
  constructor(field: string, message: string) {
    super('MESSAGE.INVALID_RECIPIENT', message, { [field]: [message] });
  }
}

export class NoRecipientsError extends InvalidInputError {
  constructor() {
    super(
      'MESSAGE.NO_RECIPIENTS',
      'No active agent of the project (other than the sender) has that capability',
      { recipient_capability: ['no active agent of the project has it'] },
    );
  }
}

export class InvalidReplyToError extends InvalidInputError {
  constructor() {
    const message = 'reply_to must be a message the caller sent or received';
    super('MESSAGE.INVALID_REPLY_TO', message, { reply_to: [message] });
  }
}

export class InvalidExpiryError extends InvalidInputError {
  constructor(message: string) {
    super('MESSAGE.INVALID_EXPIRY', message, { expires_at: [message] });
  }
}

export class MessageProjectRequiredError extends InvalidInputError {
  constructor(message: string) {
    super('MESSAGE.PROJECT_REQUIRED', message, { project_id: [message] });
  }
}

/**
 * 413: the payload is above what a message may carry. The errors lib has no 413 kind (only
 * the framework's body limit answers it), so this one is an input error whose status is 413.
 */
export class PayloadTooLargeError extends InvalidInputError {
  constructor(limit: number) {
    super('MESSAGE.PAYLOAD_TOO_LARGE', `payload must serialize to at most ${limit} bytes of JSON`);
    Object.defineProperty(this, 'status', { value: 413 });
  }
}
