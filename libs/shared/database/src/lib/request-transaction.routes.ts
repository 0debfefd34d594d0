import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  OnModuleInit,
  RequestMethod,
} from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, HttpAdapterHost, MetadataScanner } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { RequestTransactionInterceptor } from './request-transaction.interceptor';

/** The routes that may change something: their requests may need the request transaction. */
const MAY_MUTATE = new Set<RequestMethod>([
  RequestMethod.POST,
  RequestMethod.PUT,
  RequestMethod.PATCH,
  RequestMethod.DELETE,
  RequestMethod.ALL,
]);

/** Each app's interceptor, by the Fastify instance its routes are registered on. */
const byServer = new WeakMap<object, RequestTransactionInterceptor>();

/**
 * What the routes that may mutate carry: one object for every app of the process (route
 * metadata lives on the controller classes, which several apps, e.g. in tests, share), handing
 * each request to the interceptor of the app that serves it.
 */
const REQUEST_TRANSACTION: NestInterceptor = {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const server = context.switchToHttp().getRequest<FastifyRequest>().server;
    const interceptor = byServer.get(server);
    // Never run a mutating route outside its transaction unnoticed.
    if (!interceptor) throw new Error('no request transaction is installed for this server');
    return interceptor.intercept(context, next);
  },
};

/**
 * Puts the {@link RequestTransactionInterceptor} on every route that may change something
 * (POST, PUT, PATCH, DELETE, and the `@All()` protocol endpoints), and on no other: a read
 * route then has no interceptor at all, and Nest answers it without the RxJS pipeline an
 * interceptor costs on every request. The routes are marked when this provider is built:
 * providers are built when the app is created, before `init()` registers the routes (even
 * module-init hooks run after that), so each route is registered with the mark. The
 * interceptor's own check of the request method still decides, for `@All()` routes; it stays
 * the outermost interceptor of a route.
 */
@Injectable()
export class RequestTransactionRoutes implements OnModuleInit {
  constructor(
    discovery: DiscoveryService,
    scanner: MetadataScanner,
    private readonly adapterHost: HttpAdapterHost,
    private readonly interceptor: RequestTransactionInterceptor,
  ) {
    for (const wrapper of discovery.getControllers()) {
      const prototype = (wrapper.metatype as { prototype?: Record<string, unknown> } | null)
        ?.prototype;
      if (!prototype) continue;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined || !MAY_MUTATE.has(method)) continue;
        const own = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[]) ?? [];
        if (own.includes(REQUEST_TRANSACTION)) continue;
        Reflect.defineMetadata(INTERCEPTORS_METADATA, [REQUEST_TRANSACTION, ...own], handler);
      }
    }
  }

  /** The HTTP adapter exists by now (a testing module gets it after its providers are built). */
  onModuleInit(): void {
    byServer.set(this.adapterHost.httpAdapter.getInstance<object>(), this.interceptor);
  }
}
