import type { FastifyRequest } from 'fastify';

/** A person signed in with a JWT. Re-read from the database on every request. */
export interface UserPrincipal {
  kind: 'user';
  userId: string;
  email: string;
  isSuperuser: boolean;
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

/**
 * When the request's bearer JWT expires (ms since the epoch), for whatever outlives the
 * request that authenticated it (an event stream, an MCP stream): it ends then. Read without
 * verifying, so only for a request the guard has already let in; `undefined` for an agent
 * key or a token without `exp`.
 */
export function bearerTokenExpiry(request: Pick<FastifyRequest, 'headers'>): number | undefined {
  const token = /^Bearer +(\S+)/i.exec(request.headers.authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (
      JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }
    ).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
