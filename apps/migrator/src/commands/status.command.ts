import { databaseExists } from '@agenthub/database';
import { MIGRATIONS, MigrationRunner } from '@agenthub/migrations';
import { GlobalOptions, print, readConfig, withDatabase } from '../cli-context';

export async function statusCommand(options: GlobalOptions): Promise<void> {
  const status = await withDatabase(readConfig(), async (url) => {
    // Read-only: a database that does not exist yet simply has everything pending.
    if (!(await databaseExists(url))) return { applied: [], pending: MIGRATIONS.map((m) => m.name) };
    const runner = await MigrationRunner.connect(url);
    try {
      return await runner.status();
    } finally {
      await runner.close();
    }
  });
  const lines = [
    ...status.applied.map((m) => `applied  ${m.name}  (${m.executed_at})`),
    ...status.pending.map((name) => `pending  ${name}`),
    status.pending.length === 0 ? 'Database is up to date.' : `${status.pending.length} pending migration(s).`,
  ];
  print(options, lines.join('\n'), status);
}
