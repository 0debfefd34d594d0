import type { Command } from 'commander';
import { EXIT, type CliContext } from '../cli-context';

export function registerValidateCommand(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description(
      'check applied migrations against this build: changed, vanished, out of order, duplicated (read-only; exit 2 on a problem)',
    )
    .action(async () => {
      const problems = await ctx.withRunner(true, (runner) => runner.validate());
      ctx.print(
        problems.length === 0
          ? 'Migrations are valid.'
          : problems.map((p) => `problem  ${p.message}`).join('\n'),
        { ok: problems.length === 0, problems },
      );
      if (problems.length > 0) {
        ctx.stderr.write(`agenthub-migrator: validation failed (${problems.length} problem(s))\n`);
        ctx.exitCode = EXIT.invalid;
      }
    });
}
