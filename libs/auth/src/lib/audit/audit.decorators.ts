import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ActorType } from './entities/audit-entry.entity';

export const AUDIT_META = 'agenthub:audit';

export interface AuditOptions {
  /** Dotted verb, `<resource>.<what happened>`: `project.create`, `agent.heartbeat`. */
  action: string;
  /** What kind of thing was changed: `project`, `user`, `agent`, `api_key`. */
  resourceType: string;
}

/**
 * Names the audit record of a mutating route. Routes without it get a name derived from
 * their path. The row is written in the request transaction, with the change; for a route
 * that must run without it, add `@WithoutRequestTransaction()` (from the database lib).
 */
export const Audit = (action: string, resourceType: string) =>
  SetMetadata(AUDIT_META, { action, resourceType } satisfies AuditOptions);

/** What a handler may add to its audit record when the defaults cannot know it. */
export interface AuditNoteData {
  /** Defaults to the response's `id`, else the `:id` path parameter. */
  resourceId?: string;
  /** Defaults to the response's `project_id` (or the resource's own id for projects). */
  projectId?: string | null;
  /** Defaults to the request's principal (anonymous on public routes). */
  actor?: { type: ActorType; id: string | null };
  /**
   * Set by a handler whose request succeeded but changed nothing (a claim that found no
   * task): the audit hook then writes no row. Only the handler knows; the status code
   * does not tell (a 204 DELETE did change something), so it is said explicitly here.
   */
  nothingChanged?: boolean;
}

export interface AuditedRequest extends FastifyRequest {
  auditNote?: AuditNoteData;
}

/**
 * A mutable note for this request's audit record, e.g. the project of an agent that a
 * DELETE just removed: `remove(@AuditNote() note: AuditNoteData) { note.projectId = ... }`.
 */
export const AuditNote = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuditNoteData => {
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    return (request.auditNote ??= {});
  },
);
