export { MIGRATIONS } from './migrations';
export * from './lib/migration-runner';
