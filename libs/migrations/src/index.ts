export { MIGRATIONS } from './migrations';
export { migrateToLatest, MigrationRunner, readMigrationStatus } from './lib/migration-runner';
export type { MigrationRunnerOptions, PlannedMigration } from './lib/migration-runner';
export {
  errorText,
  MigrationToolError,
  MigrationUsageError,
  MigrationValidationError,
} from './lib/migration-errors';
export type { MigrationLogger, ProgressReporter } from './lib/migration-logger';
export { AdvisoryLock, MIGRATION_LOCK_KEY } from './lib/advisory-lock';
export { waitForDatabase } from './lib/database-wait';
export { cleanupBackups, createBackup, listBackups, restoreBackup } from './lib/backup';
export { verifyDatabaseIntegrity } from './lib/integrity';
