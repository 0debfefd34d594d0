import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Connection, MigrationObject, Transaction } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import { createOrmOptions, ensureDatabase, MIGRATIONS_TABLE } from '@agenthub/database';
import { MIGRATIONS } from '../migrations';
import { AdvisoryLock, DEFAULT_LOCK_TIMEOUT_MS } from './advisory-lock';
import {
  errorText,
  InterruptedError,
  MigrationExecutionError,
  MigrationUsageError,
  MigrationValidationError,
} from './migration-errors';
import { InterruptedStep, recoverInterruptedRuns } from './interrupted-runs';
import {
  AppliedMigrationRecord,
  CREATE_MIGRATIONS_TABLE,
  ensureHistoryTable,
  historyFinish,
  historyInsert,
  HistoryRow,
  readAppliedRecords,
} from './migration-history';
import { MigrationLogger, NO_PROGRESS, ProgressReporter, SILENT_LOGGER } from './migration-logger';
import { captureMigrationSql, checksumOfSql, MigrationSql } from './migration-sql';
import { findProblems, MigrationProblem } from './migration-validation';

export interface AppliedMigration {
  name: string;
  executed_at: string;
}

export interface MigrationStatus {
  applied: AppliedMigration[];
  pending: string[];
}

/**
 * Applied migrations, read without side effects: a database that was never migrated has no
 * migrations table, and reading it must not create one.
 */
async function readAppliedMigrations(connection: Connection): Promise<AppliedMigration[]> {
  const [{ exists }] = await connection.execute<{ exists: boolean }[]>(
    `SELECT to_regclass(?) IS NOT NULL AS exists`,
    [`public.${MIGRATIONS_TABLE}`],
  );
  if (!exists) return [];
  const rows = await connection.execute<{ name: string; executed_at: Date }[]>(
    `SELECT name, executed_at FROM ${MIGRATIONS_TABLE} ORDER BY id`,
  );
  return rows.map((r: { name: string; executed_at: Date }) => ({
    name: r.name,
    executed_at: new Date(r.executed_at).toISOString(),
  }));
}

/** What the API's readiness probe asks: is every migration of this build applied? */
export async function readMigrationStatus(connection: Connection): Promise<MigrationStatus> {
  const applied = await readAppliedMigrations(connection);
  const done = new Set(applied.map((m) => m.name));
  return { applied, pending: MIGRATIONS.map((m) => m.name).filter((name) => !done.has(name)) };
}

export interface MigrationRunnerOptions {
  /** The migrations of this build, in order; tests pass their own list. Default {@link MIGRATIONS}. */
  migrations?: MigrationObject[];
  logger?: MigrationLogger;
  progress?: ProgressReporter;
  /** Recorded in the history with each run. Default: $AGENTHUB_VERSION (set in the images), else "unknown". */
  appVersion?: string;
  /** How long to wait for another migrator's lock. Default 60 s. */
  lockTimeoutMs?: number;
  /** PostgreSQL lock_timeout for migration statements, so DDL never queues behind long transactions for long. Default 10 s. */
  ddlLockTimeoutMs?: number;
  /** PostgreSQL statement_timeout for migration statements (0 = none). Default 10 min. */
  statementTimeoutMs?: number;
  /** Never create anything: a missing database reads as "nothing applied". */
  readOnly?: boolean;
}

export interface StatusReport {
  applied: AppliedMigrationRecord[];
  pending: string[];
  problems: MigrationProblem[];
}

export interface PlannedMigration {
  name: string;
  checksum: string;
  transactional: boolean;
  sql: string[];
}

export interface ChangeOptions {
  /** Proceed despite validation problems; every override is recorded in the history. */
  force?: boolean;
  /** SIGTERM/SIGINT: cancel the running statement, roll back, record, stop. */
  signal?: AbortSignal;
  /** Called under the lock, once, right before the first change (the migrator backs up here). */
  beforeChange?: (change: {
    direction: 'up' | 'down';
    migrations: string[];
    applied: string[];
  }) => Promise<void>;
}

export interface ChangeResult {
  /** Migrations applied (up) or reverted (down), in execution order. */
  migrations: string[];
  /** Problems that --force overrode. */
  forced: MigrationProblem[];
  /** Steps of earlier runs that were killed midway, found (and recorded) by this one. */
  interrupted: InterruptedStep[];
}

