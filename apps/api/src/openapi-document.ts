import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@agenthub/config';
import { configureHttpApp } from '@agenthub/http';
import { AppModule } from './app.module';
import { format, resolveConfig } from 'prettier';
import { buildOpenApiDocument } from './openapi';

/** The committed document, relative to the workspace root (where npm scripts run). */
const COMMITTED = 'apps/api/openapi.json';

/**
 * `npm run openapi [file]` writes the OpenAPI document (default apps/api/openapi.json);
 * `npm run openapi:check` fails when the committed file differs from what the code says.
 * No database is needed: Nest's preview mode reads the modules and controllers but
 * instantiates no provider, so nothing connects anywhere.
 */
async function main(args: string[]): Promise<void> {
  const check = args.includes('--check');
  const file = args.find((arg) => !arg.startsWith('--')) ?? COMMITTED;
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(loadConfig({ LOG_LEVEL: 'silent' })),
    new FastifyAdapter(),
    { preview: true, logger: false, abortOnError: false },
  );
  configureHttpApp(app);
  const document = buildOpenApiDocument(app);
  await app.close();
  // Written as prettier writes it, so `format:check` accepts the file as generated.
  const text = await format(JSON.stringify(document), {
    ...(await resolveConfig(COMMITTED)),
    filepath: COMMITTED,
  });

  if (!check) {
    writeFileSync(file, text);
    return;
  }
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (committed !== text) {
    process.stderr.write(`openapi: ${file} is stale; run \`npm run openapi\` and commit it\n`);
    process.exit(1);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`openapi: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
