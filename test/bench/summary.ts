/**
 * Summary benchmark (issue 6): the supervisor's home over a large workspace.
 * 200 engagements and 50,000 findings (about 600 bytes of Markdown each), plus
 * three runs of eight results per engagement, thresholds in half of them and a
 * determination in a third, all written through the single write function
 * (writeRecords, one transaction per kind), so finding_rows is filled by its
 * triggers as every edit fills it. Then times SummaryService.get() (median of
 * several runs) against references measured in the same run on the same
 * database: the bare grouped count over finding_rows (with and without the
 * summary's index, migration 0080), and reading every finding_rows row once. Also times summary:get through the dispatcher (with
 * output validation, as the tests run it).
 *
 * `runSummaryBench()` returns printable lines and the figures; run alone with
 * `node --import tsx test/bench/summary.ts` (BENCH_SUMMARY_ENGAGEMENTS,
 * BENCH_SUMMARY_FINDINGS, BENCH_SUMMARY_REPS change the sizes). Never fails: it informs.
 */
import { availableParallelism, loadavg } from 'node:os';
import { writeRecords, type WriteOp } from '../../main/records/writeRecord';
import { SummaryService } from '../../main/services/summary';
import type { StorableType } from '../../shared/domain/records';
import type { Summary } from '../../shared/domain/summary';
import { stringifyJson } from '../../shared/numbers';
import { addDays } from '../../shared/dates';
import { TEST_PASSPHRASE, fixedClock, makeTestApp } from '../helpers/app';
import { seededRandom } from '../helpers/rng';
import { benchRow, type BenchRow } from './table';

export type SummaryBenchOptions = { engagements?: number; findings?: number; reps?: number; seed?: number; log?: (line: string) => void };

