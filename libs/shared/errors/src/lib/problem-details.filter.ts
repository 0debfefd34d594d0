import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TooManyRequestsError } from './domain-error';
import { internalProblem, Problem, PROBLEM_CONTENT_TYPE, toProblem } from './problem';

/**
 * The single global filter: every error leaves the API as application/problem+json. That
 * includes what Fastify raises before a route runs (malformed JSON, a body too large) and
 * unknown routes: Nest installs Fastify's error and not-found handlers and hands what they
 * catch to the global filters.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest | undefined>();
    let body: Problem | undefined = toProblem(error);
    if (!body) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      body = internalProblem();
    }
    if (request) body.instance = request.url.split('?')[0];
    if (error instanceof TooManyRequestsError && error.retryAfterSeconds) {
      reply.header('retry-after', String(error.retryAfterSeconds));
    }
    reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }
}