interface KnownMigration {
  name: string;
  object: MigrationObject;
  sql: MigrationSql;
  checksum: string;
}

const DEFAULTS = { ddlLockTimeoutMs: 10_000, statementTimeoutMs: 600_000 };

/**
 * Applies, reverts and inspects the schema migrations of one database, with what MikroORM's own
 * migrator lacks: a lock, checksums, validation, a history of every run, and clean interruption.
 *
 * Two connections: a dedicated control connection (reads, the advisory lock, history rows for
 * failures, cancelling a running statement) and, only when something is executed, a one-connection
 * MikroORM pool whose transactions the migration classes run in.
 */
export class MigrationRunner {
  private orm?: MikroORM;
  private knownCache?: Promise<KnownMigration[]>;
  private readonly migrations: MigrationObject[];
  private readonly logger: MigrationLogger;
  private readonly progress: ProgressReporter;
  private readonly executorName = `agenthub-migrator/${randomBytes(4).toString('hex')}`;
  private readonly lock?: AdvisoryLock;

  private constructor(
    private readonly url: string,
    private readonly client: Client | undefined,
    private readonly options: MigrationRunnerOptions,
  ) {
    this.migrations = options.migrations ?? MIGRATIONS;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.progress = options.progress ?? NO_PROGRESS;
    if (client) this.lock = new AdvisoryLock(client);
  }

  /**
   * Connects to `url`. A missing database is created, unless `readOnly`, where it simply has
   * nothing applied (as with `url` null: a database that cannot exist yet, e.g. an embedded
   * server that was never initialised).
   */
  static async open(
    url: string | null,
    options: MigrationRunnerOptions = {},
  ): Promise<MigrationRunner> {
    if (url === null) {
      if (!options.readOnly)
        throw new MigrationUsageError('a database URL is needed to change anything');
      return new MigrationRunner('', undefined, options);
    }
    let client = await connectControl(url);
    if (!client && !options.readOnly) {
      if (await ensureDatabase(url)) options.logger?.info('created the database');
      client = await connectControl(url);
    }
    return new MigrationRunner(url, client, options);
  }

  /** Every migration of this build with its SQL and checksum (computed once, without a database). */
  known(): Promise<KnownMigration[]> {
    this.knownCache ??= Promise.all(
      this.migrations.map(async (object) => {
        const sql = await captureMigrationSql(object);
        return { name: object.name, object, sql, checksum: checksumOfSql(sql) };
      }),
    );
    return this.knownCache;
  }

  private async readApplied(): Promise<AppliedMigrationRecord[]> {
    return this.client ? readAppliedRecords(this.client) : [];
  }

  async status(): Promise<StatusReport> {
    const [known, applied] = await Promise.all([this.known(), this.readApplied()]);
    const done = new Set(applied.map((m) => m.name));
    const pending = [...new Set(known.map((m) => m.name))].filter((name) => !done.has(name));
    return { applied, pending, problems: findProblems(known, applied) };
  }

  /** Problems `validate` reports; read-only. */
  async validate(): Promise<MigrationProblem[]> {
    return (await this.status()).problems;
  }

  /** The pending migrations `up --to` would apply, with their SQL. Read-only. */
  async plan(to?: string): Promise<PlannedMigration[]> {
    const known = await this.known();
    return this.pendingUpTo(known, await this.readApplied(), to).map(toPlanned);
  }

  private pendingUpTo(
    known: KnownMigration[],
    applied: AppliedMigrationRecord[],
    to?: string,
  ): KnownMigration[] {
    const done = new Set(applied.map((m) => m.name));
    if (to !== undefined && !known.some((m) => m.name === to)) {
      throw new MigrationUsageError(`--to ${to}: no such migration in this build`);
    }
    const pending: KnownMigration[] = [];
    for (const migration of known) {
      if (!done.has(migration.name) && !pending.some((m) => m.name === migration.name))
        pending.push(migration);
      if (migration.name === to) break;
    }
    return pending;
  }

