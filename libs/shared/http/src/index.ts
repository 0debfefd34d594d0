export { configureHttpApp } from './lib/configure-http-app';
export { problemServerOptions } from './lib/framework-errors';
export { createValidationPipe } from './lib/validation';
export { page, PaginationQueryDto } from './lib/pagination';
export type { Page } from './lib/pagination';
export { isUuid, UuidParam } from './lib/uuid-param';
export { requestIdFor } from './lib/request-id';
export { MaxJsonSize, OptionalNotNull, QueryBoolean, Trim, TrimEach } from './lib/field-rules';
export {
  ApiAuth,
  ApiNoAuth,
  ApiOp,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  BEARER_SCHEME,
  NO_AUTH_MARKER,
  ProblemDetailsDto,
  unavailableResponse,
} from './lib/openapi';
export { isoTimestamp, wireTimestampSql } from './lib/timestamps';
export { RestDispatcher, RestProblem } from './lib/rest-dispatcher';
export type { OpenApiDocument, RestCall, RestResult } from './lib/rest-dispatcher';
export { isJsonObject, orNull } from './lib/json-schema';
