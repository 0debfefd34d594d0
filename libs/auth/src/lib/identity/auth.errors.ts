import {
  ConflictError,
  ForbiddenError,
  TooManyRequestsError,
  UnauthenticatedError,
} from '@agenthub/errors';

export class MissingCredentialsError extends UnauthenticatedError {
  constructor() {
    super(
      'AUTH.UNAUTHENTICATED',
      'This route requires a bearer token (Authorization: Bearer <token>)',
    );
  }
}

export class InvalidTokenError extends UnauthenticatedError {
  constructor() {
    super(
      'AUTH.INVALID_TOKEN',
      'The bearer token is invalid, or its user no longer exists or is inactive',
    );
  }
}

export class TokenExpiredError extends UnauthenticatedError {
  constructor() {
    super('AUTH.TOKEN_EXPIRED', 'The bearer token has expired; log in again');
  }
}

export class InvalidApiKeyError extends UnauthenticatedError {
  constructor() {
    super(
      'AUTH.INVALID_API_KEY',
      'The API key is invalid, revoked or expired, or its agent is inactive',
    );
  }
}

/** Wrong email, wrong password and inactive account all look the same from outside. */
export class InvalidCredentialsError extends UnauthenticatedError {
  constructor() {
    super('AUTH.INVALID_CREDENTIALS', 'Invalid email or password');
  }
}

export class TooManyLoginAttemptsError extends TooManyRequestsError {
  constructor(retryAfterSeconds: number) {
    super(
      'AUTH.TOO_MANY_ATTEMPTS',
      `Too many failed logins for this email; try again in ${retryAfterSeconds} s`,
      retryAfterSeconds,
    );
  }
}

/** How long a login refused for a busy server should wait: a few checks' time. */
export const LOGINS_BUSY_RETRY_AFTER_SECONDS = 1;

/**
 * This process checks as many passwords as it may at once, and enough logins wait for one
 * (a flood): the same 429 code, so clients back off as they do for a locked email.
 */
export class LoginsBusyError extends TooManyRequestsError {
  constructor() {
    super(
      'AUTH.TOO_MANY_ATTEMPTS',
      `Too many logins are being checked on this server right now; try again in ${LOGINS_BUSY_RETRY_AFTER_SECONDS} s`,
      LOGINS_BUSY_RETRY_AFTER_SECONDS,
    );
  }
}

export class RegistrationClosedError extends ForbiddenError {
  constructor() {
    super('AUTH.REGISTRATION_CLOSED', 'Self-registration is disabled on this server');
  }
}

export class EmailTakenError extends ConflictError {
  constructor() {
    super('AUTH.EMAIL_TAKEN', 'A user with this email already exists');
  }
}

/** The route is for people; agents (API keys) may not use it. */
export class UserRequiredError extends ForbiddenError {
  constructor() {
    super('AUTH.USER_REQUIRED', 'Only users may do this, not agents');
  }
}

export class SuperuserRequiredError extends ForbiddenError {
  constructor() {
    super('AUTH.SUPERUSER_REQUIRED', 'Only superusers may do this');
  }
}

/** The 401 codes the access guard answers on any route that needs a token (for the document). */
export const UNAUTHENTICATED_CODES = [
  'AUTH.UNAUTHENTICATED',
  'AUTH.INVALID_TOKEN',
  'AUTH.TOKEN_EXPIRED',
  'AUTH.INVALID_API_KEY',
];
