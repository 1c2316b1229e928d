/**
 * Import throughput of a large Inspect log (issue 3, item 7), one of the benches
 * `npm run bench` runs (test/bench/run.ts).
 * Generates a 20,000-sample Inspect log as `.eval` and as JSON (same content,
 * deterministic), then measures in this one run:
 *  (a) reading plus JSON.parse of the JSON log, in a fresh process, fastest of 3: the reference;
 *  (b) the parsers alone (every sample of parsed.samples());
 *  (c) the full import through importLogs into a fresh workspace, as the app
 *      runs it (the built worker reads the log while the import stores it), and
 *      its "parse and rows" phase, which the target is about;
 *  (d) peak RSS of each import (each in a process of its own);
 *  (e) the search-index fill against a bare FTS5 insert of the same text;
 *  (f) the app thread's event-loop delay while the app imports (worker, and inline for contrast).
 * Returns its detailed lines, its figures and its rows for the one table.
 * BENCH_SAMPLES and BENCH_REPS (repetitions of the full imports, default 1) change the sizes;
 * BENCH_BUILD=1 rebuilds out/ first (otherwise only when the worker is missing).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseInspectEval } from '../../main/importers/inspect/inspectEval';
import { parseInspectJson } from '../../main/importers/inspect/inspectJson';
import type { ParsedLog } from '../../main/importers/types';
import { tempDir } from '../helpers/app';
import { benchRow, type BenchRow } from './table';
import { generateInspectLogs, type GeneratedLogs } from './generate';
import type { ImportOnceResult } from './importOnce';
import type { UiOnceResult } from './uiOnce';

const ROOT = resolve(import.meta.dirname, '../..');
const WORKER_PATH = join(ROOT, 'out/main/importWorker.js');
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 20_000);
const SEED = 20260301;
/** Cheap measurements (reference, parse only) are repeated this often; the median is reported. */
const CHEAP_REPS = 3;
const IMPORT_REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 1));

const TARGET_RATIO = 0.5;
const TARGET_RSS_BYTES = 500 * 1024 * 1024;
const TARGET_STALL_MS = 50;
const PROBE_MS = 10;

const MB = 1e6;
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

async function repeat(label: string, reps: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    times.push(await timed(fn));
    log(`${label} #${i + 1}: ${times[i]!.toFixed(2)} s`);
  }
  return times;
}

async function drain(parsed: ParsedLog): Promise<number> {
  let n = 0;
  for await (const _ of parsed.samples()) n += 1;
  return n;
}

/**
 * Runs a TypeScript script in a fresh Node process (through tsx) and returns the
 * JSON line it prints last. Meanwhile this (idle) process probes its own event
 * loop: a control for what the machine's other load alone does to a timer.
 */
async function child<T>(script: string, args: string[]): Promise<{ result: T; control: { maxMs: number; over50: number } }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const control = { maxMs: 0, over50: 0 };
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    const late = now - last - PROBE_MS;
    control.maxMs = Math.max(control.maxMs, late);
    if (late > 50) control.over50 += 1;
    last = now;
  }, PROBE_MS);
  const code = await new Promise<number | null>((done) => proc.on('close', done));
  clearInterval(probe);
  const lastLine = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !lastLine.startsWith('{')) throw new Error(`${script} ${args.join(' ')} failed (exit ${code}): ${stderr.trim().slice(-2000)}`);
  return { result: JSON.parse(lastLine) as T, control };
}

function ensureWorkerBuilt(): string | null {
  if (!existsSync(WORKER_PATH) || process.env.BENCH_BUILD === '1') {
    log('building out/ (npx electron-vite build) for the import worker');
    const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0 || !existsSync(WORKER_PATH)) return 'the build failed, so the worker figures are missing';
  }
  const built = statSync(WORKER_PATH).mtimeMs;
  const newer = ['main', 'shared'].flatMap((dir) => newerFiles(join(ROOT, dir), built));
  return newer.length > 0 ? `out/main/importWorker.js is older than ${newer.length} source file(s) (e.g. ${newer[0]}); run npm run build for current worker figures` : null;
}

function newerFiles(dir: string, than: number): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => statSync(p).mtimeMs > than)
    .map((p) => p.slice(ROOT.length + 1));
}

type UiRow = UiOnceResult & { file: string; controlMaxMs: number; controlOver50: number };

type Row = { label: string; seconds: number | null; mbps: number | null; sps: number | null; ratio: number | null; target: string; verdict: string };

const fmt = (v: number | null, digits = 1) => (v === null ? '-' : v.toFixed(digits));
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

