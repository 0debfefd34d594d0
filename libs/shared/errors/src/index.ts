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
export { PROBLEM_CONTENT_TYPE, internalProblem, problem, toProblem } from './lib/problem';
export type { Problem } from './lib/problem';
