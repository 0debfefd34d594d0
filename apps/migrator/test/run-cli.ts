import type { MigrationObject } from '@mikro-orm/core';
import { MIGRATIONS } from '@agenthub/migrations';
import { runCli } from '../src/cli';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json<T = Record<string, unknown>>(): T;
}

/** Runs the migrator in this process with its own environment and captured output. */
export async function cli(
  args: string[],
  env: Record<string, string | undefined>,
  migrations: MigrationObject[] = MIGRATIONS,
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['node', 'agenthub-migrator', ...args], {
    migrations,
    env: { LOG_LEVEL: 'info', ...env },
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  });
  const stdout = out.join('');
  return { code, stdout, stderr: err.join(''), json: () => JSON.parse(stdout) };
}
