import type { ClientBase } from 'pg';
import { MIGRATIONS_TABLE } from '@agenthub/database';

/** Our audit trail of every migration run, beside MikroORM's list of applied names. */
export const HISTORY_TABLE = 'agenthub_migration_history';

/** Tables that describe the schema rather than hold data: never backed up, restored or counted as data. */
export const BOOKKEEPING_TABLES: readonly string[] = [MIGRATIONS_TABLE, HISTORY_TABLE];

/**
 * `up`/`down`: a migration ran (success or failure). `baseline`: a migration applied before
 * checksums were kept got its checksum recorded. `repair`: `--force` accepted a changed or
 * vanished migration. `restore`: a backup (its id in `name`) was restored.
 */
export type HistoryAction = 'up' | 'down' | 'baseline' | 'repair' | 'restore';

const ACTIONS: readonly HistoryAction[] = ['up', 'down', 'baseline', 'repair', 'restore'];
const ACTION_CHECK = `CONSTRAINT "${HISTORY_TABLE}_action_check" CHECK ("action" IN (${ACTIONS.map((a) => `'${a}'`).join(', ')}))`;

// MikroORM's own layout (MigrationStorage.ensureTable), so its tooling still reads the table.
export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" ("id" serial PRIMARY KEY, "name" varchar(255), "executed_at" timestamptz DEFAULT current_timestamp)`;

/**
 * `run_id` names the session a step ran on (its `application_name`); `running` is true from
 * right before a step starts until it ends: a row still running once its run no longer holds
 * the lock is a run that was killed (or lost its connection) in the middle of that step.
 */
