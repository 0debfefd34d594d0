import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import type { FastifyInstance } from 'fastify';

/**
 * One MikroORM request context (a fork of the entity manager, its own identity map and unit
 * of work) per HTTP request, opened by a Fastify `onRequest` hook: everything that runs for
 * the request (guards, pipes, the handler, the filters) runs inside it, and no two requests
 * share one. MikroORM's own Nest middleware does the same, but a Nest middleware on Fastify
 * runs through @fastify/middie on every request; a hook is the plain Fastify way, and it is
 * what MikroORM documents for Fastify. The middleware is turned off
 * (`registerRequestContext: false` in {@link DatabaseModule}), so there is exactly one context.
 */
@Injectable()
export class RequestContextHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly orm: MikroORM,
  ) {}

  /** Added before `init()` registers the routes, so it runs for every one of them. */
  onModuleInit(): void {
    const em = this.orm.em;
    this.adapterHost.httpAdapter
      .getInstance<FastifyInstance>()
      .addHook('onRequest', (_request, _reply, done) => RequestContext.create(em, done));
  }
}
