import pino, { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '@agenthub/config';

/** The process's one pino logger: Nest's log lines (through nestjs-pino) and the request lines. */
export function createRootLogger(level: AppConfig['logLevel']): Logger {
  return pino({
    level,
    // Pretty lines for people at a terminal, JSON for everything else.
    transport: process.stdout.isTTY
      ? { target: 'pino-pretty', options: { singleLine: true } }
      : undefined,
  });
}

/**
 * One line per request, written when its response is over: who asked for what and how it
 * ended, in pino-http's shape (`req` with id, method, URL and the client's address, `res`
 * with the status, `responseTime` in ms). `request completed` is at `info`, or at `error`
 * for a 5xx; `request aborted` (at `info`: the client went away, say from an event stream,
 * before the response was over) carries the status sent so far. Headers (tokens, cookies)
 * are never logged, and `/health/*` (the probes) is not logged at all. The id is Fastify's
 * request id (the caller's well-formed `X-Request-Id`, else a UUID), the one audit rows carry.
 *
 * A Fastify hook and a `close` listener, not pino-http as a Nest middleware: on Fastify a
 * middleware runs through @fastify/middie and nestjs-pino's AsyncLocalStorage on every
 * request, which cost about 100 µs of the API's 500 µs of CPU per `GET /agents/:id`
 * (tools/bench/agents-get.bench.ts). A response's `close` comes once, finished or not, and
 * also for one taken over with `reply.hijack()`.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!request.url.startsWith('/health/')) {
      reply.raw.once('close', () => {
        const status = reply.statusCode;
        const line = {
          req: {
            id: request.id,
            method: request.method,
            url: request.url,
            remote_address: request.ip,
          },
          res: { status },
          responseTime: Math.round(reply.elapsedTime),
        };
        if (!reply.raw.writableFinished) logger.info(line, 'request aborted');
        else if (status >= 500) logger.error(line, 'request errored');
        else logger.info(line, 'request completed');
      });
    }
    done();
  });
}
