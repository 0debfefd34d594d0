import type Database from 'better-sqlite3';
import { agentBatch, agentCapabilities, agentStatus } from '../agents-writer';
import type { ImportContext } from '../context';
import { LegacyImportError } from '../context';
import { asUuid, importedId } from '../ids';
import { Batch } from '../sql-writer';
import {
  hasTable,
  openSqlite,
  SqliteRow,
  SqliteValue,
  sqliteReadError,
  tableRows,
} from '../sqlite-file';
import {
  AGENT_API_KEYS,
  CHAT_MESSAGES,
  CHAT_PARTICIPANTS,
  CHAT_ROOMS,
  PROJECTS,
  UserRow,
  USERS,
} from '../target-tables';
import { DependencyEdge, taskBatch, taskValues, writeDependencies } from '../tasks-writer';
import { API_KEY_STATUS, textOf } from '../values';

/*
 * The broker's values are SQLite's, so String() of an id is exact (a BLOB reads as its UTF-8
 * text); textOf() is for a column's value, where NULL stays NULL.
 */
type Cell = SqliteValue | undefined;

const bool = (v: Cell) => v === 1 || v === '1' || v === 'true';
/** A boolean column the broker's schema may lack: `absent` when it does. */
const flag = (v: Cell, absent: boolean) => (v === undefined ? absent : bool(v));

