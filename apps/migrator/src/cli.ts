import { Command } from 'commander';
import type { MigrationObject } from '@mikro-orm/core';
import { errorText, MigrationValidationError } from '@agenthub/migrations';
import { CliContext, CliDeps, EXIT, exitCodeOf, seconds, SIGNAL_EXIT } from './cli-context';
import { COMMANDS } from './commands';

/** The command line: global options here, each command in commands/*.command.ts. */
export function buildProgram(deps: CliDeps): { program: Command; ctx: CliContext } {
  const program = new Command()
    .name('agenthub-migrator')
    .description(
      'Moves the AgentHub database schema forward (and back), backs it up, restores and verifies it.',
    )
    .option('--json', 'machine-readable output: one JSON document on stdout')
    .option('--verbose', 'debug logging (and the SQL in up --dry-run)')
    .option('--no-backup', 'do not take a backup before up/down')
    .option(
      '--force',
      'proceed despite validation problems (recorded in the history), a failed backup, or a backup of another schema version',
    )
    .option('--lock-timeout <s>', 'seconds to wait for another migrator to finish', seconds, 60)
    .option('--wait <s>', 'seconds to wait for the database to come up', seconds, 60)
    .option(
      '--ddl-lock-timeout <s>',
      'lock_timeout for migration statements, in seconds (0: none)',
      seconds,
      10,
    )
    .option(
      '--statement-timeout <s>',
      'statement_timeout for migration statements, in seconds (0: none)',
      seconds,
      600,
    )
    .option('--dir <path>', 'backups directory (default: $AGENTHUB_DATA_DIR/backups)')
    .showHelpAfterError()
    .exitOverride();
  const ctx = new CliContext(deps, program);
  program.configureOutput({
    writeOut: (s) => ctx.stdout.write(s),
    writeErr: (s) => ctx.stderr.write(s),
  });
  for (const register of COMMANDS) register(program, ctx);
  // Subcommands inherit the output and the exit override, so usage errors return instead of exiting.
  for (const command of program.commands) {
    command
      .exitOverride()
      .showHelpAfterError()
      .configureOutput({
        writeOut: (s) => ctx.stdout.write(s),
        writeErr: (s) => ctx.stderr.write(s),
      });
  }
  return { program, ctx };
}

/** Runs one command line; answers the exit code (EXIT: 0 ok, 1 failed, 2 invalid, 3 lock timeout, 4 unreachable). */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const { program, ctx } = buildProgram(deps);
  try {
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      code === 'commander.helpDisplayed' ||
      code === 'commander.version' ||
      code === 'commander.help'
    )
      return EXIT.ok;
    if (typeof code === 'string' && code.startsWith('commander.')) return EXIT.invalid;
    const exitCode = exitCodeOf(error);
    const message = errorText(error);
    try {
      ctx.logger.error(message, { exit_code: exitCode, error: (error as Error).name });
    } catch {
      // a bad environment (no logger config) still gets its one line below
    }
    if (ctx.options.json) {
      const problems =
        error instanceof MigrationValidationError ? { problems: error.problems } : {};
      ctx.stdout.write(
        `${JSON.stringify({ error: { kind: (error as { kind?: string }).kind ?? 'failed', message, exit_code: exitCode, ...problems } })}\n`,
      );
    }
    ctx.stderr.write(`agenthub-migrator: ${message}\n`);
    return exitCode;
  }
}

/**
 * The process around runCli: SIGTERM (Kubernetes stopping the Job's pod) or SIGINT roll back the
 * running migration, record it and release the lock before the process exits 143/130; a second
 * signal exits at once.
 */
export function runMain(migrations: MigrationObject[]): void {
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stop.signal.aborted) process.exit(SIGNAL_EXIT[signal]);
      process.stderr.write(`agenthub-migrator: ${signal} received, rolling back and stopping\n`);
      stop.abort(signal);
    });
  }
  void runCli(process.argv, { migrations, signal: stop.signal }).then((code) => {
    process.exitCode = code;
    // Everything is closed by now; should a stray handle linger, do not hang the Job on it.
    setTimeout(() => process.exit(code), 2000).unref();
  });
}
