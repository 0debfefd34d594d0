import Fastify, { FastifyInstance } from 'fastify';
import http from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { eventually } from '@agenthub/testing';
import { logRequests } from './request-log';

describe('logRequests', () => {
  let fastify: FastifyInstance;
  let lines: Record<string, unknown>[];
  /** A request's line is written when its response closes, a moment after the client's end. */
  const logged = () => eventually(() => lines.length > 0, 'a request log line');

  beforeEach(async () => {
    lines = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    fastify = Fastify({ genReqId: () => 'req-1' });
    logRequests(fastify, pino({ level: 'info' }, sink));
    fastify.get('/api/v1/things/:id', async () => ({ ok: true }));
    fastify.get('/api/v1/broken', async (_request, reply) => reply.code(503).send({}));
    fastify.get('/health/live', async () => ({ status: 'ok' }));
    fastify.get('/api/v1/stream', (request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
      reply.raw.write(': hello\n\n');
      if ((request.query as { end?: string }).end) setTimeout(() => reply.raw.end(), 20);
    });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(() => fastify.close());

  /** A GET over a real connection, read to its end or, with `abort`, to its first chunk. */
  function get(path: string, headers: http.OutgoingHttpHeaders = {}, abort = false) {
    const { port } = fastify.server.address() as { port: number };
    return new Promise<void>((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path, headers }, (response) => {
        if (abort) {
          response.once('data', () => {
            request.destroy();
            resolve();
          });
        } else {
          response.resume();
          response.on('end', resolve);
        }
      });
      request.on('error', reject);
    });
  }

  it('writes one line per request with its id, method, URL, client and status, never its headers', async () => {
    await get('/api/v1/things/42?x=1', {
      authorization: 'Bearer secret-token',
      cookie: 'session=secret',
    });
    await logged();

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: {
        id: 'req-1',
        method: 'GET',
        url: '/api/v1/things/42?x=1',
        remote_address: '127.0.0.1',
      },
      res: { status: 200 },
      responseTime: expect.any(Number),
    });
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('logs a 5xx at error level', async () => {
    await get('/api/v1/broken');
    await logged();

    expect(lines).toEqual([
      expect.objectContaining({ level: 50, msg: 'request errored', res: { status: 503 } }),
    ]);
  });

  it('does not log the health probes', async () => {
    await get('/health/live');
    await get('/api/v1/things/1');
    await logged();

    expect(lines.map((line) => (line['req'] as { url: string }).url)).toEqual(['/api/v1/things/1']);
  });

  it('logs a response taken over by the handler (an event stream) when it ends', async () => {
    await get('/api/v1/stream?end=1');
    await logged();

    expect(lines).toEqual([
      expect.objectContaining({ level: 30, msg: 'request completed', res: { status: 200 } }),
    ]);
  });

  it('logs a request whose client went away before its response was over as aborted', async () => {
    await get('/api/v1/stream', {}, true);
    await logged();

    expect(lines).toEqual([
      expect.objectContaining({ level: 30, msg: 'request aborted', res: { status: 200 } }),
    ]);
  });
});
