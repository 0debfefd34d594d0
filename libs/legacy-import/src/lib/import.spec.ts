import Database from 'better-sqlite3';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { query } from '@agenthub/testing';
import { verifyDatabaseIntegrity } from '@agenthub/migrations';
import { IMPORT_NAMESPACE, uuidV5 } from './ids';
import { ImportOptions, runImport } from './import';
import {
  adjustmentKinds,
  createProject,
  fixture,
  fixtureUuid,
  snapshot,
  tableCounts,
  useImportWorkspace,
} from './import.fixtures';
import type { ImportReport } from './report';

const v5 = (project: string, table: string, legacyId: string, kind = 'sqlite-phase1') =>
  uuidV5(IMPORT_NAMESPACE, `${kind}/${project}/${table}/${legacyId}`);

/** A phase-1 file of these tasks (and no agents), made with the platform's own two tables. */
function phase1File(
  path: string,
  tasks: { id: string; title: string; assignedAgentId?: string }[],
): string {
  const sqlite = new Database(path);
  sqlite.exec(`
    CREATE TABLE agents (id TEXT PRIMARY KEY, name TEXT NOT NULL, agent_type TEXT NOT NULL,
      status TEXT, capabilities TEXT, system_prompt TEXT, model_provider TEXT, model_name TEXT,
      created_at TEXT, updated_at TEXT);
    CREATE TABLE tasks (id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT, status TEXT,
      priority TEXT, assigned_agent_id TEXT, created_at TEXT, updated_at TEXT)`);
  const insert = sqlite.prepare(
    `INSERT INTO tasks (id, title, status, priority, assigned_agent_id, created_at)
     VALUES (?, ?, 'pending', 'low', ?, '2025-01-01 00:00:00')`,
  );
  for (const t of tasks) insert.run(t.id, t.title, t.assignedAgentId ?? null);
  sqlite.close();
  return path;
}

