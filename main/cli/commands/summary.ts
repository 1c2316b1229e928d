import type { Command } from 'commander';
import { decisionLabel } from '../../../shared/domain/review';
import type { EngagementSummary, Summary } from '../../../shared/domain/summary';
import { SummaryService } from '../../services/summary';
import { withWorkspace } from '../context';
import { printJson, printLine, printTable } from '../output';

const SEVERITY_COLUMNS = [
  ['CRIT', 'critical'],
  ['HIGH', 'high'],
  ['MED', 'medium'],
  ['LOW', 'low'],
  ['INFO', 'informational'],
] as const;

function row(e: EngagementSummary): string[] {
  const d = e.determination;
  return [
    `${e.model} ${e.model_version}${e.status === 'closed' ? ' (closed)' : ''}`,
    `${e.window.label}${e.window.urgent ? ' ⚠' : ''}`,
    d ? `${decisionLabel(d.decision)}${d.decided_by ? ` (${d.decided_by})` : ''}` : '-',
    String(e.findings.total),
    String(e.findings.awaiting_verdict),
    ...SEVERITY_COLUMNS.map(([, s]) => String(e.findings.by_severity[s])),
    e.results.with_threshold ? `${e.results.met}/${e.results.with_threshold} met` : '-',
  ];
}

function printSummary(s: Summary): void {
  if (s.engagements.length === 0) return printLine('No engagements yet. Add one with `evalnotes engagement add`.');
  printTable(
    ['ENGAGEMENT', 'WINDOW', 'DETERMINATION', 'FINDINGS', 'AWAITING', ...SEVERITY_COLUMNS.map(([h]) => h), 'THRESHOLDS'],
    s.engagements.map(row),
  );
  const t = s.totals;
  printLine();
  printLine(
    `${t.engagements} engagement${t.engagements === 1 ? '' : 's'} on ${s.today}, ${t.urgent} urgent (7 days or fewer left, or overdue); ` +
      `${t.findings} finding${t.findings === 1 ? '' : 's'}, ${t.awaiting_verdict} awaiting a verdict.`,
  );
}

export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description('Every engagement at a glance: window, determination, findings, verdicts awaited, thresholds met')
    .action(async (_o: unknown, cmd: Command) => {
      // Reading needs no passphrase: the summary signs nothing.
      await withWorkspace(cmd, (ws, { json }) => {
        const summary = new SummaryService(ws).get();
        if (json) return printJson(summary);
        printSummary(summary);
      });
    });
}
