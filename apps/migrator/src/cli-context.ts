import { AppConfig, ConfigError, loadConfig } from '@agenthub/config';
import { EmbeddedPostgres, startEmbeddedPostgres } from '@agenthub/database';

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, failed: 1, invalid: 2, lockTimeout: 3, unreachable: 4 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

export interface GlobalOptions {
  json?: boolean;
  verbose?: boolean;
}

/** Output: human lines by default, one JSON document on stdout with --json. */
export function print(options: GlobalOptions, human: string, json: unknown): void {
  process.stdout.write(options.json ? `${JSON.stringify(json)}\n` : `${human}\n`);
}

export function readConfig(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.invalid);
    throw error;
  }
}

/**
 * The database the command works on: DATABASE_URL, or (like the API) the embedded server
 * under AGENTHUB_DATA_DIR, started for the command and stopped after it.
 */
export async function withDatabase<T>(config: AppConfig, fn: (url: string) => Promise<T>): Promise<T> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
    url = embedded.url;
  }
  try {
    return await fn(url);
  } finally {
    await embedded?.stop();
  }
}
