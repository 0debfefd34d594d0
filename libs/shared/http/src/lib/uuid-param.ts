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
