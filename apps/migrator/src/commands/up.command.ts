import { ensureDatabase } from '@agenthub/database';
import { MigrationRunner } from '@agenthub/migrations';
import { GlobalOptions, print, readConfig, withDatabase } from '../cli-context';

export interface UpOptions extends GlobalOptions {
  to?: string;
}

export async function upCommand(options: UpOptions): Promise<void> {
  const applied = await withDatabase(readConfig(), async (url) => {
    await ensureDatabase(url);
    const runner = await MigrationRunner.connect(url);
    try {
      return await runner.up(options.to);
    } finally {
      await runner.close();
    }
  });
  print(
    options,
    applied.length === 0 ? 'Nothing to do: the database is up to date.' : applied.map((name) => `applied  ${name}`).join('\n'),
    { applied },
  );
}
