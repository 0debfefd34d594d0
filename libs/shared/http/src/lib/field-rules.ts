import { Transform } from 'class-transformer';
import { registerDecorator, ValidateIf, ValidationOptions } from 'class-validator';

/*
 * Field decorators every request DTO may use. Domain limits (lengths, counts) stay in the
 * lib that owns the fields; only the generic rules live here, once.
 */

/** May be left out, but not set to null (for columns that are NOT NULL). */
export const OptionalNotNull = () =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Trims surrounding whitespace so "a " and "a" are the same name. */
export const Trim = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** Trims every string of a list. */
export const TrimEach = () =>
  Transform(({ value }) =>
    Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim() : v)) : value,
  );

/** `"true"`/`"false"` in a query string; anything else stays as it is and fails @IsBoolean. */
export const QueryBoolean = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/** A JSON value whose serialized form stays under `bytes` (nesting could hide a huge document). */
export function MaxJsonSize(bytes: number, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'maxJsonSize',
      target: object.constructor,
      propertyName,
      constraints: [bytes],
      options: {
        message: `$property must serialize to at most ${bytes} bytes of JSON`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          value === undefined || Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') <= bytes,
      },
    });
}
