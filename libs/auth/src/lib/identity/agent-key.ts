import type { AgentPrincipal } from './principal';

/** Every agent API key AgentHub issues starts with this, so it can never pass for a JWT. */
export const AGENT_KEY_PREFIX = 'ahk_';

/**
 * The extension point through which the agents library signs agents in. Provide this
 * token from a `@Global()` module; the auth guard asks it about every bearer token that is
 * not shaped like a JWT: our keys ({@link AGENT_KEY_PREFIX}) and the keys imported from the
 * legacy broker. Without a provider such tokens are refused (401).
 */
export const AGENT_KEY_AUTHENTICATOR = Symbol('AGENT_KEY_AUTHENTICATOR');

export interface AgentKeyAuthenticator {
  /**
   * The agent a full API key (prefix included) belongs to and when the key expires (ms since
   * the epoch, `null`: never), or `null` when the key is unknown, revoked or expired, or its
   * agent is inactive. Called for every request the access cache cannot answer.
   */
  authenticate(
    secret: string,
  ): Promise<{ principal: AgentPrincipal; expiresAt: number | null } | null>;
}
