export { BaseEntity } from './lib/base.entity';
export { freePort, startEmbeddedPostgres } from './lib/embedded-postgres';
export type { EmbeddedPostgres } from './lib/embedded-postgres';
export { createOrmOptions, MIGRATIONS_TABLE } from './lib/orm-options';
export { DatabaseModule } from './lib/database.module';
export {
  databaseExists,
  databaseNameOf,
  ensureDatabase,
  redactUrl,
  withDatabase,
  withMaintenanceClient,
} from './lib/database-url';
export { PreparedStatements } from './lib/prepared-statements';
export {
  AgentHubPostgreSqlDriver,
  PooledTransaction,
  TransactionCompletedError,
} from './lib/pooled-transaction';
export { RequestTransactionHooks } from './lib/request-transaction.hooks';
export type { RequestTransactionHook } from './lib/request-transaction.hooks';
export { WithoutRequestTransaction } from './lib/request-transaction.interceptor';
export { pagedQuery } from './lib/paged-query';
export { PeriodicRound } from './lib/periodic-round';
