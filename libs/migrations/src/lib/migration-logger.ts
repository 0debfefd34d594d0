/** Structured log lines; the CLI writes them as JSON (for the cluster) or as text (on a terminal). */
export interface MigrationLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Progress of a long step (tables copied, migrations applied); a progress bar on a terminal. */
export interface ProgressReporter {
  start(label: string, total: number): ProgressTask;
}

export interface ProgressTask {
  /** One more unit done; `detail` names it (the table, the migration). */
  tick(detail?: string): void;
  stop(): void;
}

const noop = () => undefined;

export const SILENT_LOGGER: MigrationLogger = { debug: noop, info: noop, warn: noop, error: noop };

export const NO_PROGRESS: ProgressReporter = { start: () => ({ tick: noop, stop: noop }) };
