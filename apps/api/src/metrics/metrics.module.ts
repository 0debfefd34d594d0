import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { StatsRepository } from '@agenthub/performance';
import { BusinessMetrics } from './business-metrics';
import { createMetricsRegistry, instrumentHttp } from './metrics';
import { METRICS_REGISTRY, MetricsController } from './metrics.controller';

@Module({
  controllers: [MetricsController],
  providers: [
    { provide: METRICS_REGISTRY, useFactory: createMetricsRegistry },
    // StatsRepository comes from the (global) PerformanceModule.
    {
      provide: BusinessMetrics,
      inject: [METRICS_REGISTRY, StatsRepository],
      useFactory: (registry: Registry, stats: StatsRepository) =>
        new BusinessMetrics(registry, () => stats.fleet()),
    },
  ],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    // Injected so that the gauges are registered when the app starts.
    readonly businessMetrics: BusinessMetrics,
  ) {}

  onModuleInit(): void {
    instrumentHttp(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), this.registry);
  }
}
