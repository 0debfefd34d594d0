import type Database from 'better-sqlite3';
import type { AgentRow, ImportContext } from '../context';
import { LegacyImportError } from '../context';
import { asUuid, importedId } from '../ids';
import { addCounts, Batch, ColumnSpec } from '../sql-writer';
import { countOf, hasTable, openSqlite, sqliteReadError } from '../sqlite-file';
import { DependencyEdge, taskBatch, taskValues, writeDependencies } from '../tasks-writer';
import { API_KEY_STATUS_FALLBACK, API_KEY_STATUS_MAP, mapEnum } from '../values';
import { agentCapabilities, agentStatus } from './sqlite-phase1';

type Row = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const bool = (v: unknown) => v === 1 || v === true || v === '1' || v === 'true';
function jsonOf(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw ?? null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
/**
 * The `legacy` column's value: the broker fields with no column of their own that the row
 * had (a field the source lacks is left out), or NULL when it had none.
 */
function legacyOf(fields: Record<string, unknown>): string | null {
  const kept = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return Object.keys(kept).length === 0 ? null : JSON.stringify(kept);
}
const asObject = (v: unknown): Record<string, unknown> | null =>
  v === null || v === undefined
    ? null
    : typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : { value: v };

/** A password hash the users table's CHECK accepts but no password matches: the user must reset it. */
const NO_PASSWORD = '$none$imported-without-password';

const USER_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'uuid' },
  { name: 'email', type: 'text' },
  { name: 'password_hash', type: 'text', insertOnly: true },
  { name: 'name', type: 'text' },
  { name: 'is_superuser', type: 'boolean' },
  { name: 'is_active', type: 'boolean' },
  { name: 'legacy', type: 'jsonb' },
  { name: 'created_at', type: 'timestamptz', nowIfNull: true },
  { name: 'updated_at', type: 'timestamptz', nowIfNull: true },
];
const PROJECT_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'uuid' },
  { name: 'name', type: 'text' },
  { name: 'description', type: 'text' },
  { name: 'owner_id', type: 'uuid' },
  { name: 'legacy', type: 'jsonb' },
  { name: 'created_at', type: 'timestamptz', nowIfNull: true },
  { name: 'updated_at', type: 'timestamptz', nowIfNull: true },
];
const ROOM_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'uuid' },
  { name: 'project_id', type: 'uuid' },
  { name: 'name', type: 'text' },
  { name: 'description', type: 'text' },
  { name: 'created_by', type: 'uuid' },
  { name: 'created_at', type: 'timestamptz', nowIfNull: true },
  { name: 'updated_at', type: 'timestamptz', nowIfNull: true },
];
const PARTICIPANT_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'uuid' },
  { name: 'room_id', type: 'uuid' },
  { name: 'agent_id', type: 'uuid' },
  { name: 'user_id', type: 'uuid' },
  { name: 'joined_at', type: 'timestamptz', nowIfNull: true },
];
const MESSAGE_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'uuid' },
  { name: 'room_id', type: 'uuid' },
  { name: 'sender_type', type: 'text' },
  { name: 'sender_agent_id', type: 'uuid' },
  { name: 'sender_user_id', type: 'uuid' },
  { name: 'content', type: 'text' },
  { name: 'message_type', type: 'text' },
  { name: 'meta', type: 'jsonb' },
  { name: 'created_at', type: 'timestamptz', nowIfNull: true },
];
const KEY_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'uuid' },
  { name: 'agent_id', type: 'uuid' },
  { name: 'created_by', type: 'uuid' },
  { name: 'name', type: 'text' },
  { name: 'key_hash', type: 'text' },
  { name: 'key_prefix', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'expires_at', type: 'timestamptz' },
  { name: 'revoked_at', type: 'timestamptz' },
  { name: 'legacy', type: 'jsonb' },
  { name: 'created_at', type: 'timestamptz', nowIfNull: true },
  { name: 'updated_at', type: 'timestamptz', nowIfNull: true },
];

/**
 * Seed 000/001's broker database: users and projects come along (no --project), then agents
 * (if that deployment had them), rooms, participants, messages, API keys, tasks and their
 * dependencies. Agent ids that name no agent get placeholders in the project that referenced
 * them; ids that are not UUIDs cannot name anything and are reported with their row.
 */
