import { DynamicModule, Inject, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { logRequests } from './request-log';

const REQUEST_LOGGER = Symbol('REQUEST_LOGGER');

/** Adds the request log line (see `logRequests`) before `init()` registers the routes. */
@Module({})
export class RequestLogModule implements OnModuleInit {
  static register(logger: Logger): DynamicModule {
    return { module: RequestLogModule, providers: [{ provide: REQUEST_LOGGER, useValue: logger }] };
  }

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(REQUEST_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    logRequests(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), this.logger);
  }
}
