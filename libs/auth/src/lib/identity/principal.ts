import type { FastifyRequest } from 'fastify';

/** A person signed in with a JWT. Re-read from the database on every request. */
export interface UserPrincipal {
  kind: 'user';
  userId: string;
  email: string;
  isSuperuser: boolean;
  /**
   * When the JWT that authenticated the request expires (ms since the epoch): what outlives
   * the request (an event stream, an MCP stream) ends then.
   */
  tokenExpiresAt?: number;
}

/** An agent signed in with one of its API keys; it acts inside its own project only. */
export interface AgentPrincipal {
  kind: 'agent';
  agentId: string;
  projectId: string;
  keyId: string;
}

/** Whoever makes an authenticated request. Switch on `kind`. */
export type Principal = UserPrincipal | AgentPrincipal;

/** The Fastify request as the auth guard leaves it. */
export interface AuthenticatedRequest extends FastifyRequest {
  principal?: Principal;
}

/**
 * The principal as the two columns a "done by a user or an agent" reference is stored in
 * (one foreign key per kind, at most one set): `created_by_user_id` / `created_by_agent_id`.
 */
export function principalIds(principal: Principal): {
  userId: string | null;
  agentId: string | null;
} {
  return principal.kind === 'user'
    ? { userId: principal.userId, agentId: null }
    : { userId: null, agentId: principal.agentId };
}
