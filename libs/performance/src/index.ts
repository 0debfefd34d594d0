export { PerformanceModule } from './lib/performance.module';
export { PERFORMANCE_ENTITIES } from './lib/entities';
export { PerformanceRecorder } from './lib/performance-recorder';
export type { NewPoint, TaskOutcome } from './lib/performance-recorder';
export { StatsRepository } from './lib/stats.repository';
export type { FleetCounts } from './lib/stats.repository';
export { MetricRetentionSweeper, METRIC_PURGE_BATCH } from './lib/metric-retention.sweeper';
