/**
 * Every benchmark of tools/bench, one after the other, and one table of what they measured.
 *
 *   npm run bench [-- [--full] [--skip-build] [--timeout <minutes>] [name ...]]
 *   npm run bench -- --show tmp/bench/<run>.json [--against tmp/bench/<earlier run>.json]
 *
 * Builds the API and the migrator first (`npx nx run-many -t build -p api migrator`: Nx's cache
 * makes it quick when nothing changed; `--skip-build` uses dist/apps/api/main.js and
 * dist/apps/migrator/main.js as they are), then runs each `<name>.bench.ts` of this
 * folder as a child process of its own (all of them, or the names given, e.g.
 * `npm run bench -- agents-get claim`), with short settings picked so the whole run takes about
 * five minutes, or with `--full` each bench's own defaults (the long runs the figures of the docs
 * come from). Each child gets BENCH_REPORT, a temporary file it writes its figures to
 * (`reportFigures()` in harness.ts); its output goes to stderr as it runs.
 *
 * Then prints one table to stdout: each figure, its value, the baseline measured in the same run
 * and its value, the ratio (oriented so that above 1 is better), the target and whether it was
 * met, and the previous run's value; and writes the same, with the node version, the git commit
 * and the settings, as JSON to tmp/bench/<ISO 8601 timestamp>.json and tmp/bench/latest.json,
 * for comparing runs. A bench that exits non-zero, reports nothing or outlives --timeout
 * (default 10 minutes, 60 with --full; then it is interrupted like Ctrl-C, so it cleans up)
 * shows as failed, and the runner exits 1 once the others have run. A missed target is only a
 * row of the table: these are measurements, not tests. `--show` prints the table of a run's
 * JSON again, without running anything, its prev column from `--against`. Never run in CI.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { redactUrl } from '@agenthub/database';
import { BenchFigure, formatTable, log, ROOT } from './harness';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    full: { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    timeout: { type: 'string' },
    show: { type: 'string' },
    against: { type: 'string' },
  },
});
const MODE = opts.full ? 'full' : 'short';
const TIMEOUT_MS = Number(opts.timeout ?? (opts.full ? 60 : 10)) * 60_000;

/** The order of the run: the hot paths first; a bench not listed here runs after them. */
const ORDER = [
  'agents-get',
  'agents-list',
  'claim',
  'transaction',
  'messages',
  'events-idle',
  'import',
  'workflow',
  'metrics',
  'protocols',
];

/**
 * The short settings: the same measurements on fewer seconds, rows and samples (a bench not
 * listed runs with its defaults).
 */
const SHORT: Record<string, string[]> = {
  'agents-get': ['--seconds', '3', '--rounds', '1', '--warmup', '1'],
  'agents-list': ['--samples', '100', '--warmup', '20'],
  claim: ['--seconds', '5', '--pgbench-seconds', '5'],
  transaction: ['--transactions', '2000'],
  messages: ['--seconds', '5'],
  'events-idle': ['--streams', '100', '--seconds', '10'],
  import: ['--tasks', '100000'],
  workflow: ['--steps', '200', '--warmup', '20'],
  metrics: ['--points', '100000', '--agents', '20', '--runs', '5'],
  protocols: ['--samples', '100', '--warmup', '20', '--sends', '20', '--send-warmup', '5'],
};
/** With --full: each bench's defaults, plus what a bench needs told. */
const FULL: Record<string, string[]> = { import: ['--full'] };

interface BenchRun {
  name: string;
  args: string[];
  status: 'ok' | 'failed';
  exitCode: number | null;
  signal: string | null;
  seconds: number;
  /** Why it counts as failed. */
  reason?: string;
  figures: BenchFigure[];
  /** What it printed to stdout: its own table. */
  output: string;
}

interface RunFile {
  startedAt: string;
  finishedAt: string;
  seconds: number;
  node: string;
  platform: string;
  cpus: number;
  commit: string | null;
  /** Whether the work tree differed from the commit. */
  dirty: boolean | null;
  settings: {
    mode: string;
    benches: string[];
    database: string;
    timeoutMinutes: number;
    args: Record<string, string[]>;
  };
  benches: BenchRun[];
}

