import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isStatementTimeout } from './database-unavailable';
import { TooManyRequestsError } from './domain-error';
import {
  internalProblem,
  Problem,
  PROBLEM_CONTENT_TYPE,
  toProblem,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
} from './problem';

const UNAVAILABLE_LOG_INTERVAL_MS = 5_000;

/**
 * The single global filter: every error leaves the API as application/problem+json. That
 * includes what Fastify raises before a route runs (malformed JSON, a body too large) and
 * unknown routes: Nest installs Fastify's error and not-found handlers and hands what they
 * catch to the global filters.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');
  /** When the last "database unavailable" was logged: one line per interval, not per request. */
  private unavailableLoggedAt = 0;

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest | undefined>();
    let body: Problem | undefined = toProblem(error);
    if (!body) {
      // The request's id ties this line to the request's own log line.
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.logger.error(request ? `request ${String(request.id)}: ${detail}` : detail);
      body = internalProblem();
    }
    if (request) body.instance = request.url.split('?')[0];
    if (error instanceof TooManyRequestsError && error.retryAfterSeconds) {
      reply.header('retry-after', String(error.retryAfterSeconds));
    } else if (body.status === 503) {
      reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      // A statement past its timeout is no outage: the same request will time out again.
      if (isStatementTimeout(error))
        this.logger.error(`statement timeout: ${error instanceof Error ? error.message : ''}`);
      else if (Date.now() - this.unavailableLoggedAt > UNAVAILABLE_LOG_INTERVAL_MS) {
        this.unavailableLoggedAt = Date.now();
        this.logger.warn(
          `database unavailable, answering 503: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }
}
