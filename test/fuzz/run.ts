/**
 * `npm run fuzz`: every fuzz target with FUZZ_RUNS cases (default 10,000),
 * from FUZZ_SEED (default: from the clock, printed so a failure replays with
 * FUZZ_SEED=<seed>). FUZZ_TARGETS=<words> runs only targets whose name holds
 * one of them. Prints per target: cases, failures, seconds, and the first
 * failing cases.
 *
 * Each suite runs in a child process the parent watches: a case stuck in
 * synchronous code (which no timer inside the process can interrupt) stops
 * the heartbeat, and the parent kills the child and reports the hang.
 */
import { spawn } from 'node:child_process';
import fc from 'fast-check';
import { apiSuite } from './api';
import { bundleSuite } from './bundle';
import { importerSuite } from './importers';
import { CASE_LIMIT_MS, preview, type FuzzSuite } from './target';

const suites: Record<string, () => Promise<FuzzSuite>> = { importers: importerSuite, bundle: bundleSuite, api: apiSuite };

type Line = { heartbeat: string; done: number } | { result: { name: string; cases: number; failures: number; seconds: number; examples: string[] } };

const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
const only = (process.env.FUZZ_TARGETS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const wanted = (name: string) => only.length === 0 || only.some((w) => name.includes(w));

async function child(suiteName: string, seed: number): Promise<void> {
  const emit = (line: Line) => process.stdout.write(`${JSON.stringify(line)}\n`);
  const suite = await suites[suiteName]!();
  try {
    for (const t of suite.targets.filter((x) => wanted(x.name))) {
      const started = performance.now();
      const examples: string[] = [];
      let failures = 0;
      let done = 0;
      // Counting mode: every case runs (no stop at the first failure), so the figures are whole.
      await fc.check(
        fc.asyncProperty(t.arbitrary, async (input) => {
          const problem = await t.check(input);
          done++;
          if (problem) {
            failures++;
            if (examples.length < 5) examples.push(`case ${done}: ${problem}`);
          }
          if (done % 50 === 0) emit({ heartbeat: t.name, done });
          return true;
        }),
        { numRuns: runs, seed },
      );
      emit({ result: { name: t.name, cases: done, failures, seconds: (performance.now() - started) / 1000, examples } });
    }
  } finally {
    await suite.close();
  }
}

/** Silence for this long means a case is stuck. */
const STALL_MS = Math.max(60_000, 3 * CASE_LIMIT_MS);

function runChild(suiteName: string, seed: number): Promise<{ rows: Extract<Line, { result: unknown }>['result'][]; hang: string | null }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--child', suiteName], {
      env: { ...process.env, FUZZ_SEED: String(seed) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const rows: Extract<Line, { result: unknown }>['result'][] = [];
    let last = 'setup';
    let hang: string | null = null;
    let timer = setTimeout(stall, STALL_MS);
    function stall() {
      hang = `${suiteName}: no progress for ${STALL_MS / 1000} s after ${last}`;
      proc.kill('SIGKILL');
    }
    let buffered = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const text of lines) {
        if (!text.startsWith('{')) continue;
        const line = JSON.parse(text) as Line;
        clearTimeout(timer);
        timer = setTimeout(stall, STALL_MS);
        if ('result' in line) {
          rows.push(line.result);
          last = `${line.result.name} finished`;
          printRow(line.result);
        } else last = `${line.heartbeat} case ${line.done}`;
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (!hang && code !== 0) hang = `${suiteName}: the fuzz process exited with code ${code} after ${last}`;
      resolve({ rows, hang });
    });
  });
}

function printRow(r: { name: string; cases: number; failures: number; seconds: number; examples: string[] }) {
  console.log(`${r.name.padEnd(18)} ${String(r.cases).padStart(8)} ${String(r.failures).padStart(9)} ${r.seconds.toFixed(1).padStart(8)}`);
  for (const e of r.examples) console.log(`    ${preview(e, 300)}`);
}

async function main() {
  const at = process.argv.indexOf('--child');
  const seed = Number(process.env.FUZZ_SEED ?? (Date.now() % 2 ** 31));
  if (at !== -1) return child(process.argv[at + 1]!, seed);

  console.log(`fuzz: ${runs} cases per target, FUZZ_SEED=${seed}`);
  console.log(`${'target'.padEnd(18)} ${'cases'.padStart(8)} ${'failures'.padStart(9)} ${'seconds'.padStart(8)}`);
  let bad = 0;
  for (const name of Object.keys(suites)) {
    const { rows, hang } = await runChild(name, seed);
    bad += rows.reduce((n, r) => n + r.failures, 0);
    if (hang) {
      console.log(`    HANG ${hang}`);
      bad++;
    }
  }
  console.log(bad === 0 ? 'fuzz: no failures' : `fuzz: ${bad} failing case(s); replay with FUZZ_SEED=${seed}`);
  process.exitCode = bad === 0 ? 0 : 1;
}

await main();
