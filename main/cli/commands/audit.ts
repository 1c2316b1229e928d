import type { Command } from 'commander';
import { verifyAuditChain } from '../../audit/auditChain';
import { withWorkspace } from '../context';
import { printJson, printLine } from '../output';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('Check the workspace’s audit chain');
  audit
    .command('verify')
    .description('Recompute the hash chain over every audit event; name the first broken link')
    .action(async (_o: unknown, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const report = verifyAuditChain(ws.db);
        if (json) printJson(report);
        else if (report.ok) printLine(`Audit chain intact: ${report.events} events, head ${report.head ?? '(empty)'}.`);
        if (!report.ok) {
          if (!json) process.stderr.write(`evalnotes: audit chain broken: ${report.problem?.message ?? 'unknown problem'}\n`);
          process.exitCode = 1;
        }
      });
    });
}