export async function importAgentCom(ctx: ImportContext, path: string): Promise<void> {
  const db = openSqlite(path, ['users', 'projects']);
  const run = new AgentComRun(ctx, db);
  try {
    await run.users();
    await run.projects();
    if (hasTable(db, 'agents')) await run.agents();
    if (hasTable(db, 'chat_rooms')) await run.rooms();
    if (hasTable(db, 'chat_participants')) await run.participants();
    if (hasTable(db, 'chat_messages')) await run.messages();
    if (hasTable(db, 'agent_api_keys')) await run.apiKeys();
    if (hasTable(db, 'tasks')) await run.tasks();
  } catch (error) {
    sqliteReadError(path, error);
  } finally {
    db.close();
  }
}

class AgentComRun {
  private userIds = new Map<string, string>();
  private projectIds = new Set<string>();
  private roomProjects = new Map<string, string>();
  private agentIds = new Set<string>();

  constructor(
    private readonly ctx: ImportContext,
    private readonly db: Database.Database,
  ) {}

  private *rows(table: string, order = 'rowid'): Generator<Row> {
    const bar = this.ctx.progress.start(table, countOf(this.db, table));
    try {
      for (const row of this.db
        .prepare(`SELECT * FROM "${table}" ORDER BY ${order}`)
        .iterate() as IterableIterator<Row>) {
        this.ctx.report.table(table).read++;
        yield row;
        bar.advance(1);
      }
    } finally {
      bar.stop();
    }
  }

  /** Rows of `table` with the legacy row id each came from. */
  private batch(
    table: string,
    columns: ColumnSpec[],
  ): Batch<{ legacyId: string; values: unknown[] }> {
    return new Batch(this.ctx.batchSize, async (rows) =>
      addCounts(
        this.ctx.report.table(table),
        await this.ctx.upsert(
          table,
          columns,
          rows.map((r) => r.values),
          { legacyIds: rows.map((r) => r.legacyId) },
        ),
      ),
    );
  }

  /** The broker's ids are UUIDs; a row id that is not one still gets a stable id. */
  private idOf(table: string, legacy: unknown): string {
    return importedId(this.ctx.kind, '-', table, String(legacy)).id;
  }

  async users(): Promise<void> {
    const byEmail = new Map<string, string>();
    const rows: { legacyId: string; values: unknown[] }[] = [];
    for (const u of this.rows('users', 'created_at, rowid')) {
      const legacyId = String(u['id']);
      const id = this.idOf('users', legacyId);
      const raw = String(u['email'] ?? '');
      const email = raw.trim().toLowerCase();
      if (!email.includes('@'))
        throw new LegacyImportError(`users ${legacyId}: "${raw}" is not an email address`);
      const first = byEmail.get(email);
      if (first) {
        this.userIds.set(legacyId, first);
        this.ctx.report.table('users').unchanged++;
        this.ctx.adjust({
          source_table: 'users',
          legacy_id: legacyId,
          kind: 'user_merged',
          field: 'email',
          from: raw,
          to: first,
          message: `email differs only by case from user ${first}'s; merged into that user (this row's username ${JSON.stringify(u['username'] ?? null)} is not kept)`,
        });
        continue;
      }
      byEmail.set(email, id);
      this.userIds.set(legacyId, id);
      if (email !== raw)
        this.ctx.adjust({
          source_table: 'users',
          legacy_id: legacyId,
          kind: 'email_lowercased',
          field: 'email',
          from: raw,
          to: email,
          message: 'emails are stored lowercased (they are unique case-insensitively)',
        });
      let hash = str(u['password_hash']);
      if (!hash || !hash.startsWith('$')) {
        this.ctx.adjust({
          source_table: 'users',
          legacy_id: legacyId,
          kind: 'password_missing',
          field: 'password_hash',
          from: hash ? '(not a PHC string)' : null,
          to: null,
          message: 'no usable password hash: the user cannot log in until an admin sets a password',
        });
        hash = NO_PASSWORD;
      }
      const name = str(u['full_name'])?.trim() || str(u['username'])?.trim() || email;
      // No username, role or permissions columns here: kept in users.legacy.
      const legacy = legacyOf({
        username: u['username'],
        role: u['role'],
        permissions: u['permissions'] === undefined ? undefined : jsonOf(u['permissions']),
      });
      const createdAt = this.ctx.time(u['created_at'], 'users', legacyId, 'created_at', true);
      rows.push({
        legacyId,
        values: [
          id,
          email,
          hash,
          name,
          bool(u['is_superuser']) || u['role'] === 'admin',
          u['is_active'] === undefined ? true : bool(u['is_active']),
          legacy,
          createdAt,
          this.ctx.time(u['updated_at'], 'users', legacyId, 'updated_at') ?? createdAt,
        ],
      });
    }
    // An AgentHub user with the same email already: the broker's user becomes that user.
    const { rows: existing } = await this.ctx.client.query<{ id: string; email: string }>(
      'SELECT id, email FROM users WHERE email = ANY($1::text[])',
      [[...byEmail.keys()]],
    );
    const remap = new Map<string, string>();
    for (const e of existing) {
      const ours = byEmail.get(e.email) as string;
      if (ours !== e.id) remap.set(ours, e.id);
    }
    const kept = rows.filter((r) => !remap.has(r.values[0] as string));
    const legacyFields = new Map(
      rows.map((r) => [r.values[0] as string, r.values[6] as string | null]),
    );
    for (const [legacy, id] of this.userIds) {
      const to = remap.get(id);
      if (to) {
        this.userIds.set(legacy, to);
        this.ctx.report.table('users').unchanged++;
        // The existing user is not changed, so the broker row's legacy fields are only in the report.
        const fields = legacyFields.get(id);
        this.ctx.adjust({
          source_table: 'users',
          legacy_id: legacy,
          kind: 'user_merged',
          field: 'email',
          from: fields ? JSON.parse(fields) : null,
          to,
          message: `a user with this email already exists (${to}); merged into that user${fields ? ` (not kept: ${fields})` : ''}`,
        });
      }
    }
    addCounts(
      this.ctx.report.table('users'),
      await this.ctx.upsert(
        'users',
        USER_COLUMNS,
        kept.map((r) => r.values),
        { legacyIds: kept.map((r) => r.legacyId) },
      ),
    );
  }

