import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { UnauthenticatedError } from '@agenthub/errors';
import { AccessCache, CheckedPrincipal } from './access-cache';
import { AGENT_KEY_AUTHENTICATOR, AgentKeyAuthenticator } from './agent-key';
import { InvalidApiKeyError, MissingCredentialsError } from './auth.errors';
import { IS_PUBLIC } from './decorators';
import { JwtStrategy } from './jwt.strategy';
import type { AuthenticatedRequest, Principal } from './principal';

const BEARER = /^Bearer +(\S+) *$/i;
/** header.payload.signature, base64url: anything else cannot be a JWT. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * The global guard: every route needs a principal unless it is `@Public()`.
 * A bearer token shaped like a JWT is a user's access token; anything else (`ahk_...`, or
 * a key imported from the legacy broker) is an agent API key, checked by whoever provides
 * {@link AGENT_KEY_AUTHENTICATOR} (the agents lib).
 * Whether the principal may touch a given project is not decided here but by
 * `ProjectAccessPolicy`, in the service that knows the project. A token checked a moment
 * ago may be answered from {@link AccessCache} (see there for when).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtStrategy,
    private readonly cache: AccessCache,
    @Optional() @Inject(AGENT_KEY_AUTHENTICATOR) private readonly agentKeys?: AgentKeyAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (
      this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
        context.getHandler(),
        context.getClass(),
      ])
    )
      return true;
    if (context.getType() !== 'http') return false;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    try {
      request.principal = await this.authenticate(request, reply);
      return true;
    } catch (error) {
      // RFC 6750: a 401 names the scheme the client should use.
      if (error instanceof UnauthenticatedError) reply.header('www-authenticate', 'Bearer');
      throw error;
    }
  }

  private async authenticate(
    request: AuthenticatedRequest,
    reply: FastifyReply,
  ): Promise<Principal> {
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (!token) throw new MissingCredentialsError();
    return this.cache.principal(token, () => this.check(token, request, reply));
  }

  /** Asks the database (and, for a JWT, verifies it): the principal, or a 401 domain error. */
  private async check(
    token: string,
    request: AuthenticatedRequest,
    reply: FastifyReply,
  ): Promise<CheckedPrincipal> {
    if (!JWT_SHAPE.test(token)) {
      const agent = this.agentKeys ? await this.agentKeys.authenticate(token) : null;
      if (!agent) throw new InvalidApiKeyError();
      return { principal: agent.principal, expiresAt: agent.expiresAt };
    }
    const user = await this.jwt.principalFor(request, reply);
    return { principal: user, expiresAt: user.tokenExpiresAt ?? null };
  }
}
