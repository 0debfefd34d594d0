// The migrator's real entry (runMain: signal handling, exit codes) for tests that need a separate
// process: to send it signals, or to let it start an embedded PostgreSQL (jest's module sandbox
// cannot load that ES module). TEST_SLOW_SECONDS appends a slow test migration.
import 'reflect-metadata';
import { MIGRATIONS } from '@agenthub/migrations';
import { runMain } from '../src/cli';
import { slowMigration } from './test-migrations';

const slow = process.env['TEST_SLOW_SECONDS'];
runMain(slow ? [...MIGRATIONS, slowMigration(Number(slow))] : MIGRATIONS);