  private user(legacy: unknown): string | null {
    return legacy === null || legacy === undefined
      ? null
      : (this.userIds.get(String(legacy)) ?? null);
  }

  async projects(): Promise<void> {
    const batch = this.batch('projects', PROJECT_COLUMNS);
    for (const p of this.rows('projects')) {
      const legacyId = String(p['id']);
      const id = this.idOf('projects', legacyId);
      const owner = this.user(p['owner_id']);
      if (!owner)
        throw new LegacyImportError(
          `projects ${legacyId}: owner ${String(p['owner_id'])} is not a user of this database`,
        );
      this.projectIds.add(id);
      // No slug, status or settings columns here: kept in projects.legacy.
      const legacy = legacyOf({
        project_id: p['project_id'],
        status: p['status'],
        allow_cross_project: p['allow_cross_project'],
        settings: p['settings'] === undefined ? undefined : jsonOf(p['settings']),
      });
      const createdAt = this.ctx.time(p['created_at'], 'projects', legacyId, 'created_at', true);
      await batch.push({
        legacyId,
        values: [
          id,
          str(p['name'])?.trim() || String(p['project_id']),
          str(p['description']),
          owner,
          legacy,
          createdAt,
          this.ctx.time(p['updated_at'], 'projects', legacyId, 'updated_at') ?? createdAt,
        ],
      });
    }
    await batch.flush();
  }

  private project(legacy: unknown, table: string, legacyId: string): string {
    const id = asUuid(String(legacy));
    if (!id || !this.projectIds.has(id))
      throw new LegacyImportError(
        `${table} ${legacyId}: project ${String(legacy)} is not a project of this database`,
      );
    return id;
  }

  async agents(): Promise<void> {
    const batch = this.ctx.agentBatch();
    for (const a of this.rows('agents')) {
      const legacyId = String(a['id']);
      const id = this.idOf('agents', legacyId);
      const projectId = this.project(a['project_id'], 'agents', legacyId);
      this.agentIds.add(id);
      const config: Record<string, unknown> = {
        ...(asObject(jsonOf(a['config'])) ?? {}),
        legacy_id: legacyId,
        legacy_source: this.ctx.kind,
      };
      const status = agentStatus(this.ctx, a['status'], 'agents', legacyId, config);
      const caps = agentCapabilities(this.ctx, a['capabilities'], 'agents', legacyId, config);
      const createdAt = this.ctx.time(a['created_at'], 'agents', legacyId, 'created_at', true);
      const row: AgentRow = {
        id,
        legacyId,
        sourceTable: 'agents',
        projectId,
        name: await this.ctx.uniqueName(
          projectId,
          id,
          str(a['name'])?.trim() || `Agent ${legacyId}`,
          'agents',
          legacyId,
        ),
        nickname: str(a['nickname']),
        agentType: str(a['agent_type']) || 'generic',
        status,
        capabilities: caps.names,
        config,
        isActive: a['is_active'] === undefined ? true : bool(a['is_active']),
        createdAt,
        updatedAt: this.ctx.time(a['updated_at'], 'agents', legacyId, 'updated_at') ?? createdAt,
        details: caps.details,
      };
      await batch.push(row);
    }
    await batch.flush();
  }

