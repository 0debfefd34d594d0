import type { Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '@agenthub/errors';

/**
 * What every API process's sweepers share: a round every `intervalMs`, never two at once (a
 * tick while one runs is skipped), a failure logged rather than thrown, and on stop the
 * running round awaited. The timer never keeps the process (or a test run) alive. While the
 * database is unavailable (down, restarting) the rounds keep trying, but say so once, as a
 * warning, and once more when a round succeeds again: an outage is not an error per round.
 */
export class PeriodicRound {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private waitingForDatabase = false;

  constructor(
    private readonly options: {
      logger: Logger;
      /** Names the round in the failure's log line ("lease sweep"). */
      what: string;
      intervalMs: number;
      round: () => Promise<unknown>;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running) return; // the previous round is still at it
    const { logger, what, round } = this.options;
    this.running = round()
      .then(() => {
        if (!this.waitingForDatabase) return;
        this.waitingForDatabase = false;
        logger.log(`${what}: the database is back`);
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (!isDatabaseUnavailable(error)) return logger.error(`${what} failed: ${message}`);
        if (this.waitingForDatabase) return;
        this.waitingForDatabase = true;
        logger.warn(`${what} waits for the database (${message}); retrying every round`);
      })
      .finally(() => (this.running = undefined));
  }
}
