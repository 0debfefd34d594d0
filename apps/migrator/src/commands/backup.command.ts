import type { Command } from 'commander';
import { cleanupBackups, createBackup, displayName, listBackups } from '@agenthub/migrations';
import { wholeNumber, type CliContext } from '../cli-context';

export function registerBackupCommands(program: Command, ctx: CliContext): void {
  program
    .command('backup')
    .description('write a consistent backup of every table (COPY, no pg_dump) to --dir')
    .action(async () => {
      const backup = await ctx.withExistingDatabase((url) =>
        createBackup({
          url,
          dir: ctx.backupDir,
          reason: 'manual',
          appVersion: ctx.appVersion,
          logger: ctx.logger,
          progress: ctx.progress,
          signal: ctx.signal,
        }),
      );
      const tables = Object.fromEntries(
        backup.tables.map((t) => [displayName(t.schema, t.name), t.rows]),
      );
      const rows = backup.tables.reduce((n, t) => n + t.rows, 0);
      ctx.print(
        `backup ${backup.id} written to ${backup.path} (${backup.tables.length} tables, ${rows} rows)`,
        { id: backup.id, path: backup.path, tables },
      );
    });

  program
    .command('list-backups')
    .description('backups in --dir, oldest first')
    .action(async () => {
      const backups = await listBackups(ctx.backupDir);
      const human =
        backups.length === 0
          ? `No backups in ${ctx.backupDir}.`
          : backups
              .map(
                (b) =>
                  `${b.id}  ${b.created_at}  ${b.schema_version ?? '(no schema)'}  ${Object.values(b.tables).reduce((n, r) => n + r, 0)} rows  ${b.reason}`,
              )
              .join('\n');
      ctx.print(human, { dir: ctx.backupDir, backups });
    });

  program
    .command('cleanup-backups')
    .description('delete all but the newest N backups')
    .requiredOption('--keep <n>', 'how many backups to keep', wholeNumber)
    .action(async (options: { keep: number }) => {
      const result = await cleanupBackups(ctx.backupDir, options.keep);
      ctx.print(
        result.removed.length === 0
          ? `Nothing to remove (${result.kept.length} backup(s) kept).`
          : result.removed.map((id) => `removed  ${id}`).join('\n'),
        result,
      );
    });
}
