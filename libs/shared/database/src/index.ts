export * from './lib/base.entity';
export * from './lib/embedded-postgres';
export * from './lib/orm-options';
export * from './lib/database.module';
export * from './lib/database-url';
export { RequestTransactionHooks } from './lib/request-transaction.hooks';
export type { RequestTransactionHook } from './lib/request-transaction.hooks';
export { WithoutRequestTransaction } from './lib/request-transaction.interceptor';
export { pagedQuery } from './lib/paged-query';
