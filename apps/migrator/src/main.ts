import 'reflect-metadata';
import { DotEnvError, loadDotEnv } from '@agenthub/config';
import { MIGRATIONS } from '@agenthub/migrations';
import { runMain } from './cli';
import { EXIT } from './cli-context';

// Before any command reads the config: a .env in the working directory, real variables winning.
try {
  loadDotEnv();
} catch (error) {
  if (!(error instanceof DotEnvError)) throw error;
  process.stderr.write(`agenthub-migrator: ${error.message}\n`);
  process.exit(EXIT.invalid);
}
runMain(MIGRATIONS);
