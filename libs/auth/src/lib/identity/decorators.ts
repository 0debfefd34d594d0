import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuthenticatedRequest, Principal } from './principal';

export const IS_PUBLIC = 'agenthub:isPublic';

/**
 * Opens a route (or every route of a controller) to requests without credentials. Every
 * other route requires a valid bearer token: the global guard denies by default.
 */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * The principal of the request (a user or an agent). Only on routes that are not
 * `@Public()`: there the guard guarantees one exists.
 */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal)
      throw new Error(
        '@CurrentPrincipal() used on a route without authentication (is it @Public()?)',
      );
    return principal;
  },
);