  /**
   * The agent an id names: one of the source's, or a placeholder in `projectId`. An id that
   * cannot be a UUID answers null (the caller reports what it does with the row).
   */
  private async agent(
    legacy: unknown,
    projectId: string,
    sourceTable: string,
    rowId: string,
    field: string,
  ): Promise<string | null> {
    const id = asUuid(String(legacy));
    if (!id) return null;
    if (!this.agentIds.has(id))
      await this.ctx.ensurePlaceholders([
        { id, projectId, legacyId: String(legacy), sourceTable, rowId, field },
      ]);
    return id;
  }

  async rooms(): Promise<void> {
    const batch = this.batch('chat_rooms', ROOM_COLUMNS);
    for (const r of this.rows('chat_rooms')) {
      const legacyId = String(r['id']);
      const id = this.idOf('chat_rooms', legacyId);
      const projectId = this.project(r['project_id'], 'chat_rooms', legacyId);
      this.roomProjects.set(id, projectId);
      const createdBy = this.user(r['created_by']);
      if (r['created_by'] && !createdBy) {
        this.ctx.report.table('chat_rooms').nulled++;
        this.ctx.adjust({
          source_table: 'chat_rooms',
          legacy_id: legacyId,
          kind: 'reference_nulled',
          field: 'created_by',
          from: r['created_by'],
          to: null,
          message: 'created_by names no user; set to NULL',
        });
      }
      const createdAt = this.ctx.time(r['created_at'], 'chat_rooms', legacyId, 'created_at', true);
      await batch.push({
        legacyId,
        values: [
          id,
          projectId,
          str(r['name'])?.trim() || `Room ${legacyId}`,
          str(r['description']),
          createdBy,
          createdAt,
          this.ctx.time(r['updated_at'], 'chat_rooms', legacyId, 'updated_at') ?? createdAt,
        ],
      });
    }
    await batch.flush();
  }

  private room(
    legacy: unknown,
    table: string,
    legacyId: string,
  ): { id: string; projectId: string } {
    const id = asUuid(String(legacy));
    const projectId = id ? this.roomProjects.get(id) : undefined;
    if (!id || !projectId)
      throw new LegacyImportError(
        `${table} ${legacyId}: room ${String(legacy)} is not a room of this database`,
      );
    return { id, projectId };
  }

  private drop(table: string, legacyId: string, field: string, from: unknown, why: string): void {
    this.ctx.report.table(table).dropped++;
    this.ctx.adjust({
      source_table: table,
      legacy_id: legacyId,
      kind: 'row_dropped',
      field,
      from,
      to: null,
      message: `${field} ${JSON.stringify(from)} ${why}; the row cannot exist without it and was not imported`,
    });
  }

  async participants(): Promise<void> {
    const batch = this.batch('chat_participants', PARTICIPANT_COLUMNS);
    for (const p of this.rows('chat_participants')) {
      const legacyId = String(p['id']);
      const room = this.room(p['room_id'], 'chat_participants', legacyId);
      let agentId: string | null = null;
      let userId: string | null = null;
      if (p['agent_id']) {
        agentId = await this.agent(
          p['agent_id'],
          room.projectId,
          'chat_participants',
          legacyId,
          'agent_id',
        );
        if (!agentId) {
          this.drop(
            'chat_participants',
            legacyId,
            'agent_id',
            p['agent_id'],
            'cannot be a UUID (its agent_id is NULL now, and a participant must be an agent or a user)',
          );
          continue;
        }
      } else {
        userId = this.user(p['user_id']);
        if (!userId) {
          this.drop('chat_participants', legacyId, 'user_id', p['user_id'], 'names no user');
          continue;
        }
      }
      await batch.push({
        legacyId,
        values: [
          this.idOf('chat_participants', legacyId),
          room.id,
          agentId,
          userId,
          this.ctx.time(p['joined_at'], 'chat_participants', legacyId, 'joined_at', true),
        ],
      });
    }
    await batch.flush();
  }

