export * from './lib/test-database';
export * from './lib/create-test-app';
export * from './lib/shared-fixtures';
