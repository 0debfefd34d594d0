import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AppConfig, ConfigModule } from '@agenthub/config';
import { DatabaseModule } from '@agenthub/database';
import { requestIdFor } from '@agenthub/http';
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

/** The whole API: configuration, database, logging and every domain module. */
@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Pretty lines for people at a terminal, JSON for everything else.
            transport: process.stdout.isTTY
              ? { target: 'pino-pretty', options: { singleLine: true } }
              : undefined,
            // Behind Fastify, pino-http reuses Fastify's request id (the one audit rows
            // carry); this only matters for requests that bypass Fastify.
            genReqId: requestIdFor,
            // One short line per request: who asked for what and how it ended. Headers
            // (tokens, cookies) are never logged, and the line stays cheap on hot paths.
            serializers: {
              req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url,
                remote_address: req.remoteAddress,
              }),
              res: (res: { statusCode: number }) => ({ status: res.statusCode }),
            },
            autoLogging: {
              ignore: (req: IncomingMessage) => req.url?.startsWith('/health/') ?? false,
            },
          },
        }),
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
