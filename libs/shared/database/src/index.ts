export * from './lib/base.entity';
export * from './lib/embedded-postgres';
export * from './lib/orm-options';
export * from './lib/database.module';
export * from './lib/database-url';
export { pagedQuery } from './lib/paged-query';
