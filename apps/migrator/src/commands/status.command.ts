import type { Command } from 'commander';
import type { CliContext } from '../cli-context';

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('applied and pending migrations, and any validation problem (read-only)')
    .action(async () => {
      const status = await ctx.withRunner(true, (runner) => runner.status());
      const lines = [
        ...status.applied.map(
          (m) =>
            `applied  ${m.name}  ${m.executed_at}${m.execution_ms !== null ? `  ${m.execution_ms} ms` : ''}  ${m.checksum ? m.checksum.slice(0, 12) : '(no checksum yet)'}`,
        ),
        ...status.pending.map((name) => `pending  ${name}`),
        ...status.problems.map((p) => `problem  ${p.message}`),
        status.pending.length === 0
          ? 'Database is up to date.'
          : `${status.pending.length} pending migration(s).`,
      ];
      ctx.print(lines.join('\n'), status);
    });
}
