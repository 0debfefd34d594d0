import type { Logger } from '@nestjs/common';
import { PeriodicRound } from './periodic-round';

describe('PeriodicRound', () => {
  const refused = () =>
    Promise.reject(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    );

  function roundWith(outcomes: (() => Promise<unknown>)[]) {
    const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const round = new PeriodicRound({
      logger: logger as unknown as Logger,
      what: 'lease sweep',
      intervalMs: 10,
      round: () => (outcomes.shift() ?? (() => Promise.resolve()))(),
    });
    return { logger, round };
  }

  const ticks = async (n: number) => {
    for (let i = 0; i < n; i++) {
      jest.advanceTimersByTime(10);
      // Let the round's promise chain settle before the next tick.
      for (let j = 0; j < 5; j++) await Promise.resolve();
    }
  };

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('says once that it waits for an unavailable database, and once that it is back', async () => {
    const { logger, round } = roundWith([refused, refused, refused, () => Promise.resolve()]);
    round.start();
    await ticks(5);
    await round.stop();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toContain('lease sweep waits for the database');
    expect(logger.log).toHaveBeenCalledWith('lease sweep: the database is back');
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('logs any other failure as an error, each time', async () => {
    const bug = () => Promise.reject(new TypeError('x is undefined'));
    const { logger, round } = roundWith([bug, bug]);
    round.start();
    await ticks(2);
    await round.stop();
    expect(logger.error).toHaveBeenCalledTimes(2);
    expect(logger.error.mock.calls[0][0]).toBe('lease sweep failed: x is undefined');
    expect(logger.warn).not.toHaveBeenCalled();
  });
});