/** A JSON column's value, parsed; text that is not JSON is kept as it is. */
function jsonOf(raw: Cell): unknown {
  if (typeof raw !== 'string') return raw ?? null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** A parsed JSON column as an object: anything else is wrapped as { value }. */
const asObject = (v: unknown): Record<string, unknown> | null =>
  v === null || v === undefined
    ? null
    : typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : { value: v };

/**
 * The `legacy` column's value: the broker fields with no column of their own that the row
 * had (a field the source lacks is left out), or null when it had none.
 */
function legacyOf(fields: Record<string, unknown>): Record<string, unknown> | null {
  const kept = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return Object.keys(kept).length === 0 ? null : kept;
}

/** A hash the users table's CHECK accepts but no password matches: an admin sets a password. */
const NO_PASSWORD = '$none$imported-without-password';

/**
 * The broker's database (agent-com's AgentDB/TaskDB): users and projects come along (no
 * --project), then agents (if that deployment had them), rooms, participants, messages, API
 * keys, tasks and their dependencies. Agent ids that name no agent get placeholders in the
 * project that referenced them; ids that are not UUIDs cannot name anything and are reported
 * with their row.
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
    if (hasTable(db, 'tasks')) {
      await run.tasks();
      // Once every task is in, so an edge to a later row is not taken for a missing task.
      await run.dependencies();
    }
  } catch (error) {
    sqliteReadError(path, error);
  } finally {
    db.close();
  }
}

class AgentComRun {
  /** legacy user id → our user id (after merging users by email) */
  private userIds = new Map<string, string>();
  private projectIds = new Set<string>();
  /** room id → its project */
  private roomProjects = new Map<string, string>();
  private agentIds = new Set<string>();

  constructor(
    private readonly ctx: ImportContext,
    private readonly db: Database.Database,
  ) {}

  private rows(table: string, order?: string): Generator<SqliteRow> {
    return tableRows<SqliteRow>(this.ctx, this.db, table, order);
  }

  /** The broker's ids are UUIDs; a row id that is not one still gets a stable id. */
  private idOf(table: string, legacyId: string): string {
    return importedId(this.ctx.kind, '-', table, legacyId).id;
  }

  async users(): Promise<void> {
    const byEmail = new Map<string, string>();
    const rows: UserRow[] = [];
    for (const u of this.rows('users', 'created_at, rowid')) {
      const legacyId = String(u['id']);
      const id = this.idOf('users', legacyId);
      const raw = textOf(u['email']) ?? '';
      const email = raw.trim().toLowerCase();
      if (!email.includes('@'))
        throw new LegacyImportError(`users ${legacyId}: "${raw}" is not an email address`);
      const first = byEmail.get(email);
      if (first) {
        this.userIds.set(legacyId, first);
        this.ctx.report.table('users').unchanged++;
        const username = JSON.stringify(u['username'] ?? null);
        this.ctx.adjust({
          source_table: 'users',
          legacy_id: legacyId,
          kind: 'user_merged',
          field: 'email',
          from: raw,
          to: first,
          message:
            `email differs only by case from user ${first}'s; merged into that user ` +
            `(this row's username ${username} is not kept)`,
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
      const passwordHash = this.passwordHash(u['password_hash'], legacyId);
      // No username, role or permissions columns here: kept in users.legacy.
      const legacy = legacyOf({
        username: u['username'],
        role: u['role'],
        permissions: u['permissions'] === undefined ? undefined : jsonOf(u['permissions']),
      });
      const createdAt = this.ctx.time(u['created_at'], 'users', legacyId, 'created_at', true);
      rows.push({
        id,
        legacyId,
        email,
        passwordHash,
        name: textOf(u['full_name'])?.trim() || textOf(u['username'])?.trim() || email,
        isSuperuser: bool(u['is_superuser']) || u['role'] === 'admin',
        isActive: flag(u['is_active'], true),
        legacy,
        createdAt,
        updatedAt: this.ctx.time(u['updated_at'], 'users', legacyId, 'updated_at') ?? createdAt,
      });
    }
    const kept = await this.mergeIntoExistingUsers(rows, byEmail);
    await this.ctx.write(USERS, kept);
  }

  /**
   * A PHC string (the broker's argon2id hashes) is kept, so old passwords work; anything else
   * becomes one no password matches, reported.
   */
  private passwordHash(raw: Cell, legacyId: string): string {
    const hash = textOf(raw);
    if (hash && hash.startsWith('$')) return hash;
    this.ctx.adjust({
      source_table: 'users',
      legacy_id: legacyId,
      kind: 'password_missing',
      field: 'password_hash',
      from: hash ? '(not a PHC string)' : null,
      to: null,
      message: 'no usable password hash: the user cannot log in until an admin sets a password',
    });
    return NO_PASSWORD;
  }

  /**
   * A user of AgentHub with the same email already: the broker's user becomes that user (which
   * is not changed). Answers the rows still to write.
   */
  private async mergeIntoExistingUsers(
    rows: UserRow[],
    byEmail: Map<string, string>,
  ): Promise<UserRow[]> {
    await this.ctx.behind.settled();
    const { rows: existing } = await this.ctx.client.query<{ id: string; email: string }>(
      'SELECT id, email FROM users WHERE email = ANY($1::text[])',
      [[...byEmail.keys()]],
    );
    const remap = new Map<string, string>();
    for (const e of existing) {
      const ours = byEmail.get(e.email);
      if (ours !== undefined && ours !== e.id) remap.set(ours, e.id);
    }
    const legacyOfUser = new Map(rows.map((r) => [r.id, r.legacy]));
    for (const [legacyId, id] of this.userIds) {
      const to = remap.get(id);
      if (!to) continue;
      this.userIds.set(legacyId, to);
      this.ctx.report.table('users').unchanged++;
      // The broker row's legacy fields are written nowhere, so the report carries them.
      const fields = legacyOfUser.get(id) ?? null;
      this.ctx.adjust({
        source_table: 'users',
        legacy_id: legacyId,
        kind: 'user_merged',
        field: 'email',
        from: fields,
        to,
        message:
          `a user with this email already exists (${to}); merged into that user` +
          (fields ? ` (not kept: ${JSON.stringify(fields)})` : ''),
      });
    }
    return rows.filter((r) => !remap.has(r.id));
  }

  private user(legacy: Cell): string | null {
    return legacy === null || legacy === undefined
      ? null
      : (this.userIds.get(String(legacy)) ?? null);
  }

  async projects(): Promise<void> {
    const batch = this.ctx.batch(PROJECTS);
    for (const p of this.rows('projects')) {
      const legacyId = String(p['id']);
      const id = this.idOf('projects', legacyId);
      const ownerId = this.user(p['owner_id']);
      if (!ownerId)
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
        id,
        legacyId,
        name: textOf(p['name'])?.trim() || String(p['project_id']),
        description: textOf(p['description']),
        ownerId,
        legacy,
        createdAt,
        updatedAt: this.ctx.time(p['updated_at'], 'projects', legacyId, 'updated_at') ?? createdAt,
      });
    }
    await batch.flush();
  }

  private project(legacy: Cell, table: string, legacyId: string): string {
    const id = asUuid(String(legacy));
    if (!id || !this.projectIds.has(id))
      throw new LegacyImportError(
        `${table} ${legacyId}: project ${String(legacy)} is not a project of this database`,
      );
    return id;
  }

  async agents(): Promise<void> {
    const batch = agentBatch(this.ctx);
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
      const wanted = textOf(a['name'])?.trim() || `Agent ${legacyId}`;
      const name = await this.ctx.uniqueName(projectId, id, wanted, 'agents', legacyId);
      await batch.push({
        id,
        legacyId,
        sourceTable: 'agents',
        projectId,
        name,
        nickname: textOf(a['nickname']),
        agentType: textOf(a['agent_type']) || 'generic',
        status,
        capabilities: caps.names,
        config,
        isActive: flag(a['is_active'], true),
        createdAt,
        updatedAt: this.ctx.time(a['updated_at'], 'agents', legacyId, 'updated_at') ?? createdAt,
        details: caps.details,
      });
    }
    await batch.flush();
  }

  /**
   * The agent an id names: one of the source's, or a placeholder in `projectId`. An id that
   * cannot be a UUID answers null (the caller reports what it does with the row).
   */
  private async agent(
    legacy: Cell,
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
    const batch = this.ctx.batch(CHAT_ROOMS);
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
        id,
        legacyId,
        projectId,
        name: textOf(r['name'])?.trim() || `Room ${legacyId}`,
        description: textOf(r['description']),
        createdBy,
        createdAt,
        updatedAt:
          this.ctx.time(r['updated_at'], 'chat_rooms', legacyId, 'updated_at') ?? createdAt,
      });
    }
    await batch.flush();
  }

  private room(legacy: Cell, table: string, legacyId: string): { id: string; projectId: string } {
    const id = asUuid(String(legacy));
    const projectId = id ? this.roomProjects.get(id) : undefined;
    if (!id || !projectId)
      throw new LegacyImportError(
        `${table} ${legacyId}: room ${String(legacy)} is not a room of this database`,
      );
    return { id, projectId };
  }

  /** Reports a row that is not imported because `field` names nothing it can exist without. */
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
    const batch = this.ctx.batch(CHAT_PARTICIPANTS);
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
        id: this.idOf('chat_participants', legacyId),
        legacyId,
        roomId: room.id,
        agentId,
        userId,
        joinedAt: this.ctx.time(p['joined_at'], 'chat_participants', legacyId, 'joined_at', true),
      });
    }
    await batch.flush();
  }

  async messages(): Promise<void> {
    const batch = this.ctx.batch(CHAT_MESSAGES);
    for (const m of this.rows('chat_messages')) {
      const legacyId = String(m['id']);
      const room = this.room(m['room_id'], 'chat_messages', legacyId);
      const type = (textOf(m['sender_type']) ?? '').toLowerCase();
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
      let meta = asObject(jsonOf(m['meta']));
      // A sender of no known type, or one that names nothing: kept in meta, the message without it.
      const senderLost = senderType !== type || (senderType !== 'system' && !agentId && !userId);
      if (senderLost) {
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
        meta = { ...(meta ?? {}), legacy_sender: { type: m['sender_type'], id: m['sender_id'] } };
      }
      await batch.push({
        id: this.idOf('chat_messages', legacyId),
        legacyId,
        roomId: room.id,
        senderType,
        senderAgentId: agentId,
        senderUserId: userId,
        content: textOf(m['content']) ?? '',
        messageType: textOf(m['message_type']) || 'text',
        meta,
        createdAt: this.ctx.time(m['created_at'], 'chat_messages', legacyId, 'created_at', true),
      });
    }
    await batch.flush();
  }

  async apiKeys(): Promise<void> {
    const batch = this.ctx.batch(AGENT_API_KEYS);
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
      // The broker stored sha256(key) as hex, which is what our key check compares.
      const keyHash = (textOf(k['api_key_hash']) ?? '').trim().toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(keyHash)) {
        const why = 'is not a sha256 hex digest';
        this.drop('agent_api_keys', legacyId, 'api_key_hash', '(redacted)', why);
        continue;
      }
      const status = this.ctx.mapEnum(
        API_KEY_STATUS,
        k['status'],
        'agent_api_keys',
        legacyId,
        'status',
      );
      const byUser = k['created_by_type'] === 'user' || k['created_by_type'] === undefined;
      // Keys here carry no capability list of their own (a key acts with its agent's access), and
      // created_by is a user: the broker's list, and a creator that is not a user, go in legacy.
      const legacy = legacyOf({
        capabilities: k['capabilities'] === undefined ? undefined : jsonOf(k['capabilities']),
        created_by_type: byUser ? undefined : k['created_by_type'],
        created_by_id: byUser ? undefined : k['created_by_id'],
      });
      const at = (field: string, reportMissing = false) =>
        this.ctx.time(k[field], 'agent_api_keys', legacyId, field, reportMissing);
      const createdAt = at('created_at', true);
      const updatedAt = at('updated_at') ?? createdAt;
      await batch.push({
        id: this.idOf('agent_api_keys', legacyId),
        legacyId,
        agentId,
        createdBy: byUser ? this.user(k['created_by_id']) : null,
        name: textOf(k['key_id']),
        keyHash,
        keyPrefix: (textOf(k['key_prefix']) ?? '').slice(0, 32),
        status: status.value,
        expiresAt: at('expires_at'),
        // The broker kept no revocation time: the key's last update is the closest.
        revokedAt: status.value === 'revoked' ? updatedAt : null,
        legacy,
        createdAt,
        updatedAt,
      });
    }
    await batch.flush();
  }

  async tasks(): Promise<void> {
    const batch = taskBatch(this.ctx);
    for (const t of this.rows('tasks')) {
      const legacyId = String(t['id']);
      const projectId = this.project(t['project_id'], 'tasks', legacyId);
      const legacy: Record<string, unknown> = { id: legacyId, source: this.ctx.kind };
      const values = taskValues(this.ctx, 'tasks', legacyId, t, legacy);
      const roomId = this.taskRoom(t['room_id'], projectId, legacyId, legacy);
      const assignee = await this.taskAssignee(t, projectId, legacyId, legacy);
      const creator = this.taskCreator(t['created_by'], legacyId, legacy);
      const result = asObject(jsonOf(t['result']));
      const at = (field: string, reportMissing = false) =>
        this.ctx.time(t[field], 'tasks', legacyId, field, reportMissing);
      const createdAt = at('created_at', true);
      await batch.push({
        id: this.idOf('tasks', legacyId),
        legacyId,
        projectId,
        roomId,
        title: values.title,
        description: textOf(t['description']),
        status: values.status,
        priority: values.priority,
        assignedAgentId: assignee.agentId,
        assignedUserId: assignee.userId,
        createdByUserId: creator.userId,
        createdByAgentId: creator.agentId,
        result: { ...(result ?? {}), legacy },
        dueDate: at('due_date'),
        startedAt: at('started_at'),
        completedAt: at('completed_at'),
        createdAt,
        updatedAt: at('updated_at') ?? createdAt,
      });
    }
    await batch.flush();
  }

  /** A task's room: one of its project's, else NULL (reported). */
  private taskRoom(
    legacy: Cell,
    projectId: string,
    legacyId: string,
    taskLegacy: Record<string, unknown>,
  ): string | null {
    if (!legacy) return null;
    const room = asUuid(String(legacy));
    if (room && this.roomProjects.get(room) === projectId) return room;
    this.nullTask(legacyId, 'room_id', legacy, "names no room of the task's project", taskLegacy);
    return null;
  }

  /** A task's assignee: a user when assigned_to_type says so, else an agent (or a placeholder). */
  private async taskAssignee(
    t: SqliteRow,
    projectId: string,
    legacyId: string,
    taskLegacy: Record<string, unknown>,
  ): Promise<{ agentId: string | null; userId: string | null }> {
    const assignedTo = t['assigned_to'];
    if (!assignedTo) return { agentId: null, userId: null };
    if (t['assigned_to_type'] === 'user') {
      const userId = this.user(assignedTo);
      if (!userId) this.nullTask(legacyId, 'assigned_to', assignedTo, 'names no user', taskLegacy);
      return { agentId: null, userId };
    }
    const agentId = await this.agent(assignedTo, projectId, 'tasks', legacyId, 'assigned_to');
    if (!agentId)
      this.nullTask(legacyId, 'assigned_to', assignedTo, 'cannot be a UUID', taskLegacy);
    return { agentId, userId: null };
  }

  /** A task's creator: a user, or else an agent of the source. */
  private taskCreator(
    legacy: Cell,
    legacyId: string,
    taskLegacy: Record<string, unknown>,
  ): { userId: string | null; agentId: string | null } {
    if (!legacy) return { userId: null, agentId: null };
    const userId = this.user(legacy);
    if (userId) return { userId, agentId: null };
    const agentId = asUuid(String(legacy));
    if (agentId && this.agentIds.has(agentId)) return { userId: null, agentId };
    this.nullTask(legacyId, 'created_by', legacy, 'names no user or agent', taskLegacy);
    return { userId: null, agentId: null };
  }

  /** The tasks' dependencies (a JSON list of task ids on each); edges to no task are dropped. */
  async dependencies(): Promise<void> {
    const edges = new Batch<DependencyEdge>(this.ctx.behind, this.ctx.batchSize, (rows) =>
      writeDependencies(this.ctx, rows),
    );
    const tasks = this.db
      .prepare('SELECT id, project_id, dependencies FROM tasks ORDER BY rowid')
      .iterate() as IterableIterator<SqliteRow>;
    for (const t of tasks) {
      const deps = jsonOf(t['dependencies']);
      if (!Array.isArray(deps) || deps.length === 0) continue;
      const legacyId = String(t['id']);
      const projectId = this.project(t['project_id'], 'tasks', legacyId);
      const taskId = this.idOf('tasks', legacyId);
      for (const dep of deps as unknown[]) {
        // A list element as text; a JSON null reads "null" (and names no task).
        const ref = textOf(dep) ?? 'null';
        await edges.push({
          projectId,
          taskId,
          dependsOnId: asUuid(ref) ?? this.idOf('tasks', ref),
          sourceTable: 'tasks',
          legacyTaskId: legacyId,
          legacyDependsOn: ref,
        });
      }
    }
    await edges.flush();
  }

  /** Sets a task's reference to NULL, keeping the original in result.legacy, and reports it. */
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
