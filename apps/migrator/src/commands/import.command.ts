import type { Command } from 'commander';
import {
  formatReport,
  IMPORT_SOURCES,
  ImportProgress,
  LegacyImportError,
  runImport,
} from '@agenthub/legacy-import';
import { CliError, EXIT, type CliContext } from '../cli-context';

/** The migrator's progress bars (TTY only), advanced by many rows at once. */
function progressOf(ctx: CliContext): ImportProgress {
  const reporter = ctx.progress;
  return {
    start(label, total) {
      const task = reporter.start(label, total);
      return {
        advance: (n) => {
          for (let i = 0; i < n; i++) task.tick(label);
        },
        stop: () => task.stop(),
      };
    },
  };
}

export function registerImportCommand(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description(
      `bring legacy data in (${IMPORT_SOURCES.join(', ')}), in one transaction, under the migration lock; reports every adjustment`,
    )
    .argument('<source>', `kind of legacy store: ${IMPORT_SOURCES.join(' | ')}`)
    .argument('<path>', 'the legacy file (SQLite database or JSON export)')
    .option(
      '--project <uuid>',
      'the existing project that receives everything (sqlite-phase1, registry-json)',
    )
    .option(
      '--dry-run',
      'do everything, then roll back: nothing is written, the report is the same',
    )
    .action(
      async (source: string, path: string, options: { project?: string; dryRun?: boolean }) => {
        const report = await ctx
          .withExistingDatabase((url) =>
            runImport({
              url,
              source,
              path,
              projectId: options.project,
              dryRun: options.dryRun,
              lockTimeoutMs: ctx.options.lockTimeout * 1000,
              logger: ctx.logger,
              progress: progressOf(ctx),
              signal: ctx.signal,
            }),
          )
          .catch((error: unknown) => {
            if (error instanceof LegacyImportError)
              throw new CliError(
                error.message,
                error.kind === 'invalid' ? EXIT.invalid : EXIT.failed,
              );
            throw error;
          });
        ctx.print(formatReport(report), report);
      },
    );
}
