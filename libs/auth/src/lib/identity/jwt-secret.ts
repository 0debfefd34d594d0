import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '@agenthub/config';

/** Injection token of the HS256 signing key (a string). */
export const JWT_SIGNING_KEY = Symbol('JWT_SIGNING_KEY');

export const JWT_SECRET_FILE = 'jwt-secret';
/** Who signs our tokens and who they are for: a token minted for something else is refused. */
export const JWT_ISSUER = 'agenthub';
export const JWT_AUDIENCE = 'agenthub-api';

/**
 * `JWT_SECRET` when set. Otherwise (never in production: the config refuses to start
 * without it) a random key generated once into `<dataDir>/jwt-secret` (mode 0600) and
 * reused, so tokens survive a restart. The key is written to a temporary file and
 * hard-linked into place, which fails if the file exists: two processes starting at once
 * never write different keys, and nobody reads a half-written one.
 */
export async function resolveJwtSecret(
  config: Pick<AppConfig, 'jwtSecret' | 'dataDir' | 'isProduction'>,
): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret;
  if (config.isProduction) throw new Error('JWT_SECRET is required when NODE_ENV=production');
  const file = join(config.dataDir, JWT_SECRET_FILE);
  let secret = await readKeyFile(file);
  if (secret === undefined) {
    await mkdir(config.dataDir, { recursive: true });
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(draft, `${randomBytes(48).toString('base64url')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    try {
      await link(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(draft);
    }
    secret = (await readKeyFile(file)) ?? '';
  }
  if (secret.length < 32)
    throw new Error(`${file} holds fewer than 32 characters; delete it to generate a new key`);
  return secret;
}

async function readKeyFile(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
