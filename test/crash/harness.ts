/**
 * Kills real work with SIGKILL at seeded random points and checks the workspace
 * after every kill (test/crash/checks.ts). Lanes are independent workspaces run
 * side by side (one child each), so two cores do twice the kills; within a lane
 * state accumulates from kill to kill.
 */
import { spawn } from 'node:child_process';
import { rmSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkAfterKill, newMemo, type CheckFigures } from './checks';
import { repairJournal } from './journal';
import { seededRng } from './rng';
import { prepareCrashWorkspace, type CrashSetup } from './setup';

const ROOT = resolve(import.meta.dirname, '../..');
const WORKER_TS = join(import.meta.dirname, 'worker.ts');
const BUNDLED = join(ROOT, 'node_modules/.cache/evalnotes-crash/worker.mjs');

export type CrashOptions = {
  /** Kills in total, spread over the lanes. */
  kills: number;
  lanes: number;
  seed: number;
  /** Where the lanes' workspaces live (emptied first). */
  dir: string;
  /** Longest wait after the child is ready before the kill. */
  maxDelayMs?: number;
  /** Share of kills during start-up (open, migrate, unlock) rather than during work. */
  earlyKillShare?: number;
  onKill?: (done: number, figures: CheckFigures) => void;
};

export type CrashFigures = {
  kills: number;
  killedDuringStartup: number;
  operations: number;
  committedOperations: number;
  checks: number;
  records: number;
  blobs: number;
  orphanBlobs: number;
  leftoverTemp: number;
  seconds: number;
  workerStartMs: number;
};

/**
 * The worker as one ESM file: under tsx a child needs about 2 s to start, bundled
 * about 0.35 s, which is what makes hundreds of kills a minute possible. Falls
 * back to tsx when esbuild is not there.
 */
async function workerCommand(): Promise<string[]> {
  try {
    const { build } = await import('esbuild');
    await build({
      entryPoints: [WORKER_TS],
      outfile: BUNDLED,
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['better-sqlite3-multiple-ciphers'],
      banner: { js: "import { createRequire as __crashRequire } from 'node:module'; const require = __crashRequire(import.meta.url);" },
      logLevel: 'warning',
    });
    return [BUNDLED];
  } catch {
    return ['--import', 'tsx', WORKER_TS];
  }
}

type ChildOutcome = { ready: boolean; readyMs: number; operations: number; committed: number; killedBySignal: boolean; code: number | null; stderr: string };

/** One child: spawn, kill with SIGKILL after the seeded delay, report what it did. */
function runChild(command: string[], setup: CrashSetup, seed: number, early: boolean, delayMs: number): Promise<ChildOutcome> {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...command, setup.dataDir, String(seed)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: ChildOutcome = { ready: false, readyMs: 0, operations: 0, committed: 0, killedBySignal: false, code: null, stderr: '' };
    const kill = () => child.kill('SIGKILL');
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line === 'ready') {
          out.ready = true;
          out.readyMs = performance.now() - started;
          if (!early) setTimeout(kill, delayMs);
        } else if (line.startsWith('op ')) {
          out.operations += 1;
          if (!line.endsWith(' 0')) out.committed += 1;
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
    if (early) setTimeout(kill, delayMs);
    child.on('exit', (code, signal) => {
      out.code = code;
      out.killedBySignal = signal === 'SIGKILL';
      done(out);
    });
  });
}

async function runLane(lane: number, command: string[], opts: CrashOptions, kills: number, totals: CrashFigures, counter: { done: number }): Promise<void> {
  const setup = await prepareCrashWorkspace(join(opts.dir, `lane-${lane}`));
  const memo = newMemo();
  const laneRng = seededRng(opts.seed * 31 + lane);
  for (let round = 1; round <= kills; round++) {
    const childSeed = laneRng.int(2 ** 31);
    const early = laneRng.chance(opts.earlyKillShare ?? 0.1);
    const delayMs = early ? laneRng.int(500) : laneRng.int(opts.maxDelayMs ?? 400);
    const label = `kill ${round} of lane ${lane} (harness seed ${opts.seed}, child seed ${childSeed}, ${early ? 'from spawn' : 'after ready'} +${delayMs} ms)`;
    const outcome = await runChild(command, setup, childSeed, early, delayMs);
    if (!outcome.killedBySignal) throw new Error(`${label}: the worker exited by itself (code ${outcome.code}) before the kill:\n${outcome.stderr}`);
    repairJournal(setup.journal);
    for (const f of existsSync(setup.scratch) ? readdirSync(setup.scratch) : []) rmSync(join(setup.scratch, f), { recursive: true, force: true });
    const figures = await checkAfterKill(setup, memo, label);
    totals.kills += 1;
    if (!outcome.ready) totals.killedDuringStartup += 1;
    else totals.workerStartMs += outcome.readyMs;
    totals.operations += outcome.operations;
    totals.committedOperations += outcome.committed;
    totals.checks += figures.checks;
    counter.done += 1;
    opts.onKill?.(counter.done, figures);
    if (round === kills) {
      totals.records += figures.records;
      totals.blobs += figures.blobs;
      totals.orphanBlobs += figures.orphanBlobs;
      totals.leftoverTemp += figures.leftoverTemp;
    }
  }
}

export async function runCrashHarness(opts: CrashOptions): Promise<CrashFigures> {
  const started = performance.now();
  rmSync(opts.dir, { recursive: true, force: true });
  mkdirSync(opts.dir, { recursive: true });
  const command = await workerCommand();
  const totals: CrashFigures = { kills: 0, killedDuringStartup: 0, operations: 0, committedOperations: 0, checks: 0, records: 0, blobs: 0, orphanBlobs: 0, leftoverTemp: 0, seconds: 0, workerStartMs: 0 };
  const counter = { done: 0 };
  const perLane = Array.from({ length: opts.lanes }, (_, i) => Math.floor(opts.kills / opts.lanes) + (i < opts.kills % opts.lanes ? 1 : 0));
  await Promise.all(perLane.map((k, lane) => runLane(lane, command, opts, k, totals, counter)));
  totals.seconds = (performance.now() - started) / 1000;
  totals.workerStartMs = totals.workerStartMs / Math.max(1, totals.kills - totals.killedDuringStartup);
  return totals;
}
