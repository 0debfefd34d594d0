import 'reflect-metadata';
import { Command } from 'commander';
import { CliError, EXIT } from './cli-context';
import { statusCommand } from './commands/status.command';
import { upCommand } from './commands/up.command';

const program = new Command()
  .name('agenthub-migrator')
  .description('Moves the AgentHub database schema forward (and back).')
  .option('--json', 'machine-readable output on stdout')
  .option('--verbose', 'more detail')
  .showHelpAfterError()
  .exitOverride();

program
  .command('status')
  .description('applied and pending migrations')
  .action(() => statusCommand(program.opts()));

program
  .command('up')
  .description('apply pending migrations')
  .option('--to <name>', 'stop after this migration')
  .action((options: { to?: string }) => upCommand({ ...program.opts(), ...options }));

async function main(): Promise<number> {
  try {
    await program.parseAsync(process.argv);
    return EXIT.ok;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return EXIT.ok;
    if (code?.startsWith('commander.')) return EXIT.invalid;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`agenthub-migrator: ${message.split('\n')[0]}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.failed;
  }
}

main().then((code) => process.exit(code));
