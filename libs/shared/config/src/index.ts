export { ConfigError, directDatabaseUrl, loadConfig } from './lib/app-config';
export type { AppConfig } from './lib/app-config';
export { APP_CONFIG, ConfigModule } from './lib/config.module';
export { DotEnvError, loadDotEnv } from './lib/dot-env';
