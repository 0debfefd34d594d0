import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { internalProblem, PROBLEM_CONTENT_TYPE, toProblem } from '@agenthub/errors';

/**
 * What Fastify answers on its own, before any route or Nest filter can: a URL it cannot
 * decode (400), a path parameter longer than `maxParamLength` (414), and what Node's HTTP
 * parser refuses on the socket (headers over `maxHeaderSize`: 431, a timeout: 408, garbage:
 * 400). Its default bodies are plain JSON; these options make them problem+json like every
 * other error. Pass them to the FastifyAdapter (main.ts and the test app do).
 */
export const problemServerOptions: Pick<
  FastifyServerOptions,
  'frameworkErrors' | 'clientErrorHandler'
> = {
  frameworkErrors(error: Error, request: FastifyRequest, reply: FastifyReply) {
    const body = toProblem(error) ?? internalProblem();
    body.instance = request.url.split('?')[0];
    void reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  },
  clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
    // The peer is gone: nothing to answer (Node's documented advice for 'clientError').
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400;
    const body = toProblem(
      Object.assign(new Error(clientErrorDetail(status)), { statusCode: status }),
    );
    const json = JSON.stringify(body);
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${body?.title}\r\nConnection: close\r\n` +
          `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      );
    }
    socket.destroy(error);
  },
};

function clientErrorDetail(status: number): string {
  if (status === 431) return 'The request headers (or the request line) exceed the size limit';
  if (status === 408) return 'The request was not received in time';
  return 'The request is not valid HTTP';
}
