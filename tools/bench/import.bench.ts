/**
 * Legacy import throughput (sqlite-phase1) next to a plain COPY of the same rows.
 *
 *   node -r ./tools/register-ts.js tools/bench/import.bench.ts [--tasks 1000000 | --full] [--file path/to/phase1-large.sqlite]
 *
 * Builds `phase1-large.sqlite` with ../shared/fixtures/make_fixtures.py (--large N) unless --file
 * is given, starts a fresh migrated database (DATABASE_URL's server when set, else an embedded
 * PostgreSQL under tmp/bench-postgres), imports the file through runImport (the code
 * `migrator import` runs) into a new project, then COPYs the same rows (read from the same file)
 * into scratch tables of text columns without indexes or constraints, in the same run (the
 * issue's baseline), and then COPYs the rows the import wrote into copies of the real agents and
 * tasks tables (same indexes, generated search column, CHECKs and foreign keys): the least any
 * writer into this schema pays. Last, the same file once more through the built migrator
 * (dist/apps/migrator/main.js, `npx nx build migrator`; `migrator import … --dry-run`: the
 * whole import, rolled back) in a process of its own, for the importer's peak RSS as ops see it
 * in its Job (VmHWM, read from /proc while it runs): this process's own RSS also holds the
 * bench's TypeScript loader, clients and buffers, printed next to it. Prints rows/s of each, our
 * rate ÷ each COPY's and both RSS figures. Aim: import ÷ COPY into copies of our tables ≥ 0.8,
 * the migrator's peak RSS < 300 MB. `--full` is 1 000 000 tasks (the default); `npm run bench` passes --tasks 100000.
 * A script for people, not a test: never run in CI.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { runImport } from '@agenthub/legacy-import';
import {
  benchDatabase,
  formatTable,
  log,
  reportFigures,
  ROOT,
  runBench,
  startProcess,
} from './harness';

const { values: opts } = parseArgs({
  options: {
    tasks: { type: 'string', default: '1000000' },
    full: { type: 'boolean', default: false },
    file: { type: 'string' },
  },
});
const tasks = opts.full ? '1000000' : opts.tasks;
const RATIO_AIM = 0.8;
const RSS_AIM_MB = 300;

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
/** COPY text format: backslash, tab, newline, carriage return escaped; NULL is \N. */
const field = (v: unknown) =>
  v === null || v === undefined
    ? '\\N'
    : String(v)
        .replace(/\\/g, '\\\\')
        .replace(/\t/g, '\\t')
        .replace(/\n/g, '\\n')
        .replace(/\r/g, '\\r');

/**
 * The migrator's peak resident set for a dry-run import of `file` into `project` (VmHWM, the
 * kernel's high-water mark, read every 50 ms until the process exits), and its wall time;
 * undefined when the migrator is not built or /proc is not there (not Linux).
 */
async function migratorPeakRss(
  url: string,
  file: string,
  project: string,
): Promise<{ mb: number; seconds: number } | undefined> {
  const bundle = join(ROOT, 'dist/apps/migrator/main.js');
  if (!existsSync(bundle)) {
    log(`${bundle} is missing (npx nx build migrator): the migrator's peak RSS is not measured`);
    return undefined;
  }
  const args = [
    bundle,
    'import',
    'sqlite-phase1',
    file,
    '--project',
    project,
    '--dry-run',
    '--json',
  ];
  // The bench's database, and no other (a DATABASE_DIRECT_URL would take precedence).
  const child = startProcess('migrator import', args, {
    DATABASE_URL: url,
    DATABASE_DIRECT_URL: undefined,
  });
  let peakKb = 0;
  const sample = () => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch {
      // gone, or no /proc
    }
  };
  const sampler = setInterval(sample, 50);
  const t0 = performance.now();
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`migrator import exited with ${code} (its stderr is above)`);
  if (peakKb === 0) return undefined;
  return { mb: Math.round(peakKb / 1024), seconds: (performance.now() - t0) / 1000 };
}

