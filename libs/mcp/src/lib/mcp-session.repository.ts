import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { type Principal, principalIds } from '@agenthub/auth';

/** A session as a request needs it: whose it is. */
export interface McpSession {
  id: string;
  userId: string | null;
  agentId: string | null;
  protocolVersion: string;
}

export interface NewMcpSession {
  id: string;
  principal: Principal;
  clientInfo: Record<string, unknown>;
  protocolVersion: string;
}

/** A session unused this long is over: its next request gets "Session not found". */
export const SESSION_IDLE_SECONDS = 24 * 60 * 60;
/** `last_seen_at` moves at most this often, so a busy session does not rewrite its row per call. */
const TOUCH_EVERY_SECONDS = 60;
/** Idle sessions an initialize purges, at most (the purge stays a small statement). */
const PURGE_BATCH = 100;
/**
 * Sessions one user or agent keeps at most: a new one ends the least recently used beyond
 * this (a client that never says DELETE cannot fill the table).
 */
export const MAX_SESSIONS_PER_PRINCIPAL = 100;
/** Resource subscriptions one session may hold. */
export const MAX_SUBSCRIPTIONS_PER_SESSION = 1000;

/** The MCP sessions and their resource subscriptions (tables mcp_sessions, mcp_session_subscriptions). */
@Injectable()
export class McpSessionRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Records a new session; ends the principal's least recently used sessions beyond
   * {@link MAX_SESSIONS_PER_PRINCIPAL}, and purges a batch of sessions idle for too long.
   */
  async create(session: NewMcpSession): Promise<void> {
    const { userId, agentId } = principalIds(session.principal);
    await this.em.execute(
      `INSERT INTO mcp_sessions (id, user_id, agent_id, client_info, protocol_version)
       VALUES (?, ?, ?, ?::jsonb, ?)`,
      [session.id, userId, agentId, JSON.stringify(session.clientInfo), session.protocolVersion],
    );
    const [column, principalId] = userId !== null ? ['user_id', userId] : ['agent_id', agentId];
    await this.em.execute(
      `DELETE FROM mcp_sessions WHERE id IN (
         SELECT id FROM mcp_sessions WHERE ${column} = ?
          ORDER BY last_seen_at DESC, created_at DESC OFFSET ?)`,
      [principalId, MAX_SESSIONS_PER_PRINCIPAL],
    );
    await this.em.execute(
      `DELETE FROM mcp_sessions WHERE id IN (
         SELECT id FROM mcp_sessions WHERE last_seen_at < now() - make_interval(secs => ?)
          ORDER BY last_seen_at LIMIT ?)`,
      [SESSION_IDLE_SECONDS, PURGE_BATCH],
    );
  }

  /** The live session `id` (marked as seen), or null when it does not exist or has idled out. */
  async findLive(id: string): Promise<McpSession | null> {
    const rows = await this.em.execute<
      { id: string; user_id: string | null; agent_id: string | null; protocol_version: string }[]
    >(
      `WITH s AS (
         SELECT id, user_id, agent_id, protocol_version, last_seen_at FROM mcp_sessions
          WHERE id = ? AND last_seen_at >= now() - make_interval(secs => ?)
       ), touched AS (
         UPDATE mcp_sessions m SET last_seen_at = now() FROM s
          WHERE m.id = s.id AND s.last_seen_at < now() - make_interval(secs => ?)
       )
       SELECT id, user_id, agent_id, protocol_version FROM s`,
      [id, SESSION_IDLE_SECONDS, TOUCH_EVERY_SECONDS],
    );
    const row = rows[0];
    return row
      ? {
          id: row.id,
          userId: row.user_id,
          agentId: row.agent_id,
          protocolVersion: row.protocol_version,
        }
      : null;
  }

  /** Ends the session (its subscriptions go with it); whether it existed. */
  async delete(id: string): Promise<boolean> {
    const rows = await this.em.execute<{ id: string }[]>(
      `DELETE FROM mcp_sessions WHERE id = ? RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /**
   * The sessions among `ids` that still exist (the others were deleted, maybe by another
   * process), each with the URIs it subscribed to.
   */
  async subscriptionsOf(ids: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (ids.length === 0) return out;
    const rows = await this.em.execute<{ id: string; uri: string | null }[]>(
      `SELECT s.id::text AS id, sub.uri FROM mcp_sessions s
         LEFT JOIN mcp_session_subscriptions sub ON sub.session_id = s.id
        WHERE s.id = ANY(string_to_array(?, ',')::uuid[])`,
      [ids.join(',')],
    );
    for (const row of rows) {
      const uris = out.get(row.id) ?? [];
      if (row.uri !== null) uris.push(row.uri);
      out.set(row.id, uris);
    }
    return out;
  }

  /** Subscribes the session to `uri`; false when it already holds the most it may. */
  async subscribe(sessionId: string, uri: string): Promise<boolean> {
    const rows = await this.em.execute<{ session_id: string }[]>(
      `INSERT INTO mcp_session_subscriptions (session_id, uri)
       SELECT ?, ?
        WHERE (SELECT count(*) FROM mcp_session_subscriptions WHERE session_id = ?) < ?
           OR EXISTS (SELECT 1 FROM mcp_session_subscriptions WHERE session_id = ? AND uri = ?)
       ON CONFLICT (session_id, uri) DO UPDATE SET uri = EXCLUDED.uri
       RETURNING session_id`,
      [sessionId, uri, sessionId, MAX_SUBSCRIPTIONS_PER_SESSION, sessionId, uri],
    );
    return rows.length > 0;
  }

  async unsubscribe(sessionId: string, uri: string): Promise<void> {
    await this.em.execute(
      `DELETE FROM mcp_session_subscriptions WHERE session_id = ? AND uri = ?`,
      [sessionId, uri],
    );
  }
}
