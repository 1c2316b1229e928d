/**
 * How responsive the app's own thread stays while it imports:
 * `node --import tsx test/bench/uiOnce.ts <log file> worker|inline`. Starts the
 * import as the UI does (a registered file, dispatch('imports:start')) and
 * samples this thread's event-loop delay until the job finishes. Prints one JSON line.
 */
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { makeReadyApp } from '../helpers/app';

export type UiOnceResult = {
  runner: 'worker' | 'inline';
  seconds: number;
  status: string;
  samples: number;
  /** How late the 10 ms probe timer ran while the job ran (the histogram less its period), in milliseconds. */
  maxMs: number;
  p99Ms: number;
  meanMs: number;
  /** Delays longer than 50 ms seen by a 10 ms probe timer. */
  blocksOver50: number;
  /**
   * Share of the wall time this thread spent running (event-loop utilization).
   * Near 0 with stalls means the thread sat idle but was not scheduled: other load on the machine.
   */
  busyFraction: number;
  /** The longest stalls (over 20 ms): when (ms after the start) and how long. */
  stalls: { at: number; ms: number }[];
  /** When each phase of the job began (ms after the start), from its progress messages. */
  phases: { at: number; message: string }[];
};

const PERIOD_MS = 10;

const WORKER_PATH = resolve(import.meta.dirname, '../../out/main/importWorker.js');

async function main(): Promise<void> {
  const [file, runner] = process.argv.slice(2);
  if (!file || (runner !== 'worker' && runner !== 'inline')) throw new Error('usage: uiOnce.ts <log file> worker|inline');
  const t = await makeReadyApp(runner === 'worker' ? { importWorkerPath: WORKER_PATH } : {});
  try {
    const created = await t.app.dispatch('engagement:create', { developer: 'Bench Lab', model: 'Bench-1', model_version: 'rc1', access_start: '2026-03-01' });
    if (!created.ok) throw new Error(created.error.message);
    const ref = t.app.files.register(file, 'read');

    // A probe timer counts the long stalls directly; the histogram gives max and p99.
    let blocksOver50 = 0;
    const stalls: { at: number; ms: number }[] = [];
    const phases: { at: number; message: string }[] = [];
    let t0 = performance.now();
    let last = t0;
    const probe = setInterval(() => {
      const now = performance.now();
      const late = now - last - PERIOD_MS;
      if (late > 50) blocksOver50 += 1;
      if (late > 20) stalls.push({ at: Math.round(last - t0), ms: Math.round(late) });
      last = now;
    }, PERIOD_MS);
    // What the job was doing around a stall: its progress messages, phase by phase.
    const unsubscribe = t.app.events.subscribe(({ name, payload }) => {
      if (name !== 'job:progress') return;
      const message = String((payload as { message?: string }).message ?? '').replace(/: \d+ samples$/, '');
      if (phases.at(-1)?.message !== message) phases.push({ at: Math.round(performance.now() - t0), message });
    });
    const histogram = monitorEventLoopDelay({ resolution: PERIOD_MS });
    histogram.enable();
    t0 = performance.now();
    last = t0;
    const elu0 = performance.eventLoopUtilization();
    const started = await t.app.dispatch('imports:start', { engagement_id: (created.value as { id: string }).id, files: [ref], samples: [] });
    if (!started.ok) throw new Error(started.error.message);
    const finished = await t.app.jobs.wait((started.value as { job_id: string }).job_id);
    const seconds = (performance.now() - t0) / 1000;
    const busy = performance.eventLoopUtilization(elu0).utilization;
    histogram.disable();
    clearInterval(probe);
    unsubscribe();

    const outcome = (finished.result as { files?: { status: string; samples?: number }[] } | null)?.files?.[0];
    // The histogram holds the time between timer turns, period included (idle ≈ 10 ms).
    const ms = (ns: number) => Math.max(0, ns / 1e6 - PERIOD_MS);
    const result: UiOnceResult = {
      runner,
      seconds,
      status: finished.status === 'succeeded' ? (outcome?.status ?? 'no outcome') : `${finished.status}: ${finished.error?.message ?? ''}`,
      samples: outcome?.samples ?? 0,
      maxMs: ms(histogram.max),
      p99Ms: ms(histogram.percentile(99)),
      meanMs: ms(histogram.mean),
      blocksOver50,
      busyFraction: busy,
      stalls: stalls.sort((a, b) => b.ms - a.ms).slice(0, 10),
      phases,
    };
    console.log(JSON.stringify(result));
  } finally {
    await t.cleanup();
  }
}

await main();
