import { DynamicModule, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { EntityClass, MigrationObject } from '@mikro-orm/core';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { createOrmOptions } from './orm-options';

export interface DatabaseModuleOptions {
  entities: EntityClass<unknown>[];
  migrations?: MigrationObject[];
}

/** MikroORM for the API: one request context per HTTP request, connection from config. */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRootAsync({
          driver: PostgreSqlDriver,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => {
            if (!config.databaseUrl)
              throw new Error('DATABASE_URL must be resolved before the API starts');
            return createOrmOptions({
              url: config.databaseUrl,
              entities: options.entities,
              migrations: options.migrations,
              poolMax: config.dbPoolMax,
            });
          },
        }),
      ],
    };
  }
}
