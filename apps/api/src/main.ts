import 'reflect-metadata';
import type { Socket } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import {
  AppConfig,
  ConfigError,
  directDatabaseUrl,
  DotEnvError,
  loadConfig,
  loadDotEnv,
} from '@agenthub/config';
import { redactUrl, startEmbeddedPostgres, EmbeddedPostgres } from '@agenthub/database';
import { configureHttpApp, problemServerOptions, requestIdFor } from '@agenthub/http';
import { migrateToLatest } from '@agenthub/migrations';
import { AppModule } from './app.module';
import { setupConsole } from './console';
import { setupOpenApi } from './openapi';

/**
 * Slow clients (slow-loris): a connection must deliver its request line and headers within
 * HEADERS_TIMEOUT_MS and its whole request, body included, within REQUEST_TIMEOUT_MS, or it is
 * answered 408 `REQUEST.TIMEOUT` and closed (Node's `headersTimeout` / `requestTimeout`, checked
 * every CONNECTIONS_CHECK_INTERVAL_MS instead of Node's 30 s, so the bound is tight). They time
 * the *request* only: a long response, such as an event stream, is not affected once its GET
 * is in, and an idle keep-alive connection is Fastify's `keepAliveTimeout` (72 s). Node's
 * defaults (60 s / 300 s) would let a thousand trickling sockets sit for minutes.
 * A 1 MiB body at a very slow 35 KiB/s still arrives in time.
 */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;
/** A larger body is 413 `REQUEST.TOO_LARGE`, unread: at once by its Content-Length, else at 1 MiB. */
const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * A refusal before the body is in (413, say) closes the connection: the rest is never read.
 * Closed at once, though, the socket's unread input makes the kernel reset the connection,
 * and a client still sending loses the answer with it. So the server half-closes after the
 * answer and reads on (discarding) for up to LINGER_MS or LINGER_BYTES before it closes
 * (nginx's "lingering close"): the client reads its 413 and stops.
 */
const LINGER_MS = 2_000;
const LINGER_BYTES = 8 * 1024 * 1024;

/** Replaces the close Node does after a `connection: close` answer by a lingering one. */
function lingerOnClose(socket: Socket): void {
  socket.destroySoon = function lingeringClose(this: Socket): void {
    if (this.writable) this.end();
    const readBefore = this.bytesRead;
    const check = setInterval(() => {
      if (this.bytesRead - readBefore > LINGER_BYTES) this.destroy();
    }, 50);
    const deadline = setTimeout(() => this.destroy(), LINGER_MS);
    check.unref();
    deadline.unref();
    this.once('close', () => {
      clearInterval(check);
      clearTimeout(deadline);
    });
  };
}

function fail(message: string): never {
  process.stderr.write(`agenthub: ${message}\n`);
  process.exit(1);
}

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    loadDotEnv();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DotEnvError) fail(error.message);
    throw error;
  }

  let embedded: EmbeddedPostgres | undefined;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
    config = { ...config, databaseUrl: embedded.url };
  }
  if (config.migrateOnStart) {
    // The migration lock is a session's: past a transaction-mode pooler, on the direct URL.
    const applied = await migrateToLatest(directDatabaseUrl(config));
    if (applied.length > 0) process.stdout.write(`applied migrations: ${applied.join(', ')}\n`);
  }

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config),
    new FastifyAdapter({
      trustProxy: true,
      bodyLimit: BODY_LIMIT_BYTES,
      requestTimeout: REQUEST_TIMEOUT_MS,
      http: {
        headersTimeout: HEADERS_TIMEOUT_MS,
        connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
      },
      requestIdHeader: false,
      genReqId: requestIdFor,
      ...problemServerOptions,
    }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply, payload) => {
      // Fastify answers `connection: close` when it stops reading a body (too large, broken).
      if (!request.raw.complete && reply.getHeader('connection') === 'close')
        lingerOnClose(request.raw.socket);
      return payload;
    });
  configureHttpApp(app);
  setupOpenApi(app);
  setupConsole(app, config.consoleDir);
  await app.listen(config.port, config.host);

  const logger = app.get(Logger);
  logger.log(
    `AgentHub API on http://${config.host}:${config.port} (database ${embedded ? 'embedded, ' : ''}${redactUrl(config.databaseUrl as string)})`,
    'Bootstrap',
  );

  // Stop in order: refuse new requests and finish the running ones, then the database.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received, shutting down`, 'Bootstrap');
    try {
      await app.close();
      await embedded?.stop();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

bootstrap().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
