import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { ImportSummary } from '../../../shared/domain/imports';
import { meetsThreshold, thresholdKey, type Threshold } from '../../../shared/domain/run';
import { AppError } from '../../../shared/result';
import { parseCallInput } from '../../api/dispatch';
import { inlineImportRunner } from '../../imports/importRunner';
import type { JobContext } from '../../jobs/jobRunner';
import { EngagementService } from '../../services/engagements';
import { RunService } from '../../services/runs';
import { ThresholdService } from '../../services/thresholds';
import { withWorkspace } from '../context';
import { printJson, printLine, printTable } from '../output';

const collect = (v: string, acc: string[] = []) => [...acc, v];

/** How a measure reads on a terminal: NaN stays NaN, never 0 or blank. */
export function formatMeasure(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, '');
}

function cliJobContext(quiet: boolean): JobContext {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const tty = !quiet && process.stderr.isTTY;
  return {
    signal: controller.signal,
    progress: (done, total, message) => {
      if (!tty) return;
      const pct = total ? `${Math.floor((done / total) * 100)}%`.padStart(4) : '';
      process.stderr.write(`\r\u001b[2K${pct} ${message}`.slice(0, process.stderr.columns || 120));
    },
    checkCancelled: () => {
      if (controller.signal.aborted) throw new AppError('CANCELLED', 'Import cancelled; nothing was imported from the file in progress.');
    },
  };
}

function printSummary(summary: ImportSummary): void {
  for (const f of summary.files) {
    if (f.status === 'imported') {
      printLine(`${f.file}: imported as run ${f.run_id} (${f.format}; ${f.task}; ${f.model}; ${f.run_status}; ${f.samples} samples)`);
      for (const m of f.metrics) {
        const err = m.stderr === null ? '' : ` ± ${formatMeasure(m.stderr)}`;
        printLine(`    ${m.task}  ${m.scorer || '-'}  ${m.metric} = ${formatMeasure(m.value)}${err}${m.n === null ? '' : `  (n=${m.n})`}`);
      }
      for (const w of f.warnings) process.stderr.write(`evalnotes: warning: ${f.file}: ${w.kind} at ${w.where} (${w.preview})\n`);
    } else if (f.status === 'duplicate') {
      printLine(f.message);
    } else {
      process.stderr.write(`evalnotes: ${f.error.message.includes(f.file) ? '' : `${f.file}: `}${f.error.message}\n`);
    }
  }
}

export function registerResults(program: Command): void {
  program
    .command('import')
    .description('Import evaluation logs (Inspect .eval/.json, lm-eval results_*.json with their samples_*.jsonl)')
    .argument('<files...>', 'log files')
    .requiredOption('--engagement <id>', 'the engagement the runs belong to')
    .option('--samples <file>', 'an lm-eval samples file to pair with a results file (repeatable)', collect)
    .action(async (files: string[], o: { engagement: string; samples?: string[] }, cmd: Command) => {
      await withWorkspace(cmd, async (ws, { json }) => {
        ws.requireIdentity();
        new EngagementService(ws).get(parseCallInput('engagement:get', { id: o.engagement }).id);
        const location = ws.location(); // with an encrypted workspace's key
        ws.close(); // the import opens its own connection
        const asFile = (p: string) => ({ path: resolve(p), name: basename(p) });
        // Built, the CLI sits beside the import worker, which reads large logs in a second thread.
        const worker = join(dirname(fileURLToPath(import.meta.url)), 'importWorker.js');
        const summary = await inlineImportRunner(location, existsSync(worker) ? worker : undefined)(
          { engagementId: o.engagement, files: files.map(asFile), samples: (o.samples ?? []).map(asFile) },
          cliJobContext(json),
        );
        if (process.stderr.isTTY && !json) process.stderr.write('\r\u001b[2K');
        if (json) printJson(summary);
        else printSummary(summary);
        if (summary.files.some((f) => f.status === 'failed')) process.exitCode = 1;
      });
    });

  program
    .command('runs')
    .description('List runs with their results')
    .requiredOption('--engagement <id>', 'engagement id')
    .action(async (o: { engagement: string }, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const id = parseCallInput('runs:list', { engagement_id: o.engagement }).engagement_id;
        const runs = new RunService(ws).list(id);
        if (json) return printJson(runs);
        if (runs.length === 0) return printLine('No runs yet. Import logs with `evalnotes import FILE --engagement ID`.');
        const thresholds = new Map(new ThresholdService(ws).list(id).map((t) => [thresholdKey(t), t]));
        printTable(
          ['RUN', 'TASK', 'MODEL', 'STATUS', 'SCORER', 'METRIC', 'VALUE', 'STDERR', 'N', 'THRESHOLD'],
          runs.flatMap(({ run, results }) =>
            (results.length ? results : [null]).map((r) => [
              run.id,
              run.task,
              run.model,
              run.status,
              r?.scorer ?? '',
              r?.metric ?? '',
              formatMeasure(r?.value),
              formatMeasure(r?.stderr),
              r?.n === undefined ? '' : String(r.n),
              r ? thresholdText(r.value, thresholds.get(thresholdKey(r))) : '',
            ]),
          ),
        );
      });
    });

  program
    .command('thresholds')
    .description('List an engagement’s local thresholds (sensitive: they stay on this machine)')
    .requiredOption('--engagement <id>', 'engagement id')
    .action(async (o: { engagement: string }, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        const list = new ThresholdService(ws).list(parseCallInput('thresholds:list', { engagement_id: o.engagement }).engagement_id);
        if (json) return printJson(list);
        if (list.length === 0) return printLine('No thresholds yet. Add one with `evalnotes threshold add`.');
        printTable(['ID', 'TASK', 'SCORER', 'METRIC', 'THRESHOLD'], list.map((t) => [t.id, t.task, t.scorer || '-', t.metric, `${t.comparison} ${formatMeasure(t.value)}`]));
      });
    });

  const threshold = program.command('threshold').description('Add a local threshold');
  threshold
    .command('add')
    .description('Add a threshold for (task, scorer or lm-eval filter, metric)')
    .requiredOption('--engagement <id>', 'engagement id')
    .requiredOption('--task <task>', 'task name as the log states it')
    .option('--scorer <name>', 'Inspect scorer or lm-eval filter (e.g. none, flexible-extract)', '')
    .requiredOption('--metric <name>', 'metric name (accuracy, acc, exact_match …)')
    .requiredOption('--comparison <op>', 'one of >=, >, <=, <')
    .requiredOption('--value <number>', 'the threshold value')
    .action(async (o: { engagement: string; task: string; scorer: string; metric: string; comparison: string; value: string }, cmd: Command) => {
      await withWorkspace(cmd, (ws, { json }) => {
        ws.requireIdentity();
        const value = o.value.trim() !== '' && !Number.isNaN(Number(o.value)) ? Number(o.value) : o.value;
        const input = parseCallInput('threshold:create', { engagement_id: o.engagement, task: o.task, scorer: o.scorer, metric: o.metric, comparison: o.comparison, value });
        const t = new ThresholdService(ws).create(input);
        if (json) return printJson(t);
        printLine(`Added threshold ${t.id}: ${t.task} / ${t.scorer || '-'} / ${t.metric} ${t.comparison} ${formatMeasure(t.value)} (stays on this machine).`);
      });
    });
}

function thresholdText(value: number, t: Threshold | undefined): string {
  if (!t) return '';
  return `${meetsThreshold(value, t) ? 'meets' : 'misses'} ${t.comparison} ${formatMeasure(t.value)}`;
}