  /** Applies pending migrations (up to and including `to`), each in its own transaction. */
  async up(options: ChangeOptions & { to?: string } = {}): Promise<ChangeResult> {
    const known = await this.known();
    this.pendingUpTo(known, [], options.to); // reject an unknown --to before taking the lock
    return this.underLock(options.signal, async (client) => {
      const { applied, forced, interrupted } = await this.prepare(
        client,
        known,
        options.force ?? false,
      );
      const pending = this.pendingUpTo(known, applied, options.to);
      if (pending.length === 0) return { migrations: [], forced, interrupted };
      await options.beforeChange?.({
        direction: 'up',
        migrations: pending.map((m) => m.name),
        applied: applied.map((m) => m.name),
      });
      await this.runAll(pending, 'up', forced.length > 0, options.signal);
      return { migrations: pending.map((m) => m.name), forced, interrupted };
    });
  }

  /** Reverts the last `step` applied migrations, or every one applied after `to` ("0": all). */
  async down(options: ChangeOptions & ({ to: string } | { step: number })): Promise<ChangeResult> {
    const known = await this.known();
    return this.underLock(options.signal, async (client) => {
      const { applied, forced, interrupted } = await this.prepare(
        client,
        known,
        options.force ?? false,
      );
      const names = applied.map((m) => m.name);
      let targets: string[];
      if ('step' in options) {
        targets = names.slice(Math.max(0, names.length - options.step));
      } else if (options.to === '0') {
        targets = names;
      } else {
        const index = names.indexOf(options.to);
        if (index < 0)
          throw new MigrationUsageError(`--to ${options.to}: not an applied migration`);
        targets = names.slice(index + 1);
      }
      targets.reverse();
      const byName = new Map(known.map((m) => [m.name, m]));
      const unknown = targets.filter((name) => !byName.has(name));
      if (unknown.length > 0)
        throw new MigrationUsageError(`cannot revert ${unknown.join(', ')}: not in this build`);
      const irreversible = targets.filter((name) => byName.get(name)?.sql.down === null);
      if (irreversible.length > 0)
        throw new MigrationUsageError(`cannot revert ${irreversible.join(', ')}: it has no down()`);
      if (targets.length === 0) return { migrations: [], forced, interrupted };
      await options.beforeChange?.({ direction: 'down', migrations: targets, applied: names });
      await this.runAll(
        targets.map((name) => byName.get(name) as KnownMigration),
        'down',
        forced.length > 0,
        options.signal,
      );
      return { migrations: targets, forced, interrupted };
    });
  }

  /**
   * Not withMigrationLock(): the control connection outlives the lock (status, close), so a
   * release that fails is worth a warning here.
   */
  private async underLock<T>(
    signal: AbortSignal | undefined,
    fn: (client: Client) => Promise<T>,
  ): Promise<T> {
    const client = this.client;
    const lock = this.lock;
    if (!client || !lock)
      throw new MigrationUsageError('the database does not exist (opened read-only)');
    await lock.acquire({
      timeoutMs: this.options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      signal,
      logger: this.logger,
    });
    try {
      return await fn(client);
    } finally {
      await lock
        .release()
        .catch((error) =>
          this.logger.warn('could not release the migration lock', { error: errorText(error) }),
        );
    }
  }

  /**
   * Under the lock: make sure the bookkeeping tables exist, record the steps of runs that were
   * killed midway, re-read what is applied (another migrator may have just finished), validate,
   * record --force overrides, and adopt migrations applied before checksums were kept.
   */
  private async prepare(client: Client, known: KnownMigration[], force: boolean) {
    await client.query(CREATE_MIGRATIONS_TABLE);
    await ensureHistoryTable(client);
    const interrupted = await recoverInterruptedRuns(client, {
      logger: this.logger,
      timeoutMs: this.options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      transactional: (name) => known.find((m) => m.name === name)?.sql.transactional,
    });
    let applied = await readAppliedRecords(client);
    const problems = findProblems(known, applied);
    const duplicates = problems.filter((p) => p.kind === 'duplicate');
    // Duplicate names make the build itself ambiguous; there is nothing sensible to force.
    if (duplicates.length > 0) throw new MigrationValidationError(duplicates);
    if (problems.length > 0 && !force) throw new MigrationValidationError(problems);

    const byName = new Map(known.map((m) => [m.name, m]));
    for (const problem of problems) {
      this.logger.warn(`--force: ${problem.message}`, {
        migration: problem.migration,
        problem: problem.kind,
      });
      if (problem.kind === 'missing') {
        // Flyway's "repair": forget it was applied, so validation stops tripping over it.
        await client.query(`DELETE FROM "${MIGRATIONS_TABLE}" WHERE "name" = $1`, [
          problem.migration,
        ]);
      }
      await this.record(client, {
        name: problem.migration,
        action: 'repair',
        checksum: byName.get(problem.migration)?.checksum ?? null,
        success: true,
        startedAt: new Date(),
        executionMs: 0,
        error: `forced: ${problem.message}`,
        forced: true,
      });
    }
    for (const record of applied) {
      const current = byName.get(record.name);
      if (record.checksum === null && current) {
        await this.record(client, {
          name: record.name,
          action: 'baseline',
          checksum: current.checksum,
          success: true,
          startedAt: new Date(),
          executionMs: 0,
        });
      }
    }
    if (problems.length > 0 || applied.some((r) => r.checksum === null))
      applied = await readAppliedRecords(client);
    return { applied, forced: problems, interrupted };
  }

