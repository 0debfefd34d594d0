import { Client } from 'pg';
import { redactUrl } from '@agenthub/database';
import { DatabaseUnreachableError, errorText, InterruptedError } from './migration-errors';
import type { MigrationLogger } from './migration-logger';
import { sleep } from './sleep';

export interface WaitOptions {
  /** How long to keep trying; 0 tries once. */
  timeoutMs: number;
  signal?: AbortSignal;
  logger?: MigrationLogger;
}

// SQLSTATEs a server answers while it cannot take us *yet*: starting up / shutting down, full.
const TRANSIENT_SQLSTATES = new Set(['57P03', '53300', '08006', '08001', '08004']);

/** Network failures and "not ready yet" answers are worth retrying; a refused password is not. */
function isTransientConnectError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  if (code === undefined) return true; // "Connection terminated unexpectedly", timeouts
  if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ENOTFOUND, EAI_AGAIN, ECONNRESET, …
  return TRANSIENT_SQLSTATES.has(code);
}

/**
 * Waits until the server of `url` accepts connections (a Kubernetes Job may start before
 * PostgreSQL), with backoff from 250 ms up to 2 s. Answers whether the database itself exists;
 * a missing database means the server is up. Throws DatabaseUnreachableError when time runs out
 * or the server refuses us for good (authentication, permissions).
 */
export async function waitForDatabase(
  url: string,
  options: WaitOptions,
): Promise<{ exists: boolean }> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = 250;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const client = new Client({
      connectionString: url,
      connectionTimeoutMillis: 5000,
      application_name: 'agenthub-migrator',
    });
    client.on('error', () => undefined); // a dying attempt must not crash the process
    try {
      await client.connect();
      await client.end();
      if (attempts > 1) options.logger?.info('database is up', { attempts });
      return { exists: true };
    } catch (error) {
      await client.end().catch(() => undefined);
      if ((error as { code?: string }).code === '3D000') return { exists: false };
      if (!isTransientConnectError(error)) {
        throw new DatabaseUnreachableError(
          `cannot connect to ${redactUrl(url)}: ${errorText(error)}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new DatabaseUnreachableError(
          `database ${redactUrl(url)} unreachable after ${Math.round(options.timeoutMs / 1000)} s (${attempts} attempts): ${errorText(error)}`,
        );
      }
      if (attempts === 1)
        options.logger?.info('waiting for the database', {
          url: redactUrl(url),
          reason: errorText(error),
          timeout_s: options.timeoutMs / 1000,
        });
      else
        options.logger?.debug('database not up yet', {
          attempt: attempts,
          reason: errorText(error),
        });
      await sleep(Math.min(delay, left), options.signal);
      if (options.signal?.aborted)
        throw new InterruptedError(
          String(options.signal.reason ?? 'abort'),
          'stopped waiting for the database',
        );
      delay = Math.min(delay * 2, 2000);
    }
  }
}
