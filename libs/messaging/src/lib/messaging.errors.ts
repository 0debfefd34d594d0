import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '@agenthub/errors';

export class RoomNotFoundError extends NotFoundError {
  constructor() {
    super('ROOM.NOT_FOUND', 'Room not found');
  }
}

export class ParticipantNotFoundError extends NotFoundError {
  constructor() {
    super('ROOM.PARTICIPANT_NOT_FOUND', 'Participant not found in this room');
  }
}

/** The agent or user to add is not one the room's project may have. */
export class InvalidParticipantError extends InvalidInputError {
  constructor(field: 'agent_id' | 'user_id' | 'agent_id/user_id', message: string) {
    super('ROOM.INVALID_PARTICIPANT', message, { [field]: [message] });
  }
}

export class AlreadyParticipantError extends ConflictError {
  constructor() {
    super('ROOM.ALREADY_PARTICIPANT', 'Already a participant of this room');
  }
}

export class NotRoomParticipantError extends ForbiddenError {
  constructor() {
    super('ROOM.NOT_PARTICIPANT', 'Only agents that participate in the room may post to it');
  }
}