const TARGET_MS = 250;
const NOW = '2026-03-20T12:00:00.000Z';
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
const STATUSES = ['draft', 'submitted', 'submitted', 'remediated', 'withdrawn'] as const;
const KINDS = ['capability', 'safeguard-bypass', 'software-vulnerability', 'other'] as const;
const METRICS = ['accuracy', 'pass@1', 'refusal', 'f1'] as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function timesMs(reps: number, fn: () => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function timesMsAsync(reps: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export async function runSummaryBench(opts: SummaryBenchOptions = {}): Promise<{ lines: string[]; figures: Record<string, unknown>; rows: BenchRow[] }> {
  const nEngagements = opts.engagements ?? Number(process.env.BENCH_SUMMARY_ENGAGEMENTS ?? 200);
  const nFindings = opts.findings ?? Number(process.env.BENCH_SUMMARY_FINDINGS ?? 50_000);
  const reps = opts.reps ?? Number(process.env.BENCH_SUMMARY_REPS ?? 15);
  const rand = seededRandom(opts.seed ?? 20260320);
  const log = opts.log ?? ((line: string) => process.stderr.write(`bench: ${line}\n`));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const words = 'model prompt safeguard bypass uplift refusal jailbreak exploit payload sandbox escape evaluation sample scorer'.split(' ');
  const text = (bytes: number) => {
    let s = '';
    while (s.length < bytes) s += `${pick(words)} `;
    return s;
  };

  const loadBefore = loadavg()[0]!;
  const clock = fixedClock(NOW);
  const t = makeTestApp({ clock });
  try {
    const created = await t.app.dispatch('workspace:create', { name: 'Sam Supervisor', org: 'Bench', role: 'supervisor', passphrase: TEST_PASSPHRASE });
    if (!created.ok) throw new Error(created.error.message);
    const ws = t.app.workspace;
    const writer = ws.writer();
    const write = (ops: WriteOp<StorableType>[]) => writeRecords(writer, ops);

    log(`writing ${nEngagements} engagements, ${nFindings} findings, runs, results, thresholds and determinations`);
    const writeStart = performance.now();
    const engagements = write(
      Array.from({ length: nEngagements }, (_, i) => ({
        action: 'create' as const,
        type: 'engagement' as const,
        fields: {
          developer: `Lab ${i % 7}`,
          model: `Model-${i}`,
          model_version: `rc${i % 5}`,
          // Windows spread from long overdue to not yet started.
          access_start: addDays('2026-03-20', -Math.floor(rand() * 90) + 20),
          window_days: 30,
          partners: [],
          handling: { tlp: 'AMBER' as const },
          status: i % 10 === 0 ? ('closed' as const) : ('active' as const),
        },
      })),
    ).map((e) => e.id);

    const findingOps: WriteOp<StorableType>[] = [];
    for (let i = 0; i < nFindings; i++) {
      findingOps.push({
        action: 'create',
        type: 'finding',
        fields: {
          engagement_id: engagements[Math.floor(rand() * engagements.length)]!,
          title: `Finding ${i}: ${text(30)}`.trim(),
          kind: pick(KINDS),
          severity: pick(SEVERITIES),
          description: text(400),
          reproduction: text(150),
          impact: '',
          remediation: '',
          cwe: [],
          atlas: [],
          tags: [],
          evidence: [],
          status: pick(STATUSES),
        },
      });
    }
    write(findingOps);

    const runOps: WriteOp<StorableType>[] = [];
    const otherOps: WriteOp<StorableType>[] = [];
    engagements.forEach((engagement_id, i) => {
      for (let r = 0; r < 3; r++) {
        runOps.push({
          action: 'create',
          type: 'run',
          fields: { engagement_id, source: 'manual', format: 'manual', task: `task-${r}`, model: `Model-${i}`, status: 'success', config: {}, token_usage: {}, sources: [], credential_warnings: [] },
        });
      }
      if (i % 2 === 0) {
        for (const metric of METRICS) otherOps.push({ action: 'create', type: 'threshold', fields: { engagement_id, task: 'task-0', scorer: 'acc', metric, comparison: '>=', value: 0.5 } });
      }
      if (i % 3 === 0) otherOps.push({ action: 'create', type: 'determination', fields: { engagement_id, decision: pick(['covered', 'not-covered', 'pending'] as const), rationale: text(200), rests_on: [] } });
    });
    const runs = write(runOps) as { id: string; task: string }[];
    const resultOps: WriteOp<StorableType>[] = runs.flatMap((run) =>
      Array.from({ length: 8 }, (_, m): WriteOp<StorableType> => ({
        action: 'create',
        type: 'result',
        refs: [run.id],
        // One unscored (NaN) result per run, as Inspect logs have them.
        fields: { run_id: run.id, task: run.task, scorer: m < 4 ? 'acc' : 'mean', metric: METRICS[m % 4]!, value: m === 7 ? Number.NaN : rand() },
      })),
    );
    write(resultOps);
    write(otherOps);
    const writeSeconds = (performance.now() - writeStart) / 1000;
    log(`written in ${writeSeconds.toFixed(1)} s`);

    const service = new SummaryService(ws);
    const db = ws.db;
    // (a) The floor: the same grouping with nothing else (no reviews' columns, no other queries, no objects built).
    const bare = db.prepare('SELECT engagement_id, severity, shown_status, count(*) AS n FROM finding_rows GROUP BY engagement_id, severity, shown_status');
    // (a') The same without migration 0080's index: what that index is for.
    const unindexed = db.prepare('SELECT engagement_id, severity, shown_status, count(*) AS n FROM finding_rows NOT INDEXED GROUP BY engagement_id, severity, shown_status');
    const readAll = db.prepare('SELECT * FROM finding_rows');
    // Warm the page cache and the statement caches once, as the app is warm when the dashboard opens.
    let summary: Summary = service.get();
    bare.all();
    unindexed.all();
    readAll.all();

    const getMs = timesMs(reps, () => (summary = service.get()));
    const bareMs = timesMs(reps, () => bare.all());
    const unindexedMs = timesMs(reps, () => unindexed.all());
    const readAllMs = timesMs(reps, () => readAll.all());
    const dispatchMs = await timesMsAsync(Math.min(reps, 5), async () => {
      const r = await t.app.dispatch('summary:get', {});
      if (!r.ok) throw new Error(r.error.message);
    });

    const getMedian = median(getMs);
    const bareMedian = median(bareMs);
    const unindexedMedian = median(unindexedMs);
    const readAllMedian = median(readAllMs);
    const dispatchMedian = median(dispatchMs);
    const jsonBytes = Buffer.byteLength(stringifyJson(summary));
    const loadAfter = loadavg()[0]!;
    const pass = getMedian <= TARGET_MS;
    const ms = (v: number) => v.toFixed(1).padStart(9);
    const ratio = (v: number, ref: number) => `${(v / ref).toFixed(2)}x`.padStart(9);

    const lines = [
      `EvalNotes summary bench: ${summary.totals.engagements} engagements, ${summary.totals.findings} findings, ` +
        `${summary.engagements.reduce((n, e) => n + e.results.results, 0)} results (${summary.engagements.reduce((n, e) => n + e.results.with_threshold, 0)} with a threshold); medians of ${reps}`,
      `${''.padEnd(48)}${'ms'.padStart(9)}${'x (a)'.padStart(9)}${'x (b)'.padStart(9)}`,
      `${'(a) bare GROUP BY over finding_rows'.padEnd(48)}${ms(bareMedian)}${ratio(bareMedian, bareMedian)}${ratio(bareMedian, readAllMedian)}`,
      `${"(a') the same without the summary's index".padEnd(48)}${ms(unindexedMedian)}${ratio(unindexedMedian, bareMedian)}${ratio(unindexedMedian, readAllMedian)}`,
      `${'(b) read every finding_rows row once'.padEnd(48)}${ms(readAllMedian)}${ratio(readAllMedian, bareMedian)}${ratio(readAllMedian, readAllMedian)}`,
      `${'(c) SummaryService.get()'.padEnd(48)}${ms(getMedian)}${ratio(getMedian, bareMedian)}${ratio(getMedian, readAllMedian)}`,
      `${'(d) summary:get via dispatch (output validated)'.padEnd(48)}${ms(dispatchMedian)}${ratio(dispatchMedian, bareMedian)}${ratio(dispatchMedian, readAllMedian)}`,
      `    (c) min ${Math.min(...getMs).toFixed(1)} ms, max ${Math.max(...getMs).toFixed(1)} ms; answer ${(jsonBytes / 1000).toFixed(0)} kB of JSON; data written in ${writeSeconds.toFixed(1)} s`,
      `    load average (1 min): ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, on ${availableParallelism()} cores (other work on the machine slows every figure)`,
      `    verdict: SummaryService.get() median ${getMedian.toFixed(1)} ms against a target of ${TARGET_MS} ms: ${pass ? 'PASS' : 'FAIL'}`,
    ];
    const figures = {
      engagements: summary.totals.engagements,
      findings: summary.totals.findings,
      reps,
      write_seconds: writeSeconds,
      get_ms: { median: getMedian, runs: getMs },
      bare_group_by_ms: { median: bareMedian, runs: bareMs },
      bare_group_by_unindexed_ms: { median: unindexedMedian, runs: unindexedMs },
      read_all_rows_ms: { median: readAllMedian, runs: readAllMs },
      dispatch_ms: { median: dispatchMedian, runs: dispatchMs },
      ratio_to_bare: getMedian / bareMedian,
      ratio_to_read_all: getMedian / readAllMedian,
      json_bytes: jsonBytes,
      target_ms: TARGET_MS,
      pass,
      load_before: loadBefore,
      load_after: loadAfter,
    };
    const bench = 'summary';
    const rows: BenchRow[] = [
      benchRow({ bench, name: '(a) bare GROUP BY over finding_rows (reference)', figure: bareMedian, unit: 'ms' }),
      benchRow({ bench, name: "(a') the same without the summary's index", figure: unindexedMedian, unit: 'ms', reference: bareMedian }),
      benchRow({ bench, name: '(b) read every finding_rows row once', figure: readAllMedian, unit: 'ms', reference: bareMedian }),
      benchRow({ bench, name: '(c) SummaryService.get() (ref: a)', figure: getMedian, unit: 'ms', reference: bareMedian, targets: [{ of: 'figure', op: '<=', value: TARGET_MS }] }),
      benchRow({ bench, name: '(d) summary:get via dispatch (ref: a)', figure: dispatchMedian, unit: 'ms', reference: bareMedian }),
    ];
    return { lines, figures, rows };
  } finally {
    await t.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { lines, figures } = await runSummaryBench();
  console.log(lines.join('\n'));
  console.log(JSON.stringify({ bench: 'summary', ...figures }));
}
