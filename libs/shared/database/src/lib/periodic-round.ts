import type { Logger } from '@nestjs/common';

/**
 * What every API process's sweepers share: a round every `intervalMs`, never two at once (a
 * tick while one runs is skipped), a failure logged rather than thrown, and on stop the
 * running round awaited. The timer never keeps the process (or a test run) alive.
 */
export class PeriodicRound {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

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
      .catch((error: unknown) =>
        logger.error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => (this.running = undefined));
  }
}
