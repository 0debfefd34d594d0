import { SingleBar } from 'cli-progress';
import pino from 'pino';
import type { MigrationLogger, ProgressReporter } from '@agenthub/migrations';

/** Where the CLI writes: process.stdout/stderr, or captures in tests. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: 100,
};

/**
 * Log lines on stderr (stdout carries the command's result): JSON lines that a cluster's log
 * pipeline can parse when stderr is not a terminal, short text lines when it is.
 */
export function createLogger(stream: OutputStream, level: string): MigrationLogger {
  if (!stream.isTTY) {
    const logger = pino(
      {
        level,
        base: { app: 'agenthub-migrator' },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      { write: (line: string) => stream.write(line) },
    );
    const at = (l: Level) => (message: string, fields?: Record<string, unknown>) =>
      logger[l](fields ?? {}, message);
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  }
  const threshold = ORDER[level] ?? ORDER['info'];
  const at = (l: Level) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[l] < threshold) return;
    const detail =
      fields && Object.keys(fields).length > 0
        ? `  ${Object.entries(fields)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ')}`
        : '';
    stream.write(`${l === 'info' ? '' : `${l}: `}${message}${detail}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Progress bars on a terminal; elsewhere the log lines already say what happens. */
export function createProgress(stream: OutputStream): ProgressReporter {
  if (!stream.isTTY) return { start: () => ({ tick: () => undefined, stop: () => undefined }) };
  return {
    start(label, total) {
      const bar = new SingleBar({
        format: `${label} [{bar}] {value}/{total} {detail}`,
        stream: stream as unknown as NodeJS.WritableStream,
        hideCursor: true,
        clearOnComplete: false,
      });
      bar.start(total, 0, { detail: '' });
      return {
        tick: (detail) => bar.increment(1, { detail: detail ?? '' }),
        stop: () => bar.stop(),
      };
    },
  };
}
