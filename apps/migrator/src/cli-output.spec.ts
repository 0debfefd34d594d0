import { createLogger, createProgress } from './cli-output';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, write: (s: string) => chunks.push(s), text: () => chunks.join('') };
}

describe('CLI output', () => {
  it('logs JSON lines when stderr is not a terminal (for the cluster)', () => {
    const stream = capture(false);
    const logger = createLogger(stream, 'info');
    logger.info('up Migration1 done', { migration: 'Migration1', execution_ms: 12 });
    logger.debug('hidden at info');
    const lines = stream
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        app: 'agenthub-migrator',
        migration: 'Migration1',
        execution_ms: 12,
        msg: 'up Migration1 done',
      },
    ]);
  });

  it('logs short text lines on a terminal, and debug only when asked', () => {
    const stream = capture(true);
    createLogger(stream, 'info').warn('waiting for the migration lock', { timeout_s: 60 });
    createLogger(stream, 'info').debug('hidden');
    createLogger(stream, 'debug').debug('shown');
    expect(stream.text()).toBe(
      'warn: waiting for the migration lock  timeout_s=60\ndebug: shown\n',
    );
  });

  it('draws a progress bar on a terminal only', () => {
    const tty = capture(true);
    const task = createProgress(tty).start('backing up tables', 2);
    task.tick('agents');
    task.tick('tasks');
    task.stop();
    expect(tty.text()).toContain('backing up tables');
    expect(tty.text()).toContain('2/2 tasks');

    const pipe = capture(false);
    const silent = createProgress(pipe).start('backing up tables', 2);
    silent.tick('agents');
    silent.stop();
    expect(pipe.text()).toBe('');
  });
});
