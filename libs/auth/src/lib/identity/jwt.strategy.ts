import { Inject, Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { Authenticator } from 'passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isUuid } from '@agenthub/http';
import { InvalidTokenError, TokenExpiredError } from './auth.errors';
import { JWT_AUDIENCE, JWT_ISSUER, JWT_SIGNING_KEY } from './jwt-secret';
import type { UserPrincipal } from './principal';
import { UsersService } from './users.service';

export const JWT_STRATEGY = 'agenthub-jwt';

export interface AccessTokenClaims {
  sub: string;
  iat?: number;
  exp?: number;
}

// One passport registry per strategy instance instead of passport's process-wide one:
// two Nest apps in one process (tests do this) must not answer with each other's key.
type PassportRegistry = InstanceType<typeof Authenticator>;
const registries = new WeakMap<object, PassportRegistry>();

/**
 * Bearer JWTs (passport-jwt): HS256 only (`alg: none`, RS*, HS384/512 and every other
 * algorithm are refused, so no key confusion is possible), our issuer and audience,
 * unexpired. Then the user is read again: a deactivated or deleted user's
 * token stops working at once, not when it expires.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    @Inject(JWT_SIGNING_KEY) secret: string,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to
      // parse it as a public key on every verify. It accepts KeyObjects; passport-jwt's
      // types just do not say so.
      secretOrKey: createSecretKey(Buffer.from(secret, 'utf8')) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  /** Called by the mixin's constructor: where this strategy registers itself. */
  getPassportInstance(): PassportRegistry {
    let registry = registries.get(this);
    if (!registry) {
      registry = new Authenticator();
      registries.set(this, registry);
    }
    return registry;
  }

  async validate(claims: AccessTokenClaims): Promise<UserPrincipal> {
    // Our tokens always carry a user id and an expiry; anything else was not minted here.
    if (typeof claims.sub !== 'string' || !isUuid(claims.sub) || typeof claims.exp !== 'number')
      throw new InvalidTokenError();
    const user = await this.users.findAccessRow(claims.sub);
    if (!user || !user.is_active) throw new InvalidTokenError();
    return {
      kind: 'user',
      userId: user.id,
      email: user.email,
      isSuperuser: user.is_superuser,
      tokenExpiresAt: claims.exp * 1000,
    };
  }

  /** The user behind the request's bearer JWT, or a 401 domain error saying why not. */
  principalFor(request: FastifyRequest, reply: FastifyReply): Promise<UserPrincipal> {
    return new Promise((resolve, reject) => {
      const middleware = this.getPassportInstance().authenticate(
        JWT_STRATEGY,
        { session: false },
        (error: unknown, user: UserPrincipal | false, info: unknown) => {
          // A domain error from validate() (401), or a real failure such as a database outage (500).
          if (error) return reject(error);
          if (!user)
            return reject(
              (info as Error | undefined)?.name === 'TokenExpiredError'
                ? new TokenExpiredError()
                : new InvalidTokenError(),
            );
          resolve(user);
        },
      );
      middleware(request, reply, (error?: unknown) => reject(error ?? new InvalidTokenError()));
    });
  }
}
