import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppConfig, ConfigError, DotEnvError, loadConfig, loadDotEnv } from '@agenthub/config';
import { redactUrl, startEmbeddedPostgres, EmbeddedPostgres } from '@agenthub/database';
import { configureHttpApp, problemServerOptions, requestIdFor } from '@agenthub/http';
import { migrateToLatest } from '@agenthub/migrations';
import { AppModule } from './app.module';
import { setupConsole } from './console';
import { setupOpenApi } from './openapi';

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
    const applied = await migrateToLatest(config.databaseUrl as string);
    if (applied.length > 0) process.stdout.write(`applied migrations: ${applied.join(', ')}\n`);
  }

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config),
    new FastifyAdapter({
      trustProxy: true,
      bodyLimit: 1024 * 1024,
      requestIdHeader: false,
      genReqId: requestIdFor,
      ...problemServerOptions,
    }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
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