runBench(async (defer) => {
  let file = opts.file;
  if (!file) {
    const dir = mkdtempSync(join(tmpdir(), 'agenthub-import-bench-'));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const t0 = performance.now();
    execFileSync(
      'python3',
      [join(ROOT, '../shared/fixtures/make_fixtures.py'), dir, '--large', tasks],
      { stdio: 'inherit' },
    );
    file = join(dir, 'phase1-large.sqlite');
    log(`fixture: ${tasks} tasks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const url = await benchDatabase(defer, 'import', { ephemeral: true });

  const client = new Client({ connectionString: url });
  await client.connect();
  defer(() => client.end());
  const user = (
    await client.query(
      `INSERT INTO users (email, password_hash, name) VALUES ('bench@example.com', '$x', 'Bench') RETURNING id`,
    )
  ).rows[0].id;
  const project = (
    await client.query(`INSERT INTO projects (name, owner_id) VALUES ('Bench', $1) RETURNING id`, [
      user,
    ])
  ).rows[0].id;

  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t1 = performance.now();
  const report = await runImport({ url, source: 'sqlite-phase1', path: file, projectId: project });
  const importS = (performance.now() - t1) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const rows = report.tables['agents'].read + report.tables['tasks'].read;

  // The same rows, read from the same file, COPYed into tables without indexes or constraints.
  await client.query(
    `CREATE TABLE scratch_agents (id text, name text, agent_type text, status text, capabilities text, system_prompt text, model_provider text, model_name text, created_at text, updated_at text)`,
  );
  await client.query(
    `CREATE TABLE scratch_tasks (id text, title text, description text, status text, priority text, assigned_agent_id text, created_at text, updated_at text)`,
  );
  const sqlite = new Database(file, { readonly: true });
  const t2 = performance.now();
  for (const table of ['agents', 'tasks']) {
    const source = Readable.from(
      (function* () {
        for (const row of sqlite
          .prepare(`SELECT * FROM ${table}`)
          .raw()
          .iterate() as IterableIterator<unknown[]>)
          yield `${row.map(field).join('\t')}\n`;
      })(),
    );
    await pipeline(source, client.query(copyFrom(`COPY scratch_${table} FROM STDIN`)));
  }
  const copyS = (performance.now() - t2) / 1000;
  sqlite.close();

  // The rows as imported, COPYed into tables shaped like ours (LIKE … INCLUDING ALL has no foreign keys: added).
  await client.query(
    `CREATE TABLE schema_agents (LIKE agents INCLUDING ALL, FOREIGN KEY (project_id) REFERENCES projects (id))`,
  );
  await client.query(
    `CREATE TABLE schema_tasks (LIKE tasks INCLUDING ALL, FOREIGN KEY (project_id) REFERENCES projects (id), FOREIGN KEY (assigned_agent_id) REFERENCES schema_agents (id))`,
  );
  const reader = new Client({ connectionString: url });
  await reader.connect();
  defer(() => reader.end());
  const t3 = performance.now();
  for (const table of ['agents', 'tasks']) {
    const cols = (
      await client.query<{ c: string }>(
        `SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS c FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''`,
        [table],
      )
    ).rows[0].c;
    await pipeline(
      reader.query(
        copyTo(`COPY (SELECT ${cols} FROM ${table} WHERE project_id = '${project}') TO STDOUT`),
      ),
      client.query(copyFrom(`COPY schema_${table} (${cols}) FROM STDIN`)),
    );
  }
  const schemaS = (performance.now() - t3) / 1000;

  // Into a project of its own, rolled back: the rows and figures above stay as they are.
  const dryRunProject = (
    await client.query(
      `INSERT INTO projects (name, owner_id) VALUES ('Bench dry run', $1) RETURNING id`,
      [user],
    )
  ).rows[0].id;
  const migrator = await migratorPeakRss(url, file, dryRunProject);

  const ours = rows / importS;
  const copy = rows / copyS;
  const schema = rows / schemaS;
  const out = [
    `rows (agents + tasks): ${rows}`,
    ...formatTable(
      ['', 'seconds', 'rows/s', 'import ÷ this'],
      [
        ['import (runImport, sqlite-phase1)', importS.toFixed(1), String(Math.round(ours)), '-'],
        [
          'COPY into scratch tables (1)',
          copyS.toFixed(1),
          String(Math.round(copy)),
          (ours / copy).toFixed(2),
        ],
        [
          'COPY into copies of our tables (2)',
          schemaS.toFixed(1),
          String(Math.round(schema)),
          (ours / schema).toFixed(2),
        ],
      ],
    ),
    '(1) the source rows as text into scratch tables: no indexes, constraints or keys',
    '(2) the imported rows into copies of agents and tasks: same indexes, generated columns, CHECKs, foreign keys',
    migrator
      ? `migrator import --dry-run, a process of its own: peak RSS ${migrator.mb} MB, ${migrator.seconds.toFixed(1)} s`
      : 'migrator import --dry-run: not measured',
    `this process during runImport: peak RSS ${mb(peak)} MB (${mb(rssBefore)} MB before: the bench's loader and clients)`,
    `aims: import ÷ COPY into copies of our tables ≥ ${RATIO_AIM}, the migrator's peak RSS < ${RSS_AIM_MB} MB`,
    `adjustments: ${report.adjustments.length}, placeholders: ${report.tables['agents'].placeholders}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  reportFigures('import', [
    {
      figure: `legacy import, ${rows} rows (sqlite-phase1)`,
      value: ours,
      unit: 'rows/s',
      baseline: 'COPY into copies of our tables',
      baselineValue: schema,
      ratio: ours / schema,
      target: `ratio ≥ ${RATIO_AIM}`,
      met: ours / schema >= RATIO_AIM,
    },
    ...(migrator
      ? [
          {
            figure: 'legacy import, migrator peak RSS (a process of its own)',
            value: migrator.mb,
            unit: 'MB',
            target: `< ${RSS_AIM_MB} MB`,
            met: migrator.mb < RSS_AIM_MB,
          },
        ]
      : []),
    {
      figure: 'legacy import, peak RSS of the bench process during runImport',
      value: mb(peak),
      unit: 'MB',
    },
  ]);
});