const git = (args: string[]): string | null => {
  const res = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : null;
};

/** The benches of this folder, in {@link ORDER}, then the others by name. */
function discover(): string[] {
  const names = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.slice(0, -'.bench.ts'.length));
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

let interrupted = false;

/** One bench as a child process; its figures from the BENCH_REPORT file. */
function runOne(name: string, args: string[], reportFile: string): Promise<BenchRun> {
  const file = join(__dirname, `${name}.bench.ts`);
  log(
    `\n── ${name}: node -r ./tools/register-ts.js tools/bench/${name}.bench.ts ${args.join(' ')}`,
  );
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', './tools/register-ts.js', file, ...args], {
      cwd: ROOT,
      env: { ...process.env, BENCH_REPORT: reportFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderrTail = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      process.stderr.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-2000);
      process.stderr.write(chunk);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      log(`${name}: still running after ${TIMEOUT_MS / 60_000} min: interrupting it`);
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 60_000).unref();
    }, TIMEOUT_MS);
    const finish = (exitCode: number | null, signal: string | null, spawnError?: Error) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      let figures: BenchFigure[] = [];
      let reportError: string | undefined;
      if (existsSync(reportFile)) {
        try {
          const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
            figures?: BenchFigure[];
          };
          figures = report.figures ?? [];
        } catch (error) {
          reportError = `its report is not JSON (${String(error)})`;
        }
      }
      const lastLine = stderrTail.trim().split('\n').filter(Boolean).pop();
      const reason = spawnError
        ? `could not start: ${spawnError.message}`
        : timedOut
          ? `timed out after ${TIMEOUT_MS / 60_000} min`
          : exitCode !== 0
            ? `exited ${exitCode ?? signal}${lastLine ? `: ${lastLine.slice(0, 160)}` : ''}`
            : (reportError ??
              (figures.length === 0
                ? 'reported no figures (reportFigures not called)'
                : undefined));
      resolve({
        name,
        args,
        status: reason ? 'failed' : 'ok',
        exitCode,
        signal,
        seconds,
        ...(reason && { reason }),
        figures,
        output: stdout,
      });
    };
    child.on('error', (error) => finish(null, null, error));
    child.on('exit', (code, signal) => finish(code, signal));
  });
}

/** A number for the table: integers as they are, else about four significant digits. */
function num(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  if (Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  return n.toFixed(abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : abs >= 0.01 ? 3 : 4);
}

const withUnit = (n: number | null | undefined, unit: string) =>
  n === null || n === undefined || !Number.isFinite(n)
    ? '-'
    : unit === 'count'
      ? num(n)
      : `${num(n)} ${unit}`;

function printTable(run: RunFile, previous: RunFile | undefined): string[] {
  const prevValue = (bench: string, figure: string) =>
    previous?.benches.find((b) => b.name === bench)?.figures.find((f) => f.figure === figure)
      ?.value;
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const b of run.benches) {
    if (b.status === 'failed')
      rows.push([b.name, `FAILED: ${b.reason ?? ''}`, '', '', '', '', '', '', '']);
    for (const f of b.figures) {
      if (f.note) notes.push(`${b.name} · ${f.figure}: ${f.note}`);
      rows.push([
        b.name,
        f.figure,
        withUnit(f.value, f.unit),
        f.baseline ?? '',
        f.baseline ? withUnit(f.baselineValue, f.unit) : '',
        f.ratio === undefined || f.ratio === null ? '' : `${num(f.ratio)}×`,
        f.target ?? '',
        f.met === undefined || f.met === null ? '' : f.met ? 'yes' : 'NO',
        previous ? withUnit(prevValue(b.name, f.figure), f.unit) : '',
      ]);
    }
  }
  const figures = run.benches.flatMap((b) => b.figures);
  const judged = figures.filter((f) => typeof f.met === 'boolean');
  const failed = run.benches.filter((b) => b.status === 'failed');
  return [
    `bench run ${run.startedAt} (${run.settings.mode}) — node ${run.node}, ${run.cpus} cores, commit ${run.commit?.slice(0, 12) ?? '?'}${run.dirty ? ' + local changes' : ''}, ${run.settings.database}`,
    ...formatTable(
      ['bench', 'figure', 'value', 'baseline', 'baseline value', 'ratio', 'target', 'met', 'prev'],
      rows,
      [0, 1, 3, 6],
    ),
    ...(notes.length > 0 ? ['notes:', ...notes.map((n) => `  ${n}`)] : []),
    'ratio: value ÷ baseline, or baseline ÷ value for times and CPU: above 1 is better throughout.',
    previous
      ? `prev: the run of ${previous.startedAt} (${previous.settings.mode}, commit ${previous.commit?.slice(0, 12) ?? '?'}).`
      : 'prev: no earlier run in tmp/bench/latest.json.',
    `targets: ${judged.filter((f) => f.met).length} met, ${judged.filter((f) => !f.met).length} missed; benches: ${run.benches.length - failed.length} ok, ${failed.length} failed${failed.length > 0 ? ` (${failed.map((b) => b.name).join(', ')})` : ''}; ${run.seconds.toFixed(0)} s.`,
  ];
}

