import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { registerBackupCommands } from './backup.command';
import { registerDownCommand } from './down.command';
import { registerImportCommand } from './import.command';
import { registerPlanCommand } from './plan.command';
import { registerRestoreCommand } from './restore.command';
import { registerStatusCommand } from './status.command';
import { registerUpCommand } from './up.command';
import { registerValidateCommand } from './validate.command';
import { registerVerifyCommand } from './verify.command';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Every command, in the order `--help` lists them. A new one (import) is one file and one line here. */
export const COMMANDS: RegisterCommand[] = [
  registerStatusCommand,
  registerPlanCommand,
  registerUpCommand,
  registerDownCommand,
  registerValidateCommand,
  registerBackupCommands,
  registerRestoreCommand,
  registerVerifyCommand,
  registerImportCommand,
];
