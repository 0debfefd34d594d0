import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root, seen from this file (libs/shared/testing/src/lib). */
const ROOT = resolve(__dirname, '../../../../..');

/** Copies of the samples, for a checkout that has no `shared/` beside it. */
const BUNDLED = resolve(__dirname, '../../fixtures');

/**
 * A legacy sample input (built by shared/fixtures/make_fixtures.py): from
 * `AGENTHUB_FIXTURES_DIR` when set, else `../shared/fixtures` beside the repository, else
 * the copies in libs/shared/testing/fixtures.
 */
export function sharedFixture(name: string): string {
  const dirs = process.env['AGENTHUB_FIXTURES_DIR']
    ? [process.env['AGENTHUB_FIXTURES_DIR']]
    : [join(ROOT, '..', 'shared', 'fixtures'), BUNDLED];
  const path = dirs.map((dir) => join(dir, name)).find((candidate) => existsSync(candidate));
  if (!path) throw new Error(`Legacy fixture ${name} not found in ${dirs.join(' or ')}`);
  return path;
}
