import type { Command } from 'commander';
import { MigrationValidationError, PlannedMigration } from '@agenthub/migrations';
import type { CliContext } from '../cli-context';

export function formatSql(migrations: PlannedMigration[]): string {
  return migrations
    .map((m) =>
      [
        `-- ${m.name}  checksum ${m.checksum}${m.transactional ? '' : '  (runs outside a transaction)'}`,
        ...m.sql.map((statement) =>
          statement.trimEnd().endsWith(';') ? statement : `${statement};`,
        ),
      ].join('\n'),
    )
    .join('\n\n');
}

export function registerPlanCommand(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('print the SQL of every pending migration, executing nothing (read-only)')
    .option('--to <name>', 'stop after this migration')
    .action(async (options: { to?: string }) => {
      const { pending, problems } = await ctx.withRunner(true, async (runner) => {
        const status = await runner.status();
        return { pending: await runner.plan(options.to), problems: status.problems };
      });
      if (problems.length > 0 && !ctx.options.force) throw new MigrationValidationError(problems);
      ctx.print(
        pending.length === 0 ? '-- Nothing to do: the database is up to date.' : formatSql(pending),
        { pending, problems },
      );
    });
}
