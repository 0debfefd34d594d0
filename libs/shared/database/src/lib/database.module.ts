import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { EntityClass } from '@mikro-orm/core';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { createOrmOptions } from './orm-options';
import { AgentHubPostgreSqlDriver } from './pooled-transaction';
import { PreparedStatements } from './prepared-statements';
import { RequestContextHook } from './request-context.hook';
import { RequestTransactionHooks } from './request-transaction.hooks';
import { RequestTransactionInterceptor } from './request-transaction.interceptor';
import { RequestTransactionRoutes } from './request-transaction.routes';

export interface DatabaseModuleOptions {
  entities: EntityClass<unknown>[];
}

/**
 * MikroORM for the API, connected as the config says: one request context per HTTP request
 * ({@link RequestContextHook}, a Fastify hook in place of MikroORM's Nest middleware, which is
 * off) and one transaction per mutating request, with its before-commit hooks
 * ({@link RequestTransactionInterceptor}, put on the routes that may mutate by
 * {@link RequestTransactionRoutes}). Global, so any module may inject
 * {@link RequestTransactionHooks} to register a hook.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        PreparedStatements,
        RequestContextHook,
        RequestTransactionHooks,
        RequestTransactionInterceptor,
        RequestTransactionRoutes,
      ],
      exports: [PreparedStatements, RequestTransactionHooks],
      imports: [
        DiscoveryModule,
        MikroOrmModule.forRootAsync({
          driver: AgentHubPostgreSqlDriver,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => {
            if (!config.databaseUrl)
              throw new Error('DATABASE_URL must be resolved before the API starts');
            return {
              ...createOrmOptions({
                url: config.databaseUrl,
                entities: options.entities,
                poolMax: config.dbPoolMax,
                acquireTimeoutMs: config.dbAcquireTimeoutMs,
                // Behind a pooler (a direct URL is set) the pooler's own timeout applies: PgBouncer
                // refuses the startup parameter.
                statementTimeoutMs: config.databaseDirectUrl
                  ? undefined
                  : config.dbStatementTimeoutMs,
              }),
              registerRequestContext: false,
            };
          },
        }),
      ],
    };
  }
}
