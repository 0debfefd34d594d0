import Database from 'better-sqlite3';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TestDatabase } from '@agenthub/testing';
import { verifyDatabaseIntegrity } from '@agenthub/migrations';
import { IMPORT_NAMESPACE, uuidV5 } from './ids';
import { runImport } from './import';
import { createProject, fixture, query, snapshot } from './import.fixtures';
import type { ImportReport } from './report';

const v5 = (project: string, table: string, legacyId: string, kind = 'sqlite-phase1') =>
  uuidV5(IMPORT_NAMESPACE, `${kind}/${project}/${table}/${legacyId}`);
/** The fixture generator's ids (make_fixtures.py: uuid5 of its own namespace). */
const fixtureUuid = (name: string) => uuidV5('3b2a9c1e-6a57-4f0e-9d8e-2f1c4b7a9e10', name);
const kinds = (report: ImportReport) =>
  report.adjustments.reduce<Record<string, number>>(
    (acc, a) => ({ ...acc, [a.kind]: (acc[a.kind] ?? 0) + 1 }),
    {},
  );

describe('legacy import: sqlite-phase1 and registry-json', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'agenthub-import-'));
  });
  afterAll(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('sqlite-phase1 (seed 002)', () => {
    let project: string;
    let first: ImportReport;
    beforeAll(async () => {
      project = await createProject(db.url, 'Phase 1');
    });

    it('a dry run writes nothing and reports what the import will do', async () => {
      const before = await snapshot(db.url);
      const dry = await runImport({
        url: db.url,
        source: 'sqlite-phase1',
        path: fixture('phase1-sample.sqlite'),
        projectId: project,
        dryRun: true,
      });
      expect(await snapshot(db.url)).toBe(before);
      first = await runImport({
        url: db.url,
        source: 'sqlite-phase1',
        path: fixture('phase1-sample.sqlite'),
        projectId: project,
      });
      expect({ ...dry, dry_run: false }).toEqual(first);
    });

    it('brings every row in, with exact counts and every adjustment listed', () => {
      expect(first.changed).toBe(true);
      expect(first.tables).toEqual({
        agents: {
          read: 8,
          inserted: 8,
          updated: 0,
          unchanged: 0,
          placeholders: 2,
          nulled: 0,
          renamed: 1,
          dropped: 0,
        },
        agent_capabilities: {
          read: 10,
          inserted: 10,
          updated: 0,
          unchanged: 0,
          placeholders: 0,
          nulled: 0,
          renamed: 0,
          dropped: 0,
        },
        tasks: {
          read: 40,
          inserted: 40,
          updated: 0,
          unchanged: 0,
          placeholders: 0,
          nulled: 4,
          renamed: 0,
          dropped: 0,
        },
      });
      expect(kinds(first)).toEqual({
        enum_mapped: 17, // tasks: 5 × done, 5 × COMPLETED, 6 × critical; agents: sleeping
        placeholder_created: 2, // ghost-agent, and a UUID that names no agent
        reference_nulled: 4, // assigned_agent_id ''
        name_deduplicated: 1,
        capabilities_not_json: 1,
        timestamp_unreadable: 1, // 'yesterday'
        timestamp_missing: 1, // Undashed has no created_at
      });
      expect(first.adjustments).toContainEqual(
        expect.objectContaining({
          source_table: 'agents',
          legacy_id: 'researcher-2',
          kind: 'name_deduplicated',
          from: 'Researcher',
          to: 'Researcher (2)',
        }),
      );
      expect(first.adjustments).toContainEqual(
        expect.objectContaining({
          source_table: 'agents',
          legacy_id: 'op-2',
          kind: 'enum_mapped',
          field: 'status',
          from: 'sleeping',
          to: 'offline',
        }),
      );
      expect(first.adjustments).toContainEqual(
        expect.objectContaining({
          source_table: 'tasks',
          legacy_id: 'task-029',
          kind: 'enum_mapped',
          from: 'done',
          to: 'completed',
        }),
      );
      expect(first.adjustments).toContainEqual(
        expect.objectContaining({
          source_table: 'tasks',
          legacy_id: 'task-004',
          kind: 'enum_mapped',
          from: 'critical',
          to: 'urgent',
        }),
      );
      expect(first.adjustments).toContainEqual(
        expect.objectContaining({
          source_table: 'tasks',
          legacy_id: 'task-026',
          kind: 'reference_nulled',
          field: 'assigned_agent_id',
          from: '',
        }),
      );
    });

    it('keeps UUID ids (dashed or 32 hex), maps text ids to UUIDv5, and keeps the legacy id on the row', async () => {
      const agents = await query<{ id: string; name: string; config: Record<string, unknown> }>(
        db.url,
        'SELECT id, name, config FROM agents WHERE project_id = $1',
        [project],
      );
      const byLegacy = new Map(agents.map((a) => [a.config['legacy_id'], a]));
      expect(byLegacy.get('cos-1')!.id).toBe(v5(project, 'agents', 'cos-1'));
      expect(byLegacy.get(fixtureUuid('phase1-uuid-agent'))!.id).toBe(
        fixtureUuid('phase1-uuid-agent'),
      );
      expect(byLegacy.get(fixtureUuid('phase1-undashed').replace(/-/g, ''))!.id).toBe(
        fixtureUuid('phase1-undashed'),
      );
      const task = await query<{ id: string; result: { legacy: Record<string, unknown> } }>(
        db.url,
        `SELECT id, result FROM tasks WHERE id = $1`,
        [v5(project, 'tasks', 'task-029')],
      );
      expect(task[0].result.legacy).toEqual({
        id: 'task-029',
        source: 'sqlite-phase1',
        status: 'done',
      });
      const kept = await query(db.url, 'SELECT id FROM tasks WHERE id = $1', [
        fixtureUuid('phase1-task-0'),
      ]);
      expect(kept).toHaveLength(1);
    });

    it('gives orphan assignees one placeholder each (offline, inactive) and NULLs empty ones', async () => {
      const placeholders = await query<{
        id: string;
        name: string;
        status: string;
        is_active: boolean;
      }>(
        db.url,
        `SELECT id, name, status, is_active FROM agents WHERE project_id = $1 AND config->>'placeholder' = 'true' ORDER BY name`,
        [project],
      );
      const ghost = v5(project, 'agents', 'ghost-agent');
      const missing = fixtureUuid('phase1-missing-uuid');
      expect(placeholders).toEqual(
        [ghost, missing]
          .sort()
          .map((id) => ({ id, name: `Migrated Agent ${id}`, status: 'offline', is_active: false })),
      );
      const assigned = await query<{ n: string }>(
        db.url,
        'SELECT count(*) AS n FROM tasks WHERE assigned_agent_id = $1',
        [ghost],
      );
      expect(Number(assigned[0].n)).toBe(8);
      const empty = await query<{
        result: { legacy: Record<string, unknown> };
        assigned_agent_id: string | null;
      }>(db.url, 'SELECT result, assigned_agent_id FROM tasks WHERE id = $1', [
        v5(project, 'tasks', 'task-026'),
      ]);
      expect(empty[0]).toEqual({
        assigned_agent_id: null,
        result: { legacy: expect.objectContaining({ assigned_agent_id: '' }) },
      });
    });

    it('maps enums, capabilities (list, object with confidences, text kept verbatim) and timestamps as UTC', async () => {
      const agent = async (legacyId: string) =>
        (
          await query<{
            status: string;
            capabilities: string[];
            config: Record<string, unknown>;
            created_at: Date;
          }>(
            db.url,
            `SELECT status, capabilities, config, created_at FROM agents WHERE config->>'legacy_id' = $1`,
            [legacyId],
          )
        )[0];
      const scraper = await agent('op-2');
      expect(scraper).toMatchObject({
        status: 'offline',
        capabilities: ['search', 'browse'],
        config: { legacy_status: 'sleeping', legacy_capabilities: 'search, browse' },
      });
      const scorer = await agent('op-3');
      expect(scorer.capabilities).toEqual(['rank', 'score']);
      const confidences = await query(
        db.url,
        `SELECT capability_name, confidence_score::float AS c FROM agent_capabilities WHERE agent_id = $1 ORDER BY 1`,
        [v5(project, 'agents', 'op-3')],
      );
      expect(confidences).toEqual([
        { capability_name: 'rank', c: 0.9 },
        { capability_name: 'score', c: 0.4 },
      ]);
      expect((await agent('op-1')).created_at.toISOString()).toBe('2025-03-01T09:05:00.000Z');
      expect((await agent('cos-1')).created_at.toISOString()).toBe('2025-03-01T09:00:00.000Z');
      const micro = await query<{ t: string }>(
        db.url,
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS t FROM agents WHERE id = $1`,
        [fixtureUuid('phase1-uuid-agent')],
      );
      expect(micro[0].t).toBe('2025-03-01 09:10:00.123456');
      const statuses = await query<{ status: string; n: string }>(
        db.url,
        `SELECT status, count(*) AS n FROM tasks WHERE project_id = $1 GROUP BY 1 ORDER BY 1`,
        [project],
      );
      expect(statuses.map((s) => [s.status, Number(s.n)])).toEqual([
        ['cancelled', 5],
        ['completed', 15],
        ['failed', 5],
        ['in_progress', 5],
        ['pending', 10],
      ]);
    });

    it('a second run changes nothing and says so; verify finds nothing dangling', async () => {
      const before = await snapshot(db.url);
      const again = await runImport({
        url: db.url,
        source: 'sqlite-phase1',
        path: fixture('phase1-sample.sqlite'),
        projectId: project,
      });
      expect(await snapshot(db.url)).toBe(before);
      expect(again.changed).toBe(false);
      expect(again.tables['tasks']).toMatchObject({
        read: 40,
        inserted: 0,
        updated: 0,
        unchanged: 40,
      });
      expect(again.tables['agents']).toMatchObject({
        read: 8,
        inserted: 0,
        updated: 0,
        unchanged: 10,
        placeholders: 0,
      });
      expect(again.adjustments.filter((a) => a.kind !== 'placeholder_created')).toEqual(
        first.adjustments.filter((a) => a.kind !== 'placeholder_created'),
      );
      expect((await verifyDatabaseIntegrity(db.url)).ok).toBe(true);
    });

    it('refuses to move a kept UUID that belongs to another project, and writes nothing', async () => {
      const other = await createProject(db.url, 'Other');
      const before = await snapshot(db.url);
      await expect(
        runImport({
          url: db.url,
          source: 'sqlite-phase1',
          path: fixture('phase1-sample.sqlite'),
          projectId: other,
        }),
      ).rejects.toThrow(
        new RegExp(
          `agents ${fixtureUuid('phase1-uuid-agent')}, ${fixtureUuid('phase1-undashed')} already belong to project ${project}, not to ${other}`,
        ),
      );
      expect(await snapshot(db.url)).toBe(before);
    });

    it('a truncated SQLite file is a clear error and nothing is written', async () => {
      const bytes = await readFile(fixture('phase1-sample.sqlite'));
      const truncated = join(dir, 'truncated.sqlite');
      await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const target = await createProject(db.url, 'Truncated');
      const before = await snapshot(db.url);
      await expect(
        runImport({ url: db.url, source: 'sqlite-phase1', path: truncated, projectId: target }),
      ).rejects.toThrow(/not a readable SQLite database|reading failed/);
      expect(await snapshot(db.url)).toBe(before);
      await expect(
        runImport({
          url: db.url,
          source: 'sqlite-phase1',
          path: fixture('registry-sample.json'),
          projectId: target,
        }),
      ).rejects.toThrow(/not a readable SQLite database/);
    });

    it('two rows that land on one id (a UUID written dashed and as 32 hex digits) are an error naming both, and nothing is written', async () => {
      const path = join(dir, 'colliding.sqlite');
      const sqlite = new Database(path);
      sqlite.exec(`CREATE TABLE agents (id TEXT PRIMARY KEY, name TEXT NOT NULL, agent_type TEXT NOT NULL, status TEXT, capabilities TEXT, system_prompt TEXT, model_provider TEXT, model_name TEXT, created_at TEXT, updated_at TEXT);
        CREATE TABLE tasks (id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT, status TEXT, priority TEXT, assigned_agent_id TEXT, created_at TEXT, updated_at TEXT)`);
      const same = fixtureUuid('colliding-task');
      const insert = sqlite.prepare(
        `INSERT INTO tasks (id, title, status, priority, created_at) VALUES (?, ?, 'pending', 'low', '2025-01-01 00:00:00')`,
      );
      insert.run(same, 'First');
      insert.run('other-task', 'Between');
      insert.run(same.replace(/-/g, '').toUpperCase(), 'Second');
      sqlite.close();
      const target = await createProject(db.url, 'Colliding');
      const before = await snapshot(db.url);
      const message = new RegExp(
        `tasks rows "${same}" and "${same.replace(/-/g, '').toUpperCase()}" both map to tasks id ${same}.*nothing was written`,
      );
      // In one batch, and across batches (the later row would otherwise overwrite the first).
      for (const batchSize of [10, 2]) {
        await expect(
          runImport({ url: db.url, source: 'sqlite-phase1', path, projectId: target, batchSize }),
        ).rejects.toThrow(message);
      }
      expect(await snapshot(db.url)).toBe(before);
    });

    it('needs an existing project', async () => {
      await expect(
        runImport({ url: db.url, source: 'sqlite-phase1', path: fixture('phase1-sample.sqlite') }),
      ).rejects.toThrow(/needs --project/);
      await expect(
        runImport({
          url: db.url,
          source: 'sqlite-phase1',
          path: fixture('phase1-sample.sqlite'),
          projectId: 'nope',
        }),
      ).rejects.toThrow(/must be a UUID/);
      await expect(
        runImport({
          url: db.url,
          source: 'sqlite-phase1',
          path: fixture('phase1-sample.sqlite'),
          projectId: fixtureUuid('no-project'),
        }),
      ).rejects.toThrow(/does not exist/);
    });
  });

  describe('registry-json (seed 003)', () => {
    let project: string;
    beforeAll(async () => {
      project = await createProject(db.url, 'Registry');
    });

    it('imports descriptors with capability details, renames the duplicate, and is idempotent', async () => {
      const report = await runImport({
        url: db.url,
        source: 'registry-json',
        path: fixture('registry-sample.json'),
        projectId: project,
      });
      expect(report.tables).toEqual({
        agents: {
          read: 5,
          inserted: 5,
          updated: 0,
          unchanged: 0,
          placeholders: 0,
          nulled: 0,
          renamed: 1,
          dropped: 0,
        },
        agent_capabilities: {
          read: 5,
          inserted: 5,
          updated: 0,
          unchanged: 0,
          placeholders: 0,
          nulled: 0,
          renamed: 0,
          dropped: 0,
        },
      });
      expect(kinds(report)).toEqual({ name_deduplicated: 1, timestamp_missing: 3 });
      expect(report.adjustments).toContainEqual(
        expect.objectContaining({
          legacy_id: 'web-scraper-000',
          kind: 'name_deduplicated',
          to: 'Echo Agent (2)',
        }),
      );
      const agents = await query<{
        id: string;
        name: string;
        agent_type: string;
        is_active: boolean;
        config: Record<string, unknown>;
        created_at: Date;
      }>(
        db.url,
        `SELECT id, name, agent_type, is_active, config, created_at FROM agents WHERE project_id = $1 ORDER BY name`,
        [project],
      );
      expect(agents.map((a) => a.name)).toEqual([
        'Code Gen Agent 000',
        'Echo Agent',
        'Echo Agent (2)',
        'File Ops Agent 000',
        'UUID Agent',
      ]);
      const codeGen = agents[0];
      expect(codeGen).toMatchObject({
        id: v5(project, 'agents', 'code-gen-000', 'registry-json'),
        agent_type: 'code_gen',
        is_active: false,
      });
      expect(codeGen.config).toEqual({
        temperature: 0.2,
        retries: 3,
        legacy_id: 'code-gen-000',
        legacy_source: 'registry-json',
        version: '2.1.0',
        tags: ['code-gen'],
        category: 'code_gen',
      });
      expect(codeGen.created_at.toISOString()).toBe('2025-01-01T00:00:00.000Z');
      expect(agents[4].id).toBe(fixtureUuid('registry-uuid-agent'));
      const details = await query(
        db.url,
        `SELECT capability_name, description, input_schema->>'type' AS input FROM agent_capabilities WHERE agent_id = $1 ORDER BY 1`,
        [codeGen.id],
      );
      expect(details).toEqual([
        { capability_name: 'generate_code', description: 'Code.', input: 'object' },
        { capability_name: 'review', description: 'Reviews.', input: 'object' },
      ]);

      const before = await snapshot(db.url);
      const again = await runImport({
        url: db.url,
        source: 'registry-json',
        path: fixture('registry-sample.json'),
        projectId: project,
      });
      expect(again.changed).toBe(false);
      expect(again.tables['agents']).toMatchObject({ inserted: 0, updated: 0, unchanged: 5 });
      expect(await snapshot(db.url)).toBe(before);
    });

    it('two descriptors with one id are an error naming both, and nothing is written', async () => {
      const id = fixtureUuid('registry-colliding');
      const path = join(dir, 'colliding.json');
      await writeFile(
        path,
        JSON.stringify([
          { id, name: 'A' },
          { id: 'b', name: 'B' },
          { id: id.replace(/-/g, ''), name: 'C' },
        ]),
      );
      const target = await createProject(db.url, 'Colliding registry');
      const before = await snapshot(db.url);
      await expect(
        runImport({ url: db.url, source: 'registry-json', path, projectId: target, batchSize: 2 }),
      ).rejects.toThrow(
        new RegExp(
          `registry rows "${id}" and "${id.replace(/-/g, '')}" both map to agents id ${id}`,
        ),
      );
      expect(await snapshot(db.url)).toBe(before);
    });

    it('invalid JSON (truncated, not an array, trailing garbage) is a clear error and nothing is written', async () => {
      const text = await readFile(fixture('registry-sample.json'), 'utf8');
      const target = await createProject(db.url, 'Broken JSON');
      const before = await snapshot(db.url);
      for (const [name, content, message] of [
        [
          'truncated.json',
          text.slice(0, Math.floor(text.length * 0.7)),
          /not valid JSON.*(truncated|Unexpected|Expected|Unterminated)/,
        ],
        ['object.json', '{"id": "x"}', /not valid JSON.*expected "\["/],
        ['garbage.json', `${text} x`, /not valid JSON.*after the array/],
      ] as const) {
        const path = join(dir, name);
        await writeFile(path, content);
        await expect(
          runImport({ url: db.url, source: 'registry-json', path, projectId: target }),
        ).rejects.toThrow(message);
      }
      expect(await snapshot(db.url)).toBe(before);
    });
  });
});
