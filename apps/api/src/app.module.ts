import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig, ConfigModule } from '@agenthub/config';
import { DatabaseModule } from '@agenthub/database';
import { AUTH_ENTITIES, AuthModule } from '@agenthub/auth';
import { AGENT_ENTITIES, AgentsModule } from '@agenthub/agents';
import { TASK_ENTITIES, TasksModule } from '@agenthub/tasks';
import { EventsModule } from '@agenthub/events';
import { MESSAGING_ENTITIES, MessagingModule } from '@agenthub/messaging';
import { WORKFLOW_ENTITIES, WorkflowsModule } from '@agenthub/workflows';
import { PERFORMANCE_ENTITIES, PerformanceModule } from '@agenthub/performance';
import { McpModule } from '@agenthub/mcp';
import { A2aModule } from '@agenthub/a2a';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { createRootLogger } from './request-log/request-log';
import { RequestLogModule } from './request-log/request-log.module';

/** The whole API: configuration, database, logging and every domain module. */
@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    const logger = createRootLogger(config.logLevel);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // Nest's own log lines go to the root logger; nestjs-pino's pino-http middleware is
        // off (no routes): the request lines come from RequestLogModule's Fastify hook.
        LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] }),
        RequestLogModule.register(logger),
        DatabaseModule.forRoot({
          entities: [
            ...AUTH_ENTITIES,
            ...AGENT_ENTITIES,
            ...TASK_ENTITIES,
            ...MESSAGING_ENTITIES,
            ...WORKFLOW_ENTITIES,
            ...PERFORMANCE_ENTITIES,
          ],
        }),
        HealthModule,
        MetricsModule,
        EventsModule,
        PerformanceModule,
        AuthModule,
        AgentsModule,
        TasksModule,
        MessagingModule,
        WorkflowsModule,
        McpModule,
        A2aModule,
      ],
    };
  }
}
