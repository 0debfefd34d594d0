import { Param, ParseUUIDPipe } from '@nestjs/common';
import { InvalidInputError } from '@agenthub/errors';

/** A path parameter that must be a UUID: anything else is a 400 naming the parameter. */
export const UuidParam = (name: string) =>
  Param(
    name,
    new ParseUUIDPipe({
      version: undefined,
      exceptionFactory: () =>
        new InvalidInputError('REQUEST.INVALID_ID', `Path parameter "${name}" must be a UUID`, {
          [name]: ['must be a UUID'],
        }),
    }),
  );

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `text` is a UUID (any version, either case): what every id of the API is. */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}
