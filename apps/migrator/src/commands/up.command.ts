import type { Command } from 'commander';
import {
  createBackup,
  errorText,
  InterruptedStep,
  MigrationValidationError,
} from '@agenthub/migrations';
import type { CliContext } from '../cli-context';
import { formatSql } from './plan.command';

/**
 * The backup `up` and `down` take under the migration lock, right before the first change. A
 * database with nothing applied yet has nothing to lose; --no-backup skips it; with --force a
 * failed backup is logged and the migration goes on (Agent OS's migration framework has the same
 * "proceed even if backup fails").
 */
export function backupBeforeChange(
  ctx: CliContext,
  url: string,
  result: { backup: string | null },
) {
  return async (change: { direction: 'up' | 'down'; migrations: string[]; applied: string[] }) => {
    if (!ctx.options.backup)
      return void ctx.logger.info('no backup before this change (--no-backup)');
    if (change.applied.length === 0)
      return void ctx.logger.info('no backup: nothing applied yet, so no data to lose');
    try {
      const backup = await createBackup({
        url,
        dir: ctx.backupDir,
        reason: `before ${change.direction} ${change.migrations.join(', ')}`,
        appVersion: ctx.appVersion,
        logger: ctx.logger,
        progress: ctx.progress,
        signal: ctx.signal,
      });
      result.backup = backup.id;
    } catch (error) {
      if (!ctx.options.force || ctx.signal?.aborted) throw error;
      ctx.logger.warn(`--force: going on without a backup, which failed: ${errorText(error)}`);
    }
  };
}

/** Human lines for the steps of killed runs that this run found and recorded. */
export function interruptedLines(interrupted: InterruptedStep[]): string[] {
  return interrupted.map(
    (step) =>
      `interrupted  ${step.action} ${step.name} of an earlier run (${step.run_id ?? 'unknown'}, started ${step.started_at}): recorded in the history`,
  );
}

export function registerUpCommand(program: Command, ctx: CliContext): void {
  program
    .command('up')
    .description('validate, back up, then apply pending migrations, each in its own transaction')
    .option('--to <name>', 'stop after this migration')
    .option('--dry-run', 'show what would be applied and do nothing (read-only)')
    .action(async (options: { to?: string; dryRun?: boolean }) => {
      if (options.dryRun) {
        const { pending, problems } = await ctx.withRunner(true, async (runner) => {
          const status = await runner.status();
          return {
            pending: await runner.plan(options.to),
            problems: status.problems,
            applied: status.applied,
          };
        });
        if (problems.length > 0 && !ctx.options.force) throw new MigrationValidationError(problems);
        const human =
          pending.length === 0
            ? 'Nothing to do: the database is up to date.'
            : [
                ...pending.map((m) => `would apply  ${m.name}`),
                ctx.options.verbose
                  ? `\n${formatSql(pending)}`
                  : '(--verbose shows the SQL; plan prints it alone)',
              ].join('\n');
        ctx.print(human, { dry_run: true, pending: pending.map((m) => m.name), problems });
        return;
      }

      const result: { backup: string | null } = { backup: null };
      const { migrations, forced, interrupted } = await ctx.withRunner(false, (runner, db) =>
        runner.up({
          to: options.to,
          force: ctx.options.force,
          signal: ctx.signal,
          beforeChange: backupBeforeChange(ctx, db.url, result),
        }),
      );
      ctx.print(
        [
          ...interruptedLines(interrupted),
          ...(migrations.length === 0
            ? ['Nothing to do: the database is up to date.']
            : [
                ...(result.backup ? [`backup   ${result.backup}`] : []),
                ...migrations.map((name) => `applied  ${name}`),
              ]),
        ].join('\n'),
        { applied: migrations, backup: result.backup, forced, interrupted },
      );
    });
}
