import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const WELL_FORMED = /^[\w.-]{1,128}$/;

/**
 * The id of a request: the caller's `X-Request-Id` when it is well formed (so ids
 * travel across services), else a fresh UUID. Fastify's own `requestIdHeader` option
 * would copy any header value verbatim, unbounded, into logs and the audit trail; this
 * is why the apps pass this function as `genReqId` and leave `requestIdHeader` off.
 */
export function requestIdFor(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && WELL_FORMED.test(given) ? given : randomUUID();
}
