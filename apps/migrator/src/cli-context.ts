import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { MigrationObject } from '@mikro-orm/core';
import { AppConfig, ConfigError, loadConfig } from '@agenthub/config';
import {
  EmbeddedPostgres,
  startEmbeddedPostgres,
  withDatabase as urlForDatabase,
} from '@agenthub/database';
import {
  MigrationLogger,
  MigrationRunner,
  MigrationRunnerOptions,
  MigrationToolError,
  MigrationUsageError,
  ProgressReporter,
  waitForDatabase,
} from '@agenthub/migrations';
import { createLogger, createProgress, OutputStream } from './cli-output';

/** Exit codes, documented in docs/migrator.md (the Kubernetes Job's failure policy reads them). */
export const EXIT = { ok: 0, failed: 1, invalid: 2, lockTimeout: 3, unreachable: 4 } as const;

/** 128 + signal number, as shells report a process ended by a signal. */
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof MigrationToolError) {
    switch (error.kind) {
      case 'invalid':
        return EXIT.invalid;
      case 'lock_timeout':
        return EXIT.lockTimeout;
      case 'unreachable':
        return EXIT.unreachable;
      case 'interrupted':
        return (
          SIGNAL_EXIT[(error as MigrationToolError & { signal?: string }).signal ?? ''] ??
          EXIT.failed
        );
      default:
        return EXIT.failed;
    }
  }
  return EXIT.failed;
}

/** Option parsers: a bad value is a usage error (exit 2). */
export function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('must be a number of seconds (0 or more)');
  return n;
}

export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new InvalidArgumentError('must be a whole number (0 or more)');
  return Number(value);
}

/** Options every command accepts (commander keeps them on the program). */
export interface GlobalOptions {
  json?: boolean;
  verbose?: boolean;
  /** false with --no-backup */
  backup: boolean;
  force?: boolean;
  lockTimeout: number;
  wait: number;
  ddlLockTimeout: number;
  statementTimeout: number;
  dir?: string;
}

export interface CliDeps {
  /** The migrations of this build; tests pass lists with their own test migrations. */
  migrations: MigrationObject[];
  env?: NodeJS.ProcessEnv;
  stdout?: OutputStream;
  stderr?: OutputStream;
  /** Aborted on SIGTERM/SIGINT (main.ts wires the process signals to it). */
  signal?: AbortSignal;
}

/** A database to work on, and whether it exists. */
export interface DatabaseHandle {
  url: string;
  exists: boolean;
}

function readAppVersion(env: NodeJS.ProcessEnv): string {
  if (env['AGENTHUB_VERSION']) return env['AGENTHUB_VERSION'];
  // dist/apps/migrator/main.js and apps/migrator/src/*.ts both sit three levels below the root.
  for (const file of [
    join(__dirname, '../../../package.json'),
    join(process.cwd(), 'package.json'),
  ]) {
    try {
      const { version } = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof version === 'string') return version;
    } catch {
      // try the next place
    }
  }
  return 'unknown';
}

/** Everything a command needs: options, configuration, output, the database. One per CLI run. */
export class CliContext {
  exitCode: number = EXIT.ok;
  private cachedConfig?: AppConfig;
  private cachedLogger?: MigrationLogger;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly deps: CliDeps,
    private readonly program: Command,
  ) {
    this.stdout = deps.stdout ?? process.stdout;
    this.stderr = deps.stderr ?? process.stderr;
    this.env = deps.env ?? process.env;
  }

  get options(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  get signal(): AbortSignal | undefined {
    return this.deps.signal;
  }

  get config(): AppConfig {
    if (!this.cachedConfig) {
      try {
        this.cachedConfig = loadConfig(this.env);
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message, EXIT.invalid);
        throw error;
      }
    }
    return this.cachedConfig;
  }

  get logger(): MigrationLogger {
    this.cachedLogger ??= createLogger(
      this.stderr,
      this.options.verbose ? 'debug' : (this.env['LOG_LEVEL'] ?? 'info'),
    );
    return this.cachedLogger;
  }

  get progress(): ProgressReporter {
    return createProgress(this.stderr);
  }

  get appVersion(): string {
    return readAppVersion(this.env);
  }

  get backupDir(): string {
    return this.options.dir ?? join(this.config.dataDir, 'backups');
  }

  /** The command's result: human lines by default, one JSON document with --json. */
  print(human: string, json: unknown): void {
    this.stdout.write(this.options.json ? `${JSON.stringify(json)}\n` : `${human}\n`);
  }

  runnerOptions(readOnly: boolean): MigrationRunnerOptions {
    const o = this.options;
    return {
      migrations: this.deps.migrations,
      logger: this.logger,
      progress: this.progress,
      appVersion: this.appVersion,
      lockTimeoutMs: o.lockTimeout * 1000,
      ddlLockTimeoutMs: o.ddlLockTimeout * 1000,
      statementTimeoutMs: o.statementTimeout * 1000,
      readOnly,
    };
  }

  /**
   * The server the migrator talks to: DATABASE_DIRECT_URL when set, else DATABASE_URL. Its
   * session-level advisory lock, its DDL and a restore's transaction need a real session, which
   * a transaction-mode pooler (PgBouncer) in DATABASE_URL would not give. Undefined: embedded.
   */
  get databaseUrl(): string | undefined {
    return this.config.databaseDirectUrl ?? this.config.databaseUrl;
  }

  /**
   * The database the command works on: {@link databaseUrl} (waited for up to --wait seconds),
   * or like the API the embedded server under AGENTHUB_DATA_DIR, started for the command and
   * stopped after it. `readOnly` commands never create anything: without an embedded cluster on
   * disk they see a database that does not exist, and they never create the database itself.
   */
  async withDatabase<T>(readOnly: boolean, fn: (db: DatabaseHandle) => Promise<T>): Promise<T> {
    const config = this.config;
    const url = this.databaseUrl;
    if (url) {
      const { exists } = await waitForDatabase(url, {
        timeoutMs: this.options.wait * 1000,
        signal: this.signal,
        logger: this.logger,
      });
      return fn({ url, exists });
    }
    const database = 'agenthub';
    if (readOnly && !existsSync(join(config.dataDir, 'pg', 'PG_VERSION'))) {
      return fn({ url: `postgres://embedded@127.0.0.1/${database}`, exists: false });
    }
    // Read-only runs start the server on its maintenance database, so nothing gets created.
    const embedded: EmbeddedPostgres = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      database: readOnly ? 'postgres' : database,
    });
    try {
      const url = urlForDatabase(embedded.url, database);
      const { exists } = await waitForDatabase(url, { timeoutMs: 0 });
      return await fn({ url, exists });
    } finally {
      await embedded.stop();
    }
  }

  /** A migration runner on the database (read-only runners never create anything). */
  async withRunner<T>(
    readOnly: boolean,
    fn: (runner: MigrationRunner, db: DatabaseHandle) => Promise<T>,
  ): Promise<T> {
    return this.withDatabase(readOnly, async (db) => {
      const runner = await MigrationRunner.open(
        db.exists || !readOnly ? db.url : null,
        this.runnerOptions(readOnly),
      );
      try {
        return await fn(runner, db);
      } finally {
        await runner.close();
      }
    });
  }

  /** For commands that work on a database that must exist already (backup, restore, verify): never creates one. */
  async withExistingDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
    return this.withDatabase(true, async (db) => {
      if (!db.exists)
        throw new MigrationUsageError(`the database does not exist yet (run "up" first)`);
      return fn(db.url);
    });
  }
}