  /** A history row of this run: its host, app version and session added. */
  private historyInsert(row: Omit<HistoryRow, 'hostname' | 'appVersion' | 'runId'>) {
    return historyInsert({
      ...row,
      hostname: hostname(),
      appVersion: this.appVersion,
      runId: this.executorName,
    });
  }

  private async record(
    client: Client,
    row: Omit<HistoryRow, 'hostname' | 'appVersion' | 'runId'>,
  ): Promise<void> {
    const { sql, params } = this.historyInsert(row);
    await client.query(sql, params);
  }

  private get appVersion(): string {
    return this.options.appVersion ?? process.env['AGENTHUB_VERSION'] ?? 'unknown';
  }

  private async runAll(
    migrations: KnownMigration[],
    direction: 'up' | 'down',
    forced: boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    const bar = this.progress.start(
      direction === 'up' ? 'applying migrations' : 'reverting migrations',
      migrations.length,
    );
    try {
      for (const [index, migration] of migrations.entries()) {
        if (signal?.aborted) {
          const done = migrations.slice(0, index).map((m) => m.name);
          throw new InterruptedError(
            String(signal.reason),
            `stopped before ${migration.name}${done.length ? ` (done: ${done.join(', ')})` : ''}`,
          );
        }
        await this.runOne(migration, direction, forced, signal);
        bar.tick(migration.name);
      }
    } finally {
      bar.stop();
    }
  }

  private async executor(): Promise<MikroORM> {
    this.orm ??= await MikroORM.init({
      ...createOrmOptions({ url: this.url, entities: [], poolMax: 1 }),
      // Startup parameters of the migration connection: a name to find (and cancel) it by, and
      // the DDL guards, which hold for transactional and non-transactional migrations alike.
      driverOptions: {
        connection: {
          application_name: this.executorName,
          lock_timeout: this.options.ddlLockTimeoutMs ?? DEFAULTS.ddlLockTimeoutMs,
          statement_timeout: this.options.statementTimeoutMs ?? DEFAULTS.statementTimeoutMs,
        },
      },
    });
    return this.orm;
  }

  /** Cancels whatever statement the migration connection is running (it then rolls back). */
  private async cancelRunning(): Promise<void> {
    await this.client
      ?.query(
        'SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
        [this.executorName],
      )
      .catch((error) =>
        this.logger.warn('could not cancel the running statement', { error: errorText(error) }),
      );
  }

