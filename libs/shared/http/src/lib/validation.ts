import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldErrors, RequestValidationError } from '@agenthub/errors';

/** Flattens class-validator's tree into `{ "field.sub": ["message", ...] }`. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldErrors {
  const out: FieldErrors = {};
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) {
      out[path] = Object.entries(error.constraints).map(([rule, message]) =>
        // "property x should not exist" is the whitelist's wording; say it plainly.
        rule === 'whitelistValidation' ? `unknown field "${path}" is not allowed` : message,
      );
    }
    if (error.children?.length) Object.assign(out, flattenValidationErrors(error.children, path));
  }
  return out;
}

/**
 * The strict global pipe: unknown fields are refused (not silently dropped), values are
 * converted to their declared types, and every failure names its field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(flattenValidationErrors(errors)),
  });
}
