/**
 * `npm run test:faults`: every fault scenario, one after the other, each in a process of its own;
 * exits 1 when any of them found an anomaly (or failed). `--short` runs the CI versions;
 * `--only kill-api,restart-postgres` a subset. Builds nothing: run `npx nx build api migrator`
 * first (`npm run test:faults` does).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

const SCENARIOS = [
  'kill-api',
  'restart-postgres',
  'replicas-pgbouncer',
  'migrator-kill',
  'misbehaving-clients',
];

const { values } = parseArgs({
  options: { short: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const chosen = values.only ? values.only.split(',').map((s) => s.trim()) : SCENARIOS;
const unknown = chosen.filter((name) => !SCENARIOS.includes(name));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}\n`,
  );
  process.exit(2);
}

const results: [string, number, number][] = [];
for (const name of chosen) {
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [
      '-r',
      join(__dirname, '../register-ts.js'),
      join(__dirname, `${name}.fault.ts`),
      ...(values.short ? ['--short'] : []),
    ],
    { stdio: 'inherit' },
  );
  results.push([name, run.status ?? 1, (performance.now() - started) / 1000]);
}
process.stdout.write('\n== fault scenarios\n');
for (const [name, status, seconds] of results)
  process.stdout.write(
    `  ${name.padEnd(22)} ${status === 0 ? 'passed' : `FAILED (exit ${status})`}  ${seconds.toFixed(0)} s\n`,
  );
process.exitCode = results.some(([, status]) => status !== 0) ? 1 : 0;
