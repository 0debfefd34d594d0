export { MIGRATIONS } from './migrations';
export { migrateToLatest, MigrationRunner, readMigrationStatus } from './lib/migration-runner';
export type { MigrationRunnerOptions, PlannedMigration } from './lib/migration-runner';
export type { InterruptedStep } from './lib/interrupted-runs';
export {
  errorText,
  MigrationToolError,
  MigrationUsageError,
  MigrationValidationError,
} from './lib/migration-errors';
export type { MigrationLogger, ProgressReporter } from './lib/migration-logger';
export { AdvisoryLock, MIGRATION_LOCK_KEY, withMigrationLock } from './lib/advisory-lock';
export { waitForDatabase } from './lib/database-wait';
export { createBackup } from './lib/backup';
export { cleanupBackups, listBackups } from './lib/backup-directory';
export { restoreBackup } from './lib/restore';
export { verifyDatabaseIntegrity } from './lib/integrity';
export { displayName } from './lib/database-catalog';
