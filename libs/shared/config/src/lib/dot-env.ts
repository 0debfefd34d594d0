import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/** A `.env` file that exists but cannot be read; the message is one line naming the file. */
export class DotEnvError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file} cannot be loaded: ${reason.replace(/\s+/g, ' ')}`);
    this.name = 'DotEnvError';
  }
}

/**
 * Loads `<cwd>/.env` into `env` before the config is read: each variable the file sets
 * that `env` does not have yet. Real environment variables win, also when set to the empty
 * string, as with Node's `process.loadEnvFile()`, whose parser this is (`util.parseEnv`).
 * Writing into `env` rather than calling `process.loadEnvFile()` keeps the target an
 * argument: that function writes the process's own environment, which jest's sandboxed
 * `process.env` does not show.
 *
 * No file: nothing happens. Answers the path it loaded, or `undefined`.
 */
export function loadDotEnv(
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const file = join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DotEnvError(file, error instanceof Error ? error.message : String(error));
  }
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (!(name in env) && value !== undefined) env[name] = value;
  }
  return file;
}
