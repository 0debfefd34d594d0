import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Registry } from 'prom-client';
import { Public } from '@agenthub/auth';
import { ApiNoAuth, ApiOp } from '@agenthub/http';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/** Prometheus scrape endpoint (outside /api/v1, like the probes; scraped without a token). */
@Public()
@ApiTags('metrics')
@ApiNoAuth()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Header('content-type', PROMETHEUS_TEXT)
  @ApiOp(
    'getMetrics',
    'Prometheus metrics',
    'Process metrics, `http_request_duration_seconds`, and the database-wide business gauges (`agenthub_queue_depth`, `agenthub_tasks`, `agenthub_agent_messages`, `agenthub_workflow_executions`, `agenthub_agents`, `agenthub_business_metrics_up`; read at most every few seconds, and the same in every API process: aggregate them with max, not sum), in the Prometheus text format.',
  )
  @ApiOkResponse({
    description: 'The Prometheus text exposition format (version 0.0.4).',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
