import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root, seen from this file (libs/shared/testing/src/lib). */
const ROOT = resolve(__dirname, '../../../../..');

/**
 * A legacy sample input from `shared/fixtures` (built by its make_fixtures.py), which lives
 * beside the repository (`../shared/fixtures`); `AGENTHUB_FIXTURES_DIR` points elsewhere.
 */
export function sharedFixture(name: string): string {
  const dir = process.env['AGENTHUB_FIXTURES_DIR'] ?? join(ROOT, '..', 'shared', 'fixtures');
  const path = join(dir, name);
  if (!existsSync(path)) {
    throw new Error(`Legacy fixture ${path} not found: clone the repository beside shared/ or set AGENTHUB_FIXTURES_DIR`);
  }
  return path;
}
