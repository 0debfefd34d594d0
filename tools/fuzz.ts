/*
 * `npm run fuzz [-- --runs N --seed S]`: the fuzz e2e test (apps/api/test/fuzz.e2e-spec.ts),
 * longer than CI's bounded run. FUZZ_RUNS/FUZZ_SEED in the environment work too; without a
 * seed a fresh one is drawn, and the test prints it with the requests per second, so a failing
 * run can be replayed. TEST_DATABASE_URL is passed on (else jest starts an embedded server).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const runs = flag('runs') ?? process.env['FUZZ_RUNS'] ?? '50';
const seed =
  flag('seed') ?? process.env['FUZZ_SEED'] ?? String(Math.floor(Math.random() * 2 ** 31));
process.stdout.write(`fuzz: FUZZ_RUNS=${runs} FUZZ_SEED=${seed}\n`);

const root = join(__dirname, '..');
const result = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/jest/bin/jest.js'),
    'apps/api/test/fuzz.e2e-spec.ts',
    '--runInBand',
    '--testTimeout=3600000',
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, FUZZ_RUNS: runs, FUZZ_SEED: seed } },
);
process.exit(result.status ?? 1);
