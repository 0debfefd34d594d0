import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { Public } from '@agenthub/auth';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** Prometheus scrape endpoint (outside /api/v1, like the probes; scraped without a token). */
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
