import { InvalidInputError } from '@agenthub/errors';

/** `Last-Event-ID` (or `?last_event_id=`) is not a cursor this server wrote. */
export class InvalidCursorError extends InvalidInputError {
  constructor(field: string) {
    super(
      'EVENT.INVALID_CURSOR',
      `${field} is not an event id of this stream (expected <tx_id>-<position>)`,
      { [field]: ['must be the id of an event this stream sent'] },
    );
  }
}

/** `?types=` holds a pattern that is not a type, a `prefix.*` or `*`. */
export class InvalidTypeFilterError extends InvalidInputError {
  constructor(message: string) {
    super('EVENT.INVALID_TYPES', message, { types: [message] });
  }
}