  async messages(): Promise<void> {
    const batch = this.batch('chat_messages', MESSAGE_COLUMNS);
    for (const m of this.rows('chat_messages')) {
      const legacyId = String(m['id']);
      const room = this.room(m['room_id'], 'chat_messages', legacyId);
      const type = String(m['sender_type'] ?? '').toLowerCase();
      const senderType = type === 'agent' || type === 'user' ? type : 'system';
      let agentId: string | null = null;
      let userId: string | null = null;
      if (senderType === 'agent')
        agentId = await this.agent(
          m['sender_id'],
          room.projectId,
          'chat_messages',
          legacyId,
          'sender_id',
        );
      if (senderType === 'user') userId = this.user(m['sender_id']);
      const meta = asObject(jsonOf(m['meta']));
      if (senderType !== type || (senderType !== 'system' && !agentId && !userId)) {
        this.ctx.report.table('chat_messages').nulled++;
        this.ctx.adjust({
          source_table: 'chat_messages',
          legacy_id: legacyId,
          kind: 'reference_nulled',
          field: 'sender_id',
          from: { sender_type: m['sender_type'], sender_id: m['sender_id'] },
          to: null,
          message:
            'the sender names nothing that can exist; the message is kept without a sender (meta.legacy_sender)',
        });
      }
      const keptMeta =
        senderType !== type || (senderType !== 'system' && !agentId && !userId)
          ? { ...(meta ?? {}), legacy_sender: { type: m['sender_type'], id: m['sender_id'] } }
          : meta;
      await batch.push({
        legacyId,
        values: [
          this.idOf('chat_messages', legacyId),
          room.id,
          senderType,
          agentId,
          userId,
          String(m['content'] ?? ''),
          str(m['message_type']) || 'text',
          keptMeta === null ? null : JSON.stringify(keptMeta),
          this.ctx.time(m['created_at'], 'chat_messages', legacyId, 'created_at', true),
        ],
      });
    }
    await batch.flush();
  }

