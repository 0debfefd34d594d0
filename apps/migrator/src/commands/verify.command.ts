import type { Command } from 'commander';
import { verifyDatabaseIntegrity } from '@agenthub/migrations';
import { EXIT, type CliContext } from '../cli-context';

export function registerVerifyCommand(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description(
      'referential-integrity report: dangling references and row counts (read-only; exit 1 if anything dangles)',
    )
    .action(async () => {
      const report = await ctx.withExistingDatabase((url) => verifyDatabaseIntegrity(url));
      const lines = [
        ...report.references.map((r) =>
          r.status === 'skipped'
            ? `skipped   ${r.reference}  (${r.reason})`
            : `${r.status === 'ok' ? 'ok       ' : 'DANGLING '} ${r.reference}  ${r.dangling}${r.samples.length ? `  e.g. ${r.samples.join(', ')}` : ''}`,
        ),
        '',
        ...Object.entries(report.tables).map(
          ([table, rows]) => `${String(rows).padStart(10)}  ${table}`,
        ),
        '',
        report.ok
          ? 'No dangling references.'
          : `${report.references.filter((r) => r.status === 'dangling').length} reference(s) dangle.`,
      ];
      ctx.print(lines.join('\n'), report);
      if (!report.ok) ctx.exitCode = EXIT.failed;
    });
}
