export {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RequestValidationError,
  TooManyRequestsError,
  UnauthenticatedError,
} from './lib/domain-error';
export type { FieldErrors } from './lib/domain-error';
export { ProblemDetailsFilter } from './lib/problem-details.filter';
export { isDatabaseUnavailable, isStatementTimeout } from './lib/database-unavailable';
export {
  PROBLEM_CONTENT_TYPE,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
  databaseUnavailableProblem,
  internalProblem,
  problem,
  toProblem,
} from './lib/problem';
export type { Problem } from './lib/problem';
