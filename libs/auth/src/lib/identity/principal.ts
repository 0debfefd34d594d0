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
