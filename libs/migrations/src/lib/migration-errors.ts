import type { MigrationProblem } from './migration-validation';

/**
 * What can go wrong when migrating, backing up or restoring. Each class is one kind of failure
 * that callers (the migrator CLI) map to one exit code; the message is one line for humans.
 */
export abstract class MigrationToolError extends Error {
  abstract readonly kind: 'failed' | 'invalid' | 'lock_timeout' | 'unreachable' | 'interrupted';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** validate found problems and --force was not given. */
export class MigrationValidationError extends MigrationToolError {
  readonly kind = 'invalid';
  constructor(readonly problems: MigrationProblem[]) {
    super(
      `validation failed: ${problems.map((p) => p.message).join('; ')}` +
        (problems.some((p) => p.kind !== 'duplicate')
          ? ' (fix the migrations, or pass --force to proceed and record it)'
          : ''),
    );
  }
}

/** A request that cannot be carried out as asked: unknown --to, bad backup id, wrong schema version. */
export class MigrationUsageError extends MigrationToolError {
  readonly kind = 'invalid';
}

/** A backup whose manifest or data files are not what was written: it is never restored. */
export class BackupIntegrityError extends MigrationToolError {
  readonly kind = 'invalid';
}

export class LockTimeoutError extends MigrationToolError {
  readonly kind = 'lock_timeout';
}

export class DatabaseUnreachableError extends MigrationToolError {
  readonly kind = 'unreachable';
}

/** A migration's SQL failed; its transaction was rolled back and a failure row recorded. */
export class MigrationExecutionError extends MigrationToolError {
  readonly kind = 'failed';
  constructor(
    readonly migration: string,
    readonly direction: 'up' | 'down',
    cause: unknown,
  ) {
    super(`${direction} ${migration} failed and was rolled back: ${errorText(cause)}`);
  }
}

/** SIGTERM/SIGINT: the running step was rolled back, the lock released. */
export class InterruptedError extends MigrationToolError {
  readonly kind = 'interrupted';
  constructor(
    readonly signal: string,
    what: string,
  ) {
    super(`interrupted by ${signal}: ${what}`);
  }
}

/** The first line of an error's message, plus PostgreSQL's detail when there is one. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const pg = error as Error & { detail?: string; code?: string };
  const first = pg.message.split('\n')[0];
  return pg.detail ? `${first} (${pg.detail})` : first;
}