const readRun = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as RunFile;

async function main(): Promise<number> {
  if (opts.show) {
    const table = printTable(readRun(opts.show), opts.against ? readRun(opts.against) : undefined);
    process.stdout.write(`${table.join('\n')}\n`);
    return 0;
  }
  const available = discover();
  const unknown = positionals.filter((n) => !available.includes(n));
  if (unknown.length > 0) {
    log(`no such bench: ${unknown.join(', ')} (there are: ${available.join(', ')})`);
    return 2;
  }
  const names =
    positionals.length > 0 ? available.filter((n) => positionals.includes(n)) : available;
  const argsOf = (name: string) => (opts.full ? FULL[name] : SHORT[name]) ?? [];

  if (!opts['skip-build']) {
    log('building the API and the migrator: npx nx run-many -t build -p api migrator');
    const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'api', 'migrator'], {
      cwd: ROOT,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    if (build.status !== 0) {
      log('the build failed: no bench ran (--skip-build runs them on the bundles as they are)');
      return 1;
    }
  }

  process.on('SIGINT', () => {
    // The child gets the same Ctrl-C and cleans up; the rest of the run is skipped.
    interrupted = true;
  });
  const startedAt = new Date();
  const started = performance.now();
  const tmp = mkdtempSync(join(tmpdir(), 'agenthub-bench-'));
  const benches: BenchRun[] = [];
  try {
    for (const name of names) {
      if (interrupted) break;
      benches.push(await runOne(name, argsOf(name), join(tmp, `${name}.json`)));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const databaseUrl = process.env['DATABASE_URL'];
  const run: RunFile = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: (performance.now() - started) / 1000,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    commit: git(['rev-parse', 'HEAD']),
    dirty: ((status) => (status === null ? null : status.length > 0))(
      git(['status', '--porcelain', '--untracked-files=no']),
    ),
    settings: {
      mode: MODE,
      benches: names,
      database: databaseUrl ? redactUrl(databaseUrl) : 'embedded PostgreSQL (tmp/bench-postgres)',
      timeoutMinutes: TIMEOUT_MS / 60_000,
      args: Object.fromEntries(names.map((n) => [n, argsOf(n)])),
    },
    benches,
  };

  const dir = join(ROOT, 'tmp/bench');
  mkdirSync(dir, { recursive: true });
  const latest = join(dir, 'latest.json');
  let previous: RunFile | undefined;
  try {
    previous = readRun(latest);
  } catch {
    previous = undefined;
  }
  // ISO 8601's basic format (20250101T120000Z): sortable, and no colons in a file name.
  const stamp = run.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const json = `${JSON.stringify(run, null, 2)}\n`;
  const file = join(dir, `${stamp}.json`);
  writeFileSync(file, json);
  writeFileSync(latest, json);

  const table = printTable(run, previous);
  process.stdout.write(
    `\n${table.join('\n')}\nJSON: ${file.slice(ROOT.length + 1)} (and tmp/bench/latest.json)\n`,
  );
  if (interrupted) return 130;
  return benches.some((b) => b.status === 'failed') || benches.length < names.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
