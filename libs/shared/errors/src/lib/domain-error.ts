/** Field name → human-readable messages, as in a problem's `errors` member. */
export type FieldErrors = Record<string, string[]>;

/**
 * What services throw. Each error has a stable `code` (`AGENT.NAME_TAKEN`) that clients
 * may switch on. The HTTP status comes with the kind of error (the subclasses below), never
 * from the service; the one global filter turns it into the response (`toProblem`).
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;

  constructor(
    readonly code: string,
    message: string,
    readonly errors?: FieldErrors,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is malformed or breaks a rule about its own content (400). */
export class InvalidInputError extends DomainError {
  readonly status = 400;
}

/** No credentials, or credentials that are not (or no longer) valid (401). */
export class UnauthenticatedError extends DomainError {
  readonly status = 401;
}

/** Authenticated, but not allowed to do this (403). */
export class ForbiddenError extends DomainError {
  readonly status = 403;
}

/** The resource does not exist, or the principal may not know it does (404). */
export class NotFoundError extends DomainError {
  readonly status = 404;
}

/** The request clashes with the current state (409). */
export class ConflictError extends DomainError {
  readonly status = 409;
}

/** Too many attempts; try again later (429). */
export class TooManyRequestsError extends DomainError {
  readonly status = 429;

  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(code, message);
  }
}

/** Body or query failed validation; `errors` names each field. */
export class RequestValidationError extends InvalidInputError {
  constructor(errors: FieldErrors) {
    const fields = Object.keys(errors);
    super(
      'REQUEST.VALIDATION_FAILED',
      `Invalid request: ${fields.map((f) => `${f} (${errors[f][0]})`).join('; ')}`,
      errors,
    );
  }
}