export const CREATE_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "${HISTORY_TABLE}" (
  "id" bigserial PRIMARY KEY,
  "name" varchar(255) NOT NULL,
  "action" varchar(16) NOT NULL ${ACTION_CHECK},
  "checksum" char(64),
  "success" boolean NOT NULL,
  "started_at" timestamptz NOT NULL,
  "execution_ms" integer NOT NULL,
  "installed_by" text NOT NULL DEFAULT current_user,
  "hostname" text NOT NULL,
  "app_version" text NOT NULL,
  "error" text,
  "forced" boolean NOT NULL DEFAULT false,
  "run_id" varchar(64),
  "running" boolean NOT NULL DEFAULT false
)`;

/** A history table of an older migrator gets the columns and the action it lacks. */
const UPGRADE_HISTORY_TABLE = `ALTER TABLE "${HISTORY_TABLE}"
  ADD COLUMN IF NOT EXISTS "run_id" varchar(64),
  ADD COLUMN IF NOT EXISTS "running" boolean NOT NULL DEFAULT false,
  DROP CONSTRAINT IF EXISTS "${HISTORY_TABLE}_action_check",
  ADD ${ACTION_CHECK}`;

/** Under the migration lock: the history table exists, in this version's layout. */
export async function ensureHistoryTable(client: ClientBase): Promise<void> {
  await client.query(CREATE_HISTORY_TABLE);
  const { rows } = await client.query(
    `SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'running' AND NOT attisdropped`,
    [`"${HISTORY_TABLE}"`],
  );
  if (rows.length === 0) await client.query(UPGRADE_HISTORY_TABLE);
}

export interface HistoryRow {
  name: string;
  action: HistoryAction;
  checksum: string | null;
  success: boolean;
  startedAt: Date;
  executionMs: number;
  hostname: string;
  appVersion: string;
  error?: string | null;
  forced?: boolean;
  /** The session (application_name) the step runs on. */
  runId?: string | null;
  /** A step about to start: finished later with {@link historyFinish}. */
  running?: boolean;
}

/** INSERT statement and parameters ($1…) for one history row; it returns the row's id. */
export function historyInsert(row: HistoryRow): { sql: string; params: unknown[] } {
  return {
    sql: `INSERT INTO "${HISTORY_TABLE}" ("name", "action", "checksum", "success", "started_at", "execution_ms", "hostname", "app_version", "error", "forced", "run_id", "running") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING "id"`,
    params: [
      row.name,
      row.action,
      row.checksum,
      row.success,
      row.startedAt,
      Math.round(row.executionMs),
      row.hostname,
      row.appVersion,
      row.error ?? null,
      row.forced ?? false,
      row.runId ?? null,
      row.running ?? false,
    ],
  };
}

/** UPDATE statement and parameters ($1…) that ends the running row `id` with its outcome. */
export function historyFinish(
  id: string,
  outcome: { success: boolean; executionMs: number; error?: string | null },
): { sql: string; params: unknown[] } {
  return {
    sql: `UPDATE "${HISTORY_TABLE}" SET "running" = false, "success" = $1, "execution_ms" = $2, "error" = $3 WHERE "id" = $4`,
    params: [outcome.success, Math.round(outcome.executionMs), outcome.error ?? null, id],
  };
}

export interface AppliedMigrationRecord {
  name: string;
  /** Checksum recorded when it was applied (or accepted with --force); null before checksums were kept. */
  checksum: string | null;
  executed_at: string;
  execution_ms: number | null;
}

async function tableExists(client: ClientBase, table: string): Promise<boolean> {
  const { rows } = await client.query<{ exists: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS "exists"',
    [`public."${table}"`],
  );
  return rows[0].exists;
}

/**
 * Applied migrations in the order they were applied, with what our history knows about each.
 * Read-only: a database without the tables simply has nothing applied.
 */
export async function readAppliedRecords(client: ClientBase): Promise<AppliedMigrationRecord[]> {
  if (!(await tableExists(client, MIGRATIONS_TABLE))) return [];
  if (!(await tableExists(client, HISTORY_TABLE))) {
    const { rows } = await client.query<{ name: string; executed_at: Date }>(
      `SELECT "name", "executed_at" FROM "${MIGRATIONS_TABLE}" ORDER BY "id"`,
    );
    return rows.map((r) => ({
      name: r.name,
      checksum: null,
      executed_at: new Date(r.executed_at).toISOString(),
      execution_ms: null,
    }));
  }
  const { rows } = await client.query<{
    name: string;
    executed_at: Date;
    checksum: string | null;
    execution_ms: number | null;
  }>(
    `SELECT m."name", m."executed_at", c."checksum", u."execution_ms"
       FROM "${MIGRATIONS_TABLE}" m
       LEFT JOIN LATERAL (SELECT h."checksum" FROM "${HISTORY_TABLE}" h
                           WHERE h."name" = m."name" AND h."success" AND h."action" IN ('up', 'baseline', 'repair')
                           ORDER BY h."id" DESC LIMIT 1) c ON true
       LEFT JOIN LATERAL (SELECT h."execution_ms" FROM "${HISTORY_TABLE}" h
                           WHERE h."name" = m."name" AND h."success" AND h."action" = 'up'
                           ORDER BY h."id" DESC LIMIT 1) u ON true
      ORDER BY m."id"`,
  );
  return rows.map((r) => ({
    name: r.name,
    checksum: r.checksum,
    executed_at: new Date(r.executed_at).toISOString(),
    execution_ms: r.execution_ms,
  }));
}

export interface HistoryEntry {
  id: number;
  name: string;
  action: HistoryAction;
  checksum: string | null;
  success: boolean;
  started_at: string;
  execution_ms: number;
  installed_by: string;
  hostname: string;
  app_version: string;
  error: string | null;
  forced: boolean;
  /** The session the step ran on (null in rows of older migrators). */
  run_id: string | null;
  /** The step had not ended when the row was read (or its run was killed: see {@link recoverInterruptedRuns}). */
  running: boolean;
}

/** The whole audit trail, oldest first (empty when the table does not exist). */
export async function readHistory(client: ClientBase): Promise<HistoryEntry[]> {
  if (!(await tableExists(client, HISTORY_TABLE))) return [];
  const { rows } = await client.query(`SELECT * FROM "${HISTORY_TABLE}" ORDER BY "id"`);
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    started_at: new Date(r.started_at).toISOString(),
  }));
}
