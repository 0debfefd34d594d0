import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, PROBLEM_CONTENT_TYPE } from '@agenthub/errors';

export const CONSOLE_PATH = '/console';

/**
 * The console is the API's own page: every script, style and font comes from this origin and
 * it calls nothing else (its charts' inline styles are the one allowance).
 */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Where the built console is: configured, next to the built API, or in the workspace's dist. */
export function findConsoleDir(configured?: string): string | undefined {
  const candidates = configured
    ? [configured]
    : [resolve(__dirname, '../console'), resolve(process.cwd(), 'dist/apps/console')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

function notFound(reply: FastifyReply, detail: string, code = 'RESOURCE.NOT_FOUND') {
  return reply
    .code(404)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problem(404, code, detail));
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
}

/**
 * The operator console (apps/console, built by `npx nx build console`) at /console: its hashed
 * assets cached for good, and `index.html` for every other path under /console, so a deep link
 * (`/console/projects/…/queue`) opens the page the console's router draws. Without a build,
 * /console answers a 404 problem that says how to make one. The console is public files only:
 * the data it shows comes from the REST API, with the signed-in user's token.
 */
export function setupConsole(app: NestFastifyApplication, configuredDir?: string): void {
  const fastify = app.getHttpAdapter().getInstance();
  const dir = findConsoleDir(configuredDir);
  if (!dir) {
    const notBuilt = async (_request: FastifyRequest, reply: FastifyReply) =>
      notFound(
        reply,
        `The console is not built${configuredDir ? ` in ${configuredDir}` : ''}: run \`npx nx build console\` (npm start does), or set AGENTHUB_CONSOLE_DIR.`,
        'CONSOLE.NOT_BUILT',
      );
    fastify.get(CONSOLE_PATH, notBuilt);
    fastify.get(`${CONSOLE_PATH}/*`, notBuilt);
    return;
  }
  void fastify.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: `${CONSOLE_PATH}/`,
      // Files are routed one by one (read at start); any other path gets index.html below.
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders: (reply, path) => {
        secure(reply);
        // Vite names assets by their content hash: a new build has new names.
        reply.header(
          'cache-control',
          path.includes(`${join(dir, 'assets')}`)
            ? 'public, max-age=31536000, immutable'
            : 'no-cache',
        );
      },
    });
    const page = async (request: FastifyRequest, reply: FastifyReply) =>
      // A missing asset is a 404, not the page: a stale tab asking for an old build's script
      // must fail loudly, not parse HTML as JavaScript.
      request.url.startsWith(`${CONSOLE_PATH}/assets/`)
        ? notFound(reply, `No such console asset: ${request.url.split('?')[0]}`)
        : secure(reply).header('cache-control', 'no-cache').sendFile('index.html', dir);
    scope.get(CONSOLE_PATH, page);
    scope.get(`${CONSOLE_PATH}/*`, page);
  });
}