export async function runImportBench(): Promise<{ lines: string[]; figures: Record<string, unknown>; rows: BenchRow[] }> {
  const figures: Record<string, unknown> = { bench: 'import', samples: SAMPLES, seed: SEED, node: process.version, load_before: loadavg()[0] };
  const buildNote = ensureWorkerBuilt();
  if (buildNote) log(buildNote);

  const dir = tempDir('evalnotes-bench-');
  try {
    log(`generating ${SAMPLES} samples into ${dir.path}`);
    let files: GeneratedLogs | undefined;
    const genSeconds = await timed(() => Promise.resolve((files = generateInspectLogs(dir.path, { samples: SAMPLES, seed: SEED }))));
    const g = files!;
    // Both files carry the same content; MB/s is content bytes (the JSON log's size) per second for either.
    const contentBytes = g.jsonBytes;
    figures.files = { json_bytes: g.jsonBytes, eval_bytes: g.evalBytes, eval_uncompressed_bytes: g.evalUncompressedBytes, generate_seconds: genSeconds };
    log(`generated in ${genSeconds.toFixed(1)} s: JSON ${(g.jsonBytes / MB).toFixed(1)} MB, .eval ${(g.evalBytes / MB).toFixed(1)} MB`);

    // (a) The reference: what the runtime does with the same bytes at best, so
    // the fastest of its runs, in a fresh process as each import runs.
    const { result: reference } = await child<{ runs: number[] }>('referenceOnce.ts', [g.jsonPath, String(CHEAP_REPS)]);
    const refTimes = reference.runs;
    refTimes.forEach((s, i) => log(`read + JSON.parse #${i + 1}: ${s.toFixed(2)} s`));
    const ref = Math.min(...refTimes);
    const refMbps = contentBytes / MB / ref;

    const rows: Row[] = [];
    const rowFor = (label: string, seconds: number, target = '', pass?: boolean): Row => {
      const mbps = contentBytes / MB / seconds;
      return { label, seconds, mbps, sps: g.samples / seconds, ratio: mbps / refMbps, target, verdict: pass === undefined ? '' : verdict(pass) };
    };
    rows.push({ ...rowFor('(a) read + JSON.parse, JSON log', ref), sps: null });

    // (b) The parsers alone.
    const parseTimes: Record<string, number[]> = {};
    for (const [kind, path, parse] of [
      ['json', g.jsonPath, parseInspectJson],
      ['eval', g.evalPath, parseInspectEval],
    ] as const) {
      let count = 0;
      parseTimes[kind] = await repeat(`parse only ${kind}`, CHEAP_REPS, async () => (count = await drain(await parse(path))));
      if (count !== g.samples) log(`parse only ${kind}: ${count} samples, expected ${g.samples}`);
      rows.push(rowFor(`(b) parse only, ${kind === 'json' ? 'JSON log' : '.eval'}`, median(parseTimes[kind])));
    }

    // (c, d, e) Full imports, each in its own process.
    const imports: Record<string, ImportOnceResult[]> = {};
    for (const [kind, path] of [
      ['json', g.jsonPath],
      ['eval', g.evalPath],
    ] as const) {
      imports[kind] = [];
      for (let i = 0; i < IMPORT_REPS; i++) {
        const { result: r } = await child<ImportOnceResult>('importOnce.ts', existsSync(WORKER_PATH) ? [path, WORKER_PATH] : [path]);
        imports[kind].push(r);
        log(`import ${kind} #${i + 1}: ${r.seconds.toFixed(2)} s, ${r.samples} samples, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
      }
    }
    const importSeconds = (kind: string) => median(imports[kind]!.map((r) => r.seconds));
    const parseAndRowsSeconds = (kind: string) => median(imports[kind]!.map((r) => r.phases.parseAndRowsSeconds));
    const fileLabel = (kind: string) => (kind === 'json' ? 'JSON log' : '.eval');
    for (const kind of ['json', 'eval']) rows.push(rowFor(`(c) full import, ${fileLabel(kind)}`, importSeconds(kind)));
    // The target (issue 3): parse and rows, without the copy into the blob store and the search-index fill (e).
    for (const kind of ['json', 'eval']) {
      const row = rowFor(`(c) parse and rows, ${fileLabel(kind)}`, parseAndRowsSeconds(kind));
      rows.push({ ...row, target: `>= ${TARGET_RATIO.toFixed(2)}x`, verdict: verdict(row.ratio! >= TARGET_RATIO) });
    }

    // (f) The app's thread while the app imports.
    const ui: UiRow[] = [];
    if (existsSync(WORKER_PATH)) {
      for (const runner of ['worker', 'inline'] as const) {
        for (const [kind, path] of [
          ['json', g.jsonPath],
          ['eval', g.evalPath],
        ] as const) {
          try {
            const { result: r, control } = await child<UiOnceResult>('uiOnce.ts', [path, runner]);
            ui.push({ ...r, file: kind, controlMaxMs: control.maxMs, controlOver50: control.over50 });
            log(`event loop, ${runner} ${kind}: ${r.seconds.toFixed(1)} s, max ${r.maxMs.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms (${r.status})`);
          } catch (error) {
            log(`event loop, ${runner} ${kind}: ${(error as Error).message}`);
          }
        }
      }
    }

    // ---------------------------------------------------------------- report
    const out: string[] = [];
    out.push('');
    out.push(
      `EvalNotes import bench: ${g.samples} samples; JSON log ${(g.jsonBytes / MB).toFixed(1)} MB, .eval ${(g.evalBytes / MB).toFixed(1)} MB ` +
        `(${(g.evalUncompressedBytes / MB).toFixed(1)} MB inflated); MB/s = content MB (JSON log size) per second; fastest of ${CHEAP_REPS} (a), medians of ${CHEAP_REPS} (b), ${IMPORT_REPS} (c)`,
    );
    out.push(`${pad('', 36)}${lpad('s', 8)}${lpad('MB/s', 9)}${lpad('samples/s', 11)}${lpad('x (a)', 8)}  ${pad('target', 10)}`);
    for (const r of rows) {
      out.push(`${pad(r.label, 36)}${lpad(fmt(r.seconds, 2), 8)}${lpad(fmt(r.mbps), 9)}${lpad(fmt(r.sps, 0), 11)}${lpad(fmt(r.ratio, 2), 8)}  ${pad(r.target, 10)}${r.verdict}`);
    }
    for (const kind of ['json', 'eval']) {
      const ph = imports[kind]![0]!.phases;
      out.push(
        `    ${fileLabel(kind)} phases: copy into the blob store ${ph.copySeconds.toFixed(2)} s, ` +
          `parse and rows ${ph.parseAndRowsSeconds.toFixed(2)} s, search index + run + commit ${ph.tailSeconds.toFixed(2)} s`,
      );
    }
    out.push('');
    out.push(`${pad('(d) peak RSS of the import process', 36)}${lpad('MiB', 8)}${lpad('at start', 10)}  target`);
    for (const kind of ['json', 'eval']) {
      const peak = Math.max(...imports[kind]!.map((r) => r.peakRssBytes));
      const start = Math.max(...imports[kind]!.map((r) => r.startRssBytes));
      out.push(`${pad(`    ${kind === 'json' ? 'JSON log' : '.eval'}`, 36)}${lpad((peak / 2 ** 20).toFixed(0), 8)}${lpad((start / 2 ** 20).toFixed(0), 10)}  < 500 MiB ${verdict(peak < TARGET_RSS_BYTES)}`);
    }
    out.push('');
    out.push(`${pad(`(e) search index fill, ${g.samples} rows`, 36)}${lpad('s', 8)}${lpad('bare fts5', 11)}${lpad('x bare', 8)}${lpad('text MB', 9)}`);
    for (const kind of ['json', 'eval']) {
      const index = median(imports[kind]!.map((r) => r.ftsIndexSeconds));
      const bare = median(imports[kind]!.map((r) => r.ftsBareSeconds));
      const text = imports[kind]![0]!.ftsTextBytes;
      out.push(`${pad(`    indexSamplesOfRun, ${kind === 'json' ? 'JSON log' : '.eval'}`, 36)}${lpad(index.toFixed(2), 8)}${lpad(bare.toFixed(2), 11)}${lpad((index / bare).toFixed(2), 8)}${lpad((text / MB).toFixed(1), 9)}`);
    }
    out.push('');
    out.push(
      `${pad('(f) app thread during the import', 36)}${lpad('s', 8)}${lpad('max ms', 9)}${lpad('p99 ms', 9)}${lpad('>50ms', 7)}${lpad('busy %', 8)}${lpad('idle proc max', 15)}  target`,
    );
    for (const r of ui) {
      const tag = r.runner === 'worker' ? `<= ${TARGET_STALL_MS} ms ${verdict(r.maxMs <= TARGET_STALL_MS)}` : '(contrast)';
      out.push(
        `${pad(`    ${r.runner} runner, ${r.file === 'json' ? 'JSON log' : '.eval'}`, 36)}${lpad(r.seconds.toFixed(1), 8)}${lpad(r.maxMs.toFixed(1), 9)}${lpad(r.p99Ms.toFixed(1), 9)}` +
          `${lpad(String(r.blocksOver50), 7)}${lpad((r.busyFraction * 100).toFixed(1), 8)}${lpad(r.controlMaxMs.toFixed(1), 15)}  ${tag}`,
      );
    }
    if (ui.length > 0) {
      out.push('    busy % = share of the time the app thread ran; idle proc max = the same 10 ms probe in this idle bench process meanwhile');
      out.push('    (stalls with a low busy % and a similar idle-process figure come from other load on the machine, not from import work on the app thread)');
    }
    if (ui.length === 0) out.push('    (no worker build: skipped)');
    const load = loadavg()[0]!;
    figures.load_after = load;
    out.push(`load average (1 min): ${(figures.load_before as number).toFixed(2)} before, ${load.toFixed(2)} after, on ${availableParallelism()} cores (other work on the machine slows every figure)`);
    if (buildNote) out.push(`note: ${buildNote}`);

    figures.reference = { seconds: ref, runs: refTimes, mbps: refMbps };
    figures.parse_only = Object.fromEntries(
      Object.entries(parseTimes).map(([k, ts]) => [k, { seconds: median(ts), runs: ts, mbps: contentBytes / MB / median(ts), samples_per_s: g.samples / median(ts), ratio: ref / median(ts) }]),
    );
    figures.import = Object.fromEntries(
      Object.entries(imports).map(([k, rs]) => {
        const s = importSeconds(k);
        return [
          k,
          {
            seconds: s,
            runs: rs.map((r) => r.seconds),
            mbps: contentBytes / MB / s,
            samples_per_s: g.samples / s,
            ratio: ref / s,
            parse_and_rows_seconds: parseAndRowsSeconds(k),
            parse_and_rows_ratio: ref / parseAndRowsSeconds(k),
            ratio_pass: ref / parseAndRowsSeconds(k) >= TARGET_RATIO,
            peak_rss_bytes: Math.max(...rs.map((r) => r.peakRssBytes)),
            start_rss_bytes: Math.max(...rs.map((r) => r.startRssBytes)),
            rss_pass: Math.max(...rs.map((r) => r.peakRssBytes)) < TARGET_RSS_BYTES,
            fts_index_seconds: median(rs.map((r) => r.ftsIndexSeconds)),
            fts_bare_seconds: median(rs.map((r) => r.ftsBareSeconds)),
            fts_ratio: median(rs.map((r) => r.ftsIndexSeconds)) / median(rs.map((r) => r.ftsBareSeconds)),
            fts_rows: rs[0]!.ftsRows,
            phases: rs[0]!.phases,
          },
        ];
      }),
    );
    figures.event_loop = ui.map((r) => ({ ...r, pass: r.runner === 'worker' ? r.maxMs <= TARGET_STALL_MS : null }));
    if (buildNote) figures.note = buildNote;
    return { lines: out, figures, rows: importRows({ rows, refMbps, imports, ui }) };
  } finally {
    dir.cleanup();
  }
}

/** The import bench's rows for the one table: the same figures as its detailed lines above. */
function importRows({ rows, refMbps, imports, ui }: { rows: Row[]; refMbps: number; imports: Record<string, ImportOnceResult[]>; ui: UiRow[] }): BenchRow[] {
  const bench = 'import';
  const fileLabel = (kind: string) => (kind === 'json' ? 'JSON log' : '.eval');
  const out: BenchRow[] = [benchRow({ bench, name: '(a) read + JSON.parse, JSON log (reference)', figure: refMbps, unit: 'MB/s' })];
  for (const r of rows.slice(1)) {
    const targets = r.verdict === '' ? [] : [{ of: 'ratio' as const, op: '>=' as const, value: TARGET_RATIO }];
    out.push(benchRow({ bench, name: r.label, figure: r.mbps, unit: 'MB/s', reference: refMbps, ratio: r.ratio, targets }));
  }
  for (const [kind, rs] of Object.entries(imports)) {
    out.push(
      benchRow({
        bench,
        name: `(d) peak RSS, ${fileLabel(kind)} (ref: at start)`,
        figure: Math.max(...rs.map((r) => r.peakRssBytes)) / 2 ** 20,
        unit: 'MiB',
        reference: Math.max(...rs.map((r) => r.startRssBytes)) / 2 ** 20,
        targets: [{ of: 'figure', op: '<', value: TARGET_RSS_BYTES / 2 ** 20 }],
      }),
    );
  }
  for (const [kind, rs] of Object.entries(imports)) {
    out.push(benchRow({ bench, name: `(e) search index fill, ${fileLabel(kind)} (ref: bare FTS5)`, figure: median(rs.map((r) => r.ftsIndexSeconds)), unit: 's', reference: median(rs.map((r) => r.ftsBareSeconds)) }));
  }
  for (const r of ui) {
    const targets = r.runner === 'worker' ? [{ of: 'figure' as const, op: '<=' as const, value: TARGET_STALL_MS }] : [];
    out.push(benchRow({ bench, name: `(f) app-thread stall max, ${r.runner}, ${fileLabel(r.file)} (ref: idle process)`, figure: r.maxMs, unit: 'ms', reference: r.controlMaxMs, targets }));
  }
  return out;
}
