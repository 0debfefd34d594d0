/*
 * The event types the domain libs write (each lib owns its own; this lib knows none of them,
 * so the list is here for readers, not for code):
 * - `task.created`, `task.updated`, `task.deleted` (tasks; audience `project`);
 * - `agent.created`, `agent.updated`, `agent.deleted` (agents; audience `project`; `data` the
 *   agent as `GET /agents/:id` shows it, deleted: as it was). `agent.updated` is written when
 *   what that JSON shows changes: a PATCH, a capabilities PUT or a batch deploy that changed a
 *   field (one that changed nothing writes none), and a heartbeat only when it changes the
 *   status the agent reads as (the reported status differs from the effective status just
 *   before, `offline` once the last heartbeat is older than AGENT_HEARTBEAT_TIMEOUT), since
 *   `last_heartbeat` and `updated_at` move on every one. Going offline by timeout writes
 *   nothing, so it is no event: readers turn the agent offline themselves at its
 *   `heartbeat_expires_at` (the console does).
 *   Confidence learned from task outcomes changes capability details, not the agent's JSON.
 * - `message.received`, `message.updated` (messaging; audience `agent`), `room.message` (rooms;
 *   audience `room`);
 * - `workflow_execution.started`, `.completed`, `.failed`, `.cancelled`, `.retried`
 *   (workflows; audience `project`).
 */

/**
 * Which event types a stream wants: `?types=message.*,task.updated`. Each pattern is a type
 * (`task.updated`), a prefix ending in `.*` (`message.*`: every type below `message.`), or `*`
 * (everything, as without the parameter).
 */
export interface TypeFilter {
  /** Exact types. */
  exact: string[];
  /** Prefixes, each ending in a dot. */
  prefixes: string[];
}

/** A type or a prefix pattern, in the event log's type alphabet (see ck_events_type). */
const PATTERN = /^[a-z_]+(\.[a-z_]+)*(\.\*)?$/;
/** At most this many patterns, so a filter stays a small array parameter. */
export const MAX_TYPE_PATTERNS = 32;

/**
 * The filter `types` asks for: `null` = every type; throws a message for the client when a
 * pattern is malformed.
 */
export function parseTypeFilter(types: string | undefined): TypeFilter | null {
  if (types === undefined) return null;
  const patterns = types
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (patterns.length === 0) throw new TypeError('types must name at least one type');
  if (patterns.length > MAX_TYPE_PATTERNS)
    throw new TypeError(`types allows at most ${MAX_TYPE_PATTERNS} patterns`);
  if (patterns.includes('*')) return null;
  const filter: TypeFilter = { exact: [], prefixes: [] };
  for (const pattern of patterns) {
    if (pattern.length > 64 || !PATTERN.test(pattern))
      throw new TypeError(
        `"${pattern.slice(0, 64)}" is not an event type pattern (a type such as task.updated, a prefix such as message.*, or *)`,
      );
    if (pattern.endsWith('.*')) filter.prefixes.push(pattern.slice(0, -1));
    else filter.exact.push(pattern);
  }
  return filter;
}

/** Whether `type` passes `filter` (the same test the reader's SQL makes). */
export function typeMatches(filter: TypeFilter | null, type: string): boolean {
  if (!filter) return true;
  return filter.exact.includes(type) || filter.prefixes.some((p) => type.startsWith(p));
}
