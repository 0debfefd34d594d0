import { InvalidInputError, TooManyRequestsError } from '@agenthub/errors';

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

/** How long a refused stream should wait: slots free when streams close, at no fixed time. */
export const TOO_MANY_STREAMS_RETRY_AFTER_SECONDS = 5;

/** The principal already has EVENT_STREAMS_PER_PRINCIPAL streams open on this process. */
export class TooManyStreamsError extends TooManyRequestsError {
  constructor(limit: number) {
    super(
      'EVENT.TOO_MANY_STREAMS',
      `This principal already has ${limit} event streams open on this server (the most it may); close one, or retry in ${TOO_MANY_STREAMS_RETRY_AFTER_SECONDS} s`,
      TOO_MANY_STREAMS_RETRY_AFTER_SECONDS,
    );
  }
}
