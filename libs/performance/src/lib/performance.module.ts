import { Global, Module } from '@nestjs/common';
import { AuthModule } from '@agenthub/auth';
import { PerformanceRecorder } from './performance-recorder';
import { MetricsController } from './metrics.controller';
import { MetricRepository } from './metric.repository';
import { MetricRetentionSweeper } from './metric-retention.sweeper';
import { MetricsService } from './metrics.service';
import { StatsController } from './stats.controller';
import { StatsRepository } from './stats.repository';
import { StatsService } from './stats.service';

/**
 * Agent performance: points recorded by agents and by the platform, bucketed summaries,
 * project stats, and the confidence that learns from task outcomes. Global, like the event
 * log: the task queue and messaging record into it in their own transactions.
 */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [StatsController, MetricsController],
  providers: [
    PerformanceRecorder,
    StatsRepository,
    StatsService,
    MetricRepository,
    MetricsService,
    MetricRetentionSweeper,
  ],
  exports: [PerformanceRecorder, StatsRepository],
})
export class PerformanceModule {}
