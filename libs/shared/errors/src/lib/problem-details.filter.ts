import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TooManyRequestsError } from './domain-error';
import { internalProblem, Problem, PROBLEM_CONTENT_TYPE, toProblem } from './problem';

/** Writes a problem document on a Fastify reply. Shared by the Nest filter and Fastify's error handler. */
export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest | undefined,
  error: unknown,
  logger: Pick<Logger, 'error'>,
): void {
  let body: Problem | undefined = toProblem(error);
  if (!body) {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    body = internalProblem();
  }
  if (request) body.instance = request.url.split('?')[0];
  if (error instanceof TooManyRequestsError && error.retryAfterSeconds) {
    reply.header('retry-after', String(error.retryAfterSeconds));
  }
  reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
}

/** The single global filter: every error leaves the API as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(
      http.getResponse<FastifyReply>(),
      http.getRequest<FastifyRequest>(),
      error,
      this.logger,
    );
  }
}