describe('legacy import: sqlite-phase1 and registry-json', () => {
  const workspace = useImportWorkspace('all');
  const url = () => workspace.db.url;

  describe('sqlite-phase1 (the phase-1 SQLite platform)', () => {
    let project: string;
    let first: ImportReport;
    beforeAll(async () => {
      project = await createProject(url(), 'Phase 1');
    });
    /** The phase-1 sample into `project`, unless `options` say otherwise. */
    const importSample = (options: Partial<ImportOptions> = {}) =>
      runImport({
        url: url(),
        source: 'sqlite-phase1',
        path: fixture('phase1-sample.sqlite'),
        projectId: project,
        ...options,
      });

    it('a dry run writes nothing and reports what the import will do', async () => {
      const before = await snapshot(url());
      const dry = await importSample({ dryRun: true });
      expect(await snapshot(url())).toBe(before);
      first = await importSample();
      expect({ ...dry, dry_run: false }).toEqual(first);
    });

    it('brings every row in, with exact counts and every adjustment listed', () => {
      expect(first.changed).toBe(true);
      expect(first.tables).toEqual({
        agents: tableCounts(8, 8, { placeholders: 2, renamed: 1 }),
        agent_capabilities: tableCounts(10, 10),
        tasks: tableCounts(40, 40, { nulled: 4 }),
      });
      expect(adjustmentKinds(first)).toEqual({
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
        url(),
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
        url(),
        `SELECT id, result FROM tasks WHERE id = $1`,
        [v5(project, 'tasks', 'task-029')],
      );
      expect(task[0].result.legacy).toEqual({
        id: 'task-029',
        source: 'sqlite-phase1',
        status: 'done',
      });
      const kept = await query(url(), 'SELECT id FROM tasks WHERE id = $1', [
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
        url(),
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
        url(),
        'SELECT count(*) AS n FROM tasks WHERE assigned_agent_id = $1',
        [ghost],
      );
      expect(Number(assigned[0].n)).toBe(8);
      const empty = await query<{
        result: { legacy: Record<string, unknown> };
        assigned_agent_id: string | null;
      }>(url(), 'SELECT result, assigned_agent_id FROM tasks WHERE id = $1', [
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
            url(),
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
        url(),
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
        url(),
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS t FROM agents WHERE id = $1`,
        [fixtureUuid('phase1-uuid-agent')],
      );
      expect(micro[0].t).toBe('2025-03-01 09:10:00.123456');
      const statuses = await query<{ status: string; n: string }>(
        url(),
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
      const before = await snapshot(url());
      const again = await importSample();
      expect(await snapshot(url())).toBe(before);
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
      expect((await verifyDatabaseIntegrity(url())).ok).toBe(true);
    });

    it('refuses to move a kept UUID that belongs to another project, and writes nothing', async () => {
      const other = await createProject(url(), 'Other');
      const before = await snapshot(url());
      await expect(importSample({ projectId: other })).rejects.toThrow(
        new RegExp(
          `agents ${fixtureUuid('phase1-uuid-agent')}, ${fixtureUuid('phase1-undashed')} already belong to project ${project}, not to ${other}`,
        ),
      );
      expect(await snapshot(url())).toBe(before);
    });

    it('a truncated SQLite file is a clear error and nothing is written', async () => {
      const bytes = await readFile(fixture('phase1-sample.sqlite'));
      const truncated = join(workspace.dir, 'truncated.sqlite');
      await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const target = await createProject(url(), 'Truncated');
      const before = await snapshot(url());
      await expect(
        runImport({ url: url(), source: 'sqlite-phase1', path: truncated, projectId: target }),
      ).rejects.toThrow(/not a readable SQLite database|reading failed/);
      expect(await snapshot(url())).toBe(before);
      await expect(
        importSample({ path: fixture('registry-sample.json'), projectId: target }),
      ).rejects.toThrow(/not a readable SQLite database/);
    });

    it('two rows that land on one id (a UUID written dashed and as 32 hex digits) are an error naming both, and nothing is written', async () => {
      const same = fixtureUuid('colliding-task');
      const path = phase1File(join(workspace.dir, 'colliding.sqlite'), [
        { id: same, title: 'First' },
        { id: 'other-task', title: 'Between' },
        { id: same.replace(/-/g, '').toUpperCase(), title: 'Second' },
      ]);
      const target = await createProject(url(), 'Colliding');
      const before = await snapshot(url());
      const message = new RegExp(
        `tasks rows "${same}" and "${same.replace(/-/g, '').toUpperCase()}" both map to tasks id ${same}.*nothing was written`,
      );
      // In one batch, and across batches (the later row would otherwise overwrite the first).
      for (const batchSize of [10, 2]) {
        await expect(
          runImport({ url: url(), source: 'sqlite-phase1', path, projectId: target, batchSize }),
        ).rejects.toThrow(message);
      }
      expect(await snapshot(url())).toBe(before);
    });

    it('a repeat of a row from a batch of new rows is found after a later batch met existing rows', async () => {
      const target = await createProject(url(), 'Colliding later');
      const kept = fixtureUuid('kept-task');
      await runImport({
        url: url(),
        source: 'sqlite-phase1',
        path: phase1File(join(workspace.dir, 'kept.sqlite'), [{ id: kept, title: 'Kept' }]),
        projectId: target,
      });
      const same = fixtureUuid('colliding-later');
      // Batches of two: all new; one row already there (the way the writer checks changes
      // there); then the first row again, written as 32 hex digits.
      const path = phase1File(join(workspace.dir, 'colliding-later.sqlite'), [
        { id: same, title: 'First' },
        { id: 'fresh-1', title: 'Fresh' },
        { id: kept, title: 'Kept, renamed' },
        { id: 'fresh-2', title: 'Fresh' },
        { id: same.replace(/-/g, ''), title: 'Second' },
      ]);
      const before = await snapshot(url());
      await expect(
        runImport({ url: url(), source: 'sqlite-phase1', path, projectId: target, batchSize: 2 }),
      ).rejects.toThrow(
        new RegExp(
          `tasks rows "${same}" and "${same.replace(/-/g, '')}" both map to tasks id ${same}`,
        ),
      );
      expect(await snapshot(url())).toBe(before);
    });

    it('an orphan assignee has its placeholder before the batch with its task is written, at any batch size', async () => {
      const path = phase1File(join(workspace.dir, 'orphans.sqlite'), [
        { id: 'first', title: 'First', assignedAgentId: 'ghost' },
        { id: 'second', title: 'Second', assignedAgentId: 'ghost' },
        { id: 'third', title: 'Third', assignedAgentId: 'other-ghost' },
      ]);
      const target = await createProject(url(), 'Orphans');
      for (const batchSize of [1, 2, 3]) {
        const report = await runImport({
          url: url(),
          source: 'sqlite-phase1',
          path,
          projectId: target,
          batchSize,
          dryRun: true,
        });
        expect(report.tables['tasks']).toEqual(tableCounts(3, 3));
        expect(report.tables['agents']).toEqual(tableCounts(0, 0, { placeholders: 2 }));
      }
    });

    it('in small batches (each made ready while the one before is written) a first run, a re-run and a run with changes write what they should', async () => {
      const target = await createProject(url(), 'Small batches');
      const tasks = Array.from({ length: 20 }, (_, i) => ({
        id: `small-${i}`,
        title: `Task ${i}`,
      }));
      const run = (name: string, rows: typeof tasks) =>
        runImport({
          url: url(),
          source: 'sqlite-phase1',
          path: phase1File(join(workspace.dir, name), rows),
          projectId: target,
          batchSize: 3,
        });
      const titles = async () =>
        (
          await query<{ title: string }>(url(), `SELECT title FROM tasks WHERE project_id = $1`, [
            target,
          ])
        )
          .map((r) => r.title)
          .sort();

      expect((await run('small-first.sqlite', tasks)).tables['tasks']).toEqual(tableCounts(20, 20));
      const written = await titles();
      expect(written).toHaveLength(20);

      expect((await run('small-again.sqlite', tasks)).tables['tasks']).toEqual(
        tableCounts(20, 0, { unchanged: 20 }),
      );
      expect(await titles()).toEqual(written);

      // Five renamed among the first rows, five new at the end: batches of new rows, then mixed.
      const changed = [
        ...tasks.map((t, i) => (i % 4 === 0 ? { ...t, title: `${t.title}, renamed` } : t)),
        ...Array.from({ length: 5 }, (_, i) => ({ id: `small-new-${i}`, title: `New ${i}` })),
      ];
      expect((await run('small-changed.sqlite', changed)).tables['tasks']).toEqual(
        tableCounts(25, 5, { updated: 5, unchanged: 15 }),
      );
      expect(await titles()).toEqual(changed.map((t) => t.title).sort());
    });

    it('needs an existing project', async () => {
      await expect(importSample({ projectId: undefined })).rejects.toThrow(/needs --project/);
      await expect(importSample({ projectId: 'nope' })).rejects.toThrow(/must be a UUID/);
      await expect(importSample({ projectId: fixtureUuid('no-project') })).rejects.toThrow(
        /does not exist/,
      );
    });
  });

  describe('registry-json (the in-memory registry)', () => {
    let project: string;
    beforeAll(async () => {
      project = await createProject(url(), 'Registry');
    });
    /** The registry sample into `project`, unless `options` say otherwise. */
    const importRegistry = (options: Partial<ImportOptions> = {}) =>
      runImport({
        url: url(),
        source: 'registry-json',
        path: fixture('registry-sample.json'),
        projectId: project,
        ...options,
      });

    it('imports descriptors with capability details, renames the duplicate, and is idempotent', async () => {
      const report = await importRegistry();
      expect(report.tables).toEqual({
        agents: tableCounts(5, 5, { renamed: 1 }),
        agent_capabilities: tableCounts(5, 5),
      });
      expect(adjustmentKinds(report)).toEqual({ name_deduplicated: 1, timestamp_missing: 3 });
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
        url(),
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
        url(),
        `SELECT capability_name, description, input_schema->>'type' AS input FROM agent_capabilities WHERE agent_id = $1 ORDER BY 1`,
        [codeGen.id],
      );
      expect(details).toEqual([
        { capability_name: 'generate_code', description: 'Code.', input: 'object' },
        { capability_name: 'review', description: 'Reviews.', input: 'object' },
      ]);

      const before = await snapshot(url());
      const again = await importRegistry();
      expect(again.changed).toBe(false);
      expect(again.tables['agents']).toMatchObject({ inserted: 0, updated: 0, unchanged: 5 });
      expect(await snapshot(url())).toBe(before);
    });

    it('two descriptors with one id are an error naming both, and nothing is written', async () => {
      const id = fixtureUuid('registry-colliding');
      const path = join(workspace.dir, 'colliding.json');
      await writeFile(
        path,
        JSON.stringify([
          { id, name: 'A' },
          { id: 'b', name: 'B' },
          { id: id.replace(/-/g, ''), name: 'C' },
        ]),
      );
      const target = await createProject(url(), 'Colliding registry');
      const before = await snapshot(url());
      await expect(importRegistry({ path, projectId: target, batchSize: 2 })).rejects.toThrow(
        new RegExp(
          `registry rows "${id}" and "${id.replace(/-/g, '')}" both map to agents id ${id}`,
        ),
      );
      expect(await snapshot(url())).toBe(before);
    });

    it('invalid JSON (truncated, not an array, trailing garbage) is a clear error and nothing is written', async () => {
      const text = await readFile(fixture('registry-sample.json'), 'utf8');
      const target = await createProject(url(), 'Broken JSON');
      const before = await snapshot(url());
      for (const [name, content, message] of [
        [
          'truncated.json',
          text.slice(0, Math.floor(text.length * 0.7)),
          /not valid JSON.*(truncated|Unexpected|Expected|Unterminated)/,
        ],
        ['object.json', '{"id": "x"}', /not valid JSON.*expected "\["/],
        ['garbage.json', `${text} x`, /not valid JSON.*after the array/],
      ] as const) {
        const path = join(workspace.dir, name);
        await writeFile(path, content);
        await expect(importRegistry({ path, projectId: target })).rejects.toThrow(message);
      }
      expect(await snapshot(url())).toBe(before);
    });

    it('a descriptor whose id is neither text nor a number is an error naming the element', async () => {
      const path = join(workspace.dir, 'object-id.json');
      await writeFile(
        path,
        JSON.stringify([
          { id: 'a', name: 'A' },
          { id: { n: 1 }, name: 'B' },
        ]),
      );
      const target = await createProject(url(), 'Object id');
      const before = await snapshot(url());
      await expect(importRegistry({ path, projectId: target })).rejects.toThrow(
        `${path}: element 2 has id {"n":1}, which is neither text nor a number`,
      );
      expect(await snapshot(url())).toBe(before);
    });
  });
});
