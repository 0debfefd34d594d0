import type { Command } from 'commander';
import { CliError, EXIT, wholeNumber, type CliContext } from '../cli-context';
import { backupBeforeChange, interruptedLines } from './up.command';

export function registerDownCommand(program: Command, ctx: CliContext): void {
  program
    .command('down')
    .description(
      'back up, then revert migrations: those applied after --to NAME (--to 0: all), or the last --step N',
    )
    .option('--to <name>', 'revert every migration applied after this one ("0": all of them)')
    .option('--step <n>', 'revert the last N migrations', wholeNumber)
    .action(async (options: { to?: string; step?: number }) => {
      if ((options.to === undefined) === (options.step === undefined)) {
        throw new CliError('down needs exactly one of --to NAME or --step N', EXIT.invalid);
      }
      const target =
        options.to !== undefined ? { to: options.to } : { step: options.step as number };
      const result: { backup: string | null } = { backup: null };
      const { migrations, forced, interrupted } = await ctx.withRunner(false, (runner, db) =>
        runner.down({
          ...target,
          force: ctx.options.force,
          signal: ctx.signal,
          beforeChange: backupBeforeChange(ctx, db.url, result),
        }),
      );
      ctx.print(
        [
          ...interruptedLines(interrupted),
          ...(migrations.length === 0
            ? ['Nothing to revert.']
            : [
                ...(result.backup ? [`backup    ${result.backup}`] : []),
                ...migrations.map((name) => `reverted  ${name}`),
              ]),
        ].join('\n'),
        { reverted: migrations, backup: result.backup, forced, interrupted },
      );
    });
}
