// The migrator's real entry (runMain: signal handling, exit codes) for tests that need a separate
// process: to send it signals, or to let it start an embedded PostgreSQL (jest's module sandbox
// cannot load that ES module). TEST_SLOW_SECONDS appends a slow test migration.
import 'reflect-metadata';
import { MIGRATIONS } from '@agenthub/migrations';
import { slowMigration } from '@agenthub/testing';
import { runMain } from '../src/cli';

const slow = process.env['TEST_SLOW_SECONDS'];
runMain(slow ? [...MIGRATIONS, slowMigration(Number(slow))] : MIGRATIONS);
