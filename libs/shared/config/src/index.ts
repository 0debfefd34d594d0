export * from './lib/app-config';
export * from './lib/config.module';
export { DotEnvError, loadDotEnv } from './lib/dot-env';
