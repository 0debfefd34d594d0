import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, query, sharedFixture, TestDatabase } from '@agenthub/testing';
import { uuidV5 } from './ids';
import { emptyTable, ImportReport, TableReport } from './report';
import { TARGET_TABLES } from './target-tables';

/** A sample input (../shared/fixtures beside the repository, built by make_fixtures.py). */
export const fixture = sharedFixture;

/** The ids make_fixtures.py gives its rows: UUIDv5 of the name in the generator's namespace. */
export const fixtureUuid = (name: string) => uuidV5('3b2a9c1e-6a57-4f0e-9d8e-2f1c4b7a9e10', name);

/** How many adjustments of each kind a report has. */
export const adjustmentKinds = (report: ImportReport) =>
  report.adjustments.reduce<Record<string, number>>(
    (acc, a) => ({ ...acc, [a.kind]: (acc[a.kind] ?? 0) + 1 }),
    {},
  );

/** A table's counts in a report: every count not given is 0. */
export const tableCounts = (
  read: number,
  inserted: number,
  others: Partial<TableReport> = {},
): TableReport => ({ ...emptyTable(), read, inserted, ...others });

/**
 * A migrated database and a scratch directory for the calling block: made before each of its
 * tests (`each`) or once for all of them, and removed after.
 */
export function useImportWorkspace(scope: 'all' | 'each'): { db: TestDatabase; dir: string } {
  let db: TestDatabase | undefined;
  let dir: string | undefined;
  const [before, after] = scope === 'each' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'agenthub-import-'));
  });
  after(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const made = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useImportWorkspace: used outside a test');
    return value;
  };
  return {
    get db() {
      return made(db);
    },
    get dir() {
      return made(dir);
    },
  };
}

/** A user and a project to import into; answers the project id. */
export async function createProject(url: string, name = 'Imports'): Promise<string> {
  const [user] = await query<{ id: string }>(
    url,
    `INSERT INTO users (email, password_hash, name) VALUES ($1, '$argon2id$x', 'Owner') RETURNING id`,
    [`owner-${Math.random().toString(36).slice(2)}@example.com`],
  );
  const [project] = await query<{ id: string }>(
    url,
    `INSERT INTO projects (name, owner_id) VALUES ($1, $2) RETURNING id`,
    [name, user.id],
  );
  return project.id;
}

/** Every row of every table an import writes, to compare before and after. */
export async function snapshot(url: string): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const { name } of TARGET_TABLES)
    out[name] = await query(url, `SELECT to_jsonb(x) AS row FROM ${name} x ORDER BY 1`);
  return JSON.stringify(out);
}