  private async runOne(
    migration: KnownMigration,
    direction: 'up' | 'down',
    forced: boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    const orm = await this.executor();
    const driver = orm.em.getDriver();
    const connection = driver.getConnection();
    const Ctor = migration.object.class as unknown as new (
      driver: unknown,
      config: unknown,
    ) => Migration;
    const instance = new Ctor(driver, orm.config);
    const startedAt = new Date();
    const t0 = performance.now();
    const checkSignal = () => {
      if (signal?.aborted)
        throw new InterruptedError(
          String(signal.reason),
          `${direction} ${migration.name} rolled back`,
        );
    };
    const onAbort = () => void this.cancelRunning();
    signal?.addEventListener('abort', onAbort);
    this.logger.info(`${direction} ${migration.name}`, {
      migration: migration.name,
      direction,
      transactional: migration.sql.transactional,
    });

    const run = async (trx?: Transaction) => {
      instance.reset();
      if (trx) instance.setTransactionContext(trx);
      await instance[direction]();
      for (const query of instance.getQueries()) {
        checkSignal();
        await driver.execute(query, undefined, 'all', trx);
      }
      checkSignal();
    };
    const bookkeeping =
      direction === 'up'
        ? `INSERT INTO "${MIGRATIONS_TABLE}" ("name") VALUES ($1)`
        : `DELETE FROM "${MIGRATIONS_TABLE}" WHERE "name" = $1`;
    const historyRow = (success: boolean, error?: string) => ({
      name: migration.name,
      action: direction,
      checksum: migration.checksum,
      success,
      startedAt,
      executionMs: performance.now() - t0,
      error,
      forced,
    });

    const control = this.client as Client;
    let rowId: string | undefined;
    const succeeded = () =>
      historyFinish(rowId as string, { success: true, executionMs: performance.now() - t0 });
    try {
      // Committed before the step starts and ended with it: a run killed midway leaves the row
      // running, and the next run records what happened (recoverInterruptedRuns).
      const started = this.historyInsert({ ...historyRow(false), executionMs: 0, running: true });
      rowId = (await control.query<{ id: string }>(started.sql, started.params)).rows[0].id;
      if (migration.sql.transactional) {
        await connection.transactional(async (trx) => {
          checkSignal();
          await run(trx);
          // In the migration's own transaction: applied and recorded, or neither.
          await connection.execute(toKnexPlaceholders(bookkeeping), [migration.name], 'run', trx);
          const finish = succeeded();
          await connection.execute(toKnexPlaceholders(finish.sql), finish.params, 'run', trx);
        });
      } else {
        await run();
        await control.query('BEGIN');
        try {
          await control.query(bookkeeping, [migration.name]);
          const finish = succeeded();
          await control.query(finish.sql, finish.params);
          await control.query('COMMIT');
        } catch (error) {
          await control.query('ROLLBACK');
          throw error;
        }
      }
    } catch (error) {
      const interrupted = signal?.aborted === true;
      const text = interrupted
        ? `interrupted by ${String(signal?.reason)}: ${errorText(error)}`
        : errorText(error);
      this.logger.error(
        `${direction} ${migration.name} failed${migration.sql.transactional ? ' and was rolled back' : ''}`,
        {
          migration: migration.name,
          direction,
          error: text,
        },
      );
      try {
        const failed = rowId
          ? historyFinish(rowId, {
              success: false,
              executionMs: performance.now() - t0,
              error: text,
            })
          : this.historyInsert(historyRow(false, text));
        await control.query(failed.sql, failed.params);
      } catch (recordError) {
        this.logger.warn('could not record the failure in the history', {
          error: errorText(recordError),
        });
      }
      if (interrupted)
        throw new InterruptedError(
          String(signal?.reason),
          `${direction} ${migration.name} rolled back`,
        );
      throw new MigrationExecutionError(migration.name, direction, error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    this.logger.info(`${direction} ${migration.name} done`, {
      migration: migration.name,
      direction,
      execution_ms: Math.round(performance.now() - t0),
    });
  }

  async close(): Promise<void> {
    await this.orm?.close(true);
    this.orm = undefined;
    await this.client?.end().catch(() => undefined);
  }
}

/** $1, $2 … → ? for MikroORM's execute(), which inlines escaped values. */
function toKnexPlaceholders(sql: string): string {
  return sql.replace(/\$\d+/g, '?');
}

function toPlanned(m: KnownMigration): PlannedMigration {
  return { name: m.name, checksum: m.checksum, transactional: m.sql.transactional, sql: m.sql.up };
}

/** A control connection to `url`, or undefined when that database does not exist. */
async function connectControl(url: string): Promise<Client | undefined> {
  const client = new Client({ connectionString: url, application_name: 'agenthub-migrator' });
  client.on('error', () => undefined); // surfaced by the next query instead of crashing the process
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    if ((error as { code?: string }).code === '3D000') return undefined;
    throw error;
  }
}

/** Connects, applies everything pending (under the lock, validated), disconnects. */
export async function migrateToLatest(
  url: string,
  options: MigrationRunnerOptions = {},
): Promise<string[]> {
  const runner = await MigrationRunner.open(url, options);
  try {
    return (await runner.up()).migrations;
  } finally {
    await runner.close();
  }
}
