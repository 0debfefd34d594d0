import type { ClientBase } from 'pg';
import { HISTORY_TABLE, HistoryAction } from './migration-history';
import { errorText, LockTimeoutError } from './migration-errors';
import type { MigrationLogger } from './migration-logger';
import { sleep } from './sleep';

/** A step whose run was killed (or lost its connection) before it ended, as the next run found it. */
export interface InterruptedStep {
  id: string;
  name: string;
  action: HistoryAction;
  run_id: string | null;
  started_at: string;
  /** Sessions of that run still open when it was found, which this run ended. */
  terminated: number[];
}

export interface RecoverOptions {
  logger: MigrationLogger;
  /** How long to wait for a terminated session of the dead run to go. Default 10 s. */
  timeoutMs?: number;
  /** Whether the migration `name` runs in a transaction (what the history cannot say). */
  transactional?: (name: string) => boolean | undefined;
}

/**
 * Under the migration lock (so no other run is live): every history row still `running` belongs
 * to a run that died in the middle of that step, a SIGKILL or a lost connection, which had no
 * chance to record anything. A session of that run may outlive it (a backend blocked on a lock
 * notices its client is gone only when it next talks to it) and still hold the locks of a
 * transaction that can never commit: it is ended (`pg_terminate_backend`). Then the row is
 * marked failed, with what happened. PostgreSQL rolled the step's transaction back.
 */
export async function recoverInterruptedRuns(
  client: ClientBase,
  options: RecoverOptions,
): Promise<InterruptedStep[]> {
  const { rows } = await client.query<{
    id: string;
    name: string;
    action: HistoryAction;
    run_id: string | null;
    started_at: Date;
  }>(
    `SELECT "id", "name", "action", "run_id", "started_at" FROM "${HISTORY_TABLE}" WHERE "running" ORDER BY "id"`,
  );
  const found: InterruptedStep[] = [];
  for (const row of rows) {
    const terminated = row.run_id ? await endSessions(client, row.run_id, options) : [];
    const transactional = row.action === 'restore' ? true : options.transactional?.(row.name);
    const what = row.action === 'restore' ? `restore of ${row.name}` : `${row.action} ${row.name}`;
    const error =
      `interrupted: the run ${row.run_id ?? '(unknown)'} ended in the middle of ${what} (killed, or its connection was lost) and recorded nothing; ` +
      (transactional === true
        ? 'PostgreSQL rolled its transaction back, so nothing of it remains'
        : transactional === false
          ? 'it ran outside a transaction: check for a half-done change (e.g. an INVALID index) before running it again'
          : 'PostgreSQL rolled its transaction back (a migration that runs outside one may have left a half-done change)') +
      (terminated.length > 0
        ? ` (its lingering session, pid ${terminated.join(', ')}, was ended)`
        : '');
    await client.query(
      `UPDATE "${HISTORY_TABLE}" SET "running" = false, "success" = false, "error" = $2 WHERE "id" = $1 AND "running"`,
      [row.id, error],
    );
    options.logger.warn(`an earlier run was interrupted in the middle of ${what}`, {
      history_id: Number(row.id),
      run_id: row.run_id,
      started_at: new Date(row.started_at).toISOString(),
      terminated,
    });
    found.push({
      id: row.id,
      name: row.name,
      action: row.action,
      run_id: row.run_id,
      started_at: new Date(row.started_at).toISOString(),
      terminated,
    });
  }
  return found;
}

/** Ends the sessions named `runId` of this database and waits until they are gone. */
async function endSessions(
  client: ClientBase,
  runId: string,
  options: RecoverOptions,
): Promise<number[]> {
  const sessions = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`;
  const { rows } = await client.query<{ pid: number }>(sessions, [runId]);
  if (rows.length === 0) return [];
  const pids = rows.map((r) => r.pid);
  options.logger.warn(`ending the lingering session of an interrupted run`, {
    run_id: runId,
    pids,
  });
  await client
    .query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids])
    // Without the right to (another role's session): it ends once it notices its client is gone.
    .catch((error) =>
      options.logger.warn('could not end it, waiting for it to go', { error: errorText(error) }),
    );
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const { rows: left } = await client.query(sessions, [runId]);
    if (left.length === 0) return pids;
    if (Date.now() >= deadline)
      throw new LockTimeoutError(
        `the session of the interrupted run ${runId} (pid ${pids.join(', ')}) did not end`,
      );
    await sleep(50);
  }
}