  async apiKeys(): Promise<void> {
    const batch = this.batch('agent_api_keys', KEY_COLUMNS);
    for (const k of this.rows('agent_api_keys')) {
      const legacyId = String(k['id']);
      const projectId = this.project(k['project_id'], 'agent_api_keys', legacyId);
      const agentId = await this.agent(
        k['agent_id'],
        projectId,
        'agent_api_keys',
        legacyId,
        'agent_id',
      );
      if (!agentId) {
        this.drop('agent_api_keys', legacyId, 'agent_id', k['agent_id'], 'cannot be a UUID');
        continue;
      }
      const hash = String(k['api_key_hash'] ?? '')
        .trim()
        .toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(hash)) {
        this.drop(
          'agent_api_keys',
          legacyId,
          'api_key_hash',
          '(redacted)',
          'is not a sha256 hex digest',
        );
        continue;
      }
      const status = mapEnum(API_KEY_STATUS_MAP, API_KEY_STATUS_FALLBACK, k['status']);
      if (status.changed)
        this.ctx.adjust({
          source_table: 'agent_api_keys',
          legacy_id: legacyId,
          kind: 'enum_mapped',
          field: 'status',
          from: status.original,
          to: status.value,
          message: `status "${status.original}" stored as "${status.value}"`,
        });
      const byUser = k['created_by_type'] === 'user' || k['created_by_type'] === undefined;
      const createdBy = byUser ? this.user(k['created_by_id']) : null;
      // Keys here carry no capability list of their own (a key acts with its agent's access), and
      // created_by is a user: the broker's list, and a creator that was not a user, are kept in legacy.
      const legacy = legacyOf({
        capabilities: k['capabilities'] === undefined ? undefined : jsonOf(k['capabilities']),
        created_by_type: byUser ? undefined : k['created_by_type'],
        created_by_id: byUser ? undefined : k['created_by_id'],
      });
      const createdAt = this.ctx.time(
        k['created_at'],
        'agent_api_keys',
        legacyId,
        'created_at',
        true,
      );
      const updatedAt =
        this.ctx.time(k['updated_at'], 'agent_api_keys', legacyId, 'updated_at') ?? createdAt;
      await batch.push({
        legacyId,
        values: [
          this.idOf('agent_api_keys', legacyId),
          agentId,
          createdBy,
          str(k['key_id']),
          hash,
          String(k['key_prefix'] ?? '').slice(0, 32),
          status.value,
          this.ctx.time(k['expires_at'], 'agent_api_keys', legacyId, 'expires_at'),
          status.value === 'revoked' ? (updatedAt ?? createdAt) : null,
          legacy,
          createdAt,
          updatedAt,
        ],
      });
    }
    await batch.flush();
  }

  async tasks(): Promise<void> {
    const batch = taskBatch(this.ctx);
    for (const t of this.rows('tasks')) {
      const legacyId = String(t['id']);
      const id = this.idOf('tasks', legacyId);
      const projectId = this.project(t['project_id'], 'tasks', legacyId);
      const legacy: Record<string, unknown> = { id: legacyId, source: this.ctx.kind };
      const values = taskValues(
        this.ctx,
        'tasks',
        legacyId,
        t as { title: unknown; status: unknown; priority: unknown },
        legacy,
      );
      let roomId: string | null = null;
      if (t['room_id']) {
        const room = asUuid(String(t['room_id']));
        if (room && this.roomProjects.get(room) === projectId) roomId = room;
        else
          this.nullTask(
            legacyId,
            'room_id',
            t['room_id'],
            "names no room of the task's project",
            legacy,
          );
      }
      let assignedAgentId: string | null = null;
      let assignedUserId: string | null = null;
      if (t['assigned_to']) {
        if (t['assigned_to_type'] === 'user') {
          assignedUserId = this.user(t['assigned_to']);
          if (!assignedUserId)
            this.nullTask(legacyId, 'assigned_to', t['assigned_to'], 'names no user', legacy);
        } else {
          assignedAgentId = await this.agent(
            t['assigned_to'],
            projectId,
            'tasks',
            legacyId,
            'assigned_to',
          );
          if (!assignedAgentId)
            this.nullTask(legacyId, 'assigned_to', t['assigned_to'], 'cannot be a UUID', legacy);
        }
      }
      let createdByUserId: string | null = null;
      let createdByAgentId: string | null = null;
      if (t['created_by']) {
        createdByUserId = this.user(t['created_by']);
        const asAgent = asUuid(String(t['created_by']));
        if (!createdByUserId && asAgent && this.agentIds.has(asAgent)) createdByAgentId = asAgent;
        else if (!createdByUserId)
          this.nullTask(legacyId, 'created_by', t['created_by'], 'names no user or agent', legacy);
      }
      const result = asObject(jsonOf(t['result']));
      const createdAt = this.ctx.time(t['created_at'], 'tasks', legacyId, 'created_at', true);
      await batch.push({
        id,
        legacyId,
        projectId,
        roomId,
        title: values.title,
        description: str(t['description']),
        status: values.status,
        priority: values.priority,
        assignedAgentId,
        assignedUserId,
        createdByUserId,
        createdByAgentId,
        result: { ...(result ?? {}), legacy },
        dueDate: this.ctx.time(t['due_date'], 'tasks', legacyId, 'due_date'),
        startedAt: this.ctx.time(t['started_at'], 'tasks', legacyId, 'started_at'),
        completedAt: this.ctx.time(t['completed_at'], 'tasks', legacyId, 'completed_at'),
        createdAt,
        updatedAt: this.ctx.time(t['updated_at'], 'tasks', legacyId, 'updated_at') ?? createdAt,
      });
    }
    await batch.flush();

    // Dependencies once every task is in, so an edge to a later row is not taken for a missing task.
    const edges = new Batch<DependencyEdge>(this.ctx.batchSize, (rows) =>
      writeDependencies(this.ctx, rows),
    );
    for (const t of this.db
      .prepare('SELECT id, project_id, dependencies FROM tasks ORDER BY rowid')
      .iterate() as IterableIterator<Row>) {
      const deps = jsonOf(t['dependencies']);
      const list = Array.isArray(deps) ? deps : [];
      const legacyId = String(t['id']);
      for (const dep of list) {
        const dependsOn = asUuid(String(dep));
        await edges.push({
          projectId: asUuid(String(t['project_id'])) as string,
          taskId: this.idOf('tasks', legacyId),
          dependsOnId: dependsOn ?? this.idOf('tasks', String(dep)),
          sourceTable: 'tasks',
          legacyTaskId: legacyId,
          legacyDependsOn: String(dep),
        });
      }
    }
    await edges.flush();
  }

  private nullTask(
    legacyId: string,
    field: string,
    from: unknown,
    why: string,
    legacy: Record<string, unknown>,
  ): void {
    legacy[field] = from;
    this.ctx.report.table('tasks').nulled++;
    this.ctx.adjust({
      source_table: 'tasks',
      legacy_id: legacyId,
      kind: 'reference_nulled',
      field,
      from,
      to: null,
      message: `${field} ${JSON.stringify(from)} ${why}; set to NULL (original in result.legacy)`,
    });
  }
}
