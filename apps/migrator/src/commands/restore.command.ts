import type { Command } from 'commander';
import { restoreBackup } from '@agenthub/migrations';
import type { CliContext } from '../cli-context';

export function registerRestoreCommand(program: Command, ctx: CliContext): void {
  program
    .command('restore')
    .description(
      'verify a backup, then replace all data with it in one transaction (same schema version unless --force)',
    )
    .argument('<id>', 'backup id (see list-backups)')
    .action(async (id: string) => {
      const result = await ctx.withExistingDatabase((url) =>
        restoreBackup({
          url,
          dir: ctx.backupDir,
          id,
          force: ctx.options.force,
          lockTimeoutMs: ctx.options.lockTimeout * 1000,
          ddlLockTimeoutMs: ctx.options.ddlLockTimeout * 1000,
          appVersion: ctx.appVersion,
          logger: ctx.logger,
          progress: ctx.progress,
          signal: ctx.signal,
        }),
      );
      const rows = Object.values(result.tables).reduce((n, r) => n + r, 0);
      ctx.print(
        `restored ${result.id} (${Object.keys(result.tables).length} tables, ${rows} rows)`,
        result,
      );
    });
}
