/**
 * Cold start of the serve host (issue 7): from spawning `node out/main/cli.js
 * serve` on a workspace with a few records to the animation frame in which
 * Chromium shows the app's first screen (Unlock EvalNotes), in a fresh browser
 * context each time. The reference, in the same run and alternating with it:
 * spawning a plain Node http server and the same Chromium showing its static
 * "hello" page. BENCH_COLD_REPS (5) pairs; medians. Needs a build (out/).
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { writeRecords } from '../../main/records/writeRecord';
import { makeReadyApp, tempDir } from '../helpers/app';
import { startServe } from '../e2e/pages';
import { markFirstRender, renderedAt, startHelloServer } from './browserTools';
import { servedBuildNote } from './servedBuild';
import { benchRow, type BenchRow } from './table';

/** People open the link right after the command; past 3 s they wonder whether it started at all. */
export const TARGET_COLD_START_S = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A workspace with an identity, one engagement and a few findings and notes, closed again. */
async function fewRecords(dataDir: string): Promise<void> {
  const t = await makeReadyApp({ dataDir });
  try {
    const created = await t.app.dispatch('engagement:create', { developer: 'Bench Lab', model: 'Bench-cold', model_version: 'rc1', access_start: '2026-03-01' });
    if (!created.ok) throw new Error(created.error.message);
    const engagement_id = (created.value as { id: string }).id;
    const findings = writeRecords(
      t.app.workspace.writer(),
      Array.from({ length: 5 }, (_, i) => ({
        action: 'create' as const,
        type: 'finding' as const,
        fields: { engagement_id, title: `Finding ${i + 1}`, kind: 'other' as const, severity: 'low' as const, description: 'A short description.', reproduction: '', impact: '', remediation: '', cwe: [], atlas: [], tags: [], evidence: [], status: 'draft' as const },
      })),
    );
    writeRecords(
      t.app.workspace.writer(),
      findings.map((f) => ({ action: 'create' as const, type: 'note' as const, fields: { engagement_id, on: { type: 'finding' as const, id: f.id }, body: 'A note.' } })),
    );
  } finally {
    await t.cleanup();
  }
}

/** Milliseconds from spawning the server process to the frame that paints `heading`, in a fresh context. */
async function coldStartMs(browser: Browser, heading: string, start: () => Promise<{ url: string; stop(): Promise<void> }>): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    await markFirstRender(context, heading);
    const page = await context.newPage();
    const t0 = Date.now();
    const server = await start();
    try {
      await page.goto(server.url);
      return (await renderedAt(page)) - t0;
    } finally {
      await server.stop();
    }
  } finally {
    await context.close();
  }
}

export async function runColdStartBench(browser: Browser, opts: { log?: (line: string) => void; reps?: number } = {}): Promise<{ lines: string[]; figures: Record<string, unknown>; rows: BenchRow[] }> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`bench: ${line}\n`));
  const reps = opts.reps ?? Math.max(1, Number(process.env.BENCH_COLD_REPS ?? 5));
  const buildNote = servedBuildNote();
  if (buildNote) log(buildNote);
  const dir = tempDir('evalnotes-bench-cold-');
  try {
    const dataDir = join(dir.path, 'workspace');
    await fewRecords(dataDir);
    const app: number[] = [];
    const hello: number[] = [];
    for (let rep = 1; rep <= reps; rep++) {
      // Alternate which goes first, so neither always meets the machine warmer.
      const order = rep % 2 ? (['hello', 'app'] as const) : (['app', 'hello'] as const);
      for (const which of order) {
        if (which === 'hello') hello.push(await coldStartMs(browser, 'hello', startHelloServer));
        else app.push(await coldStartMs(browser, 'Unlock EvalNotes', () => startServe(dataDir)));
      }
      log(`cold start ${rep}: serve host ${app.at(-1)!.toFixed(0)} ms, hello page ${hello.at(-1)!.toFixed(0)} ms`);
    }
    const appS = median(app) / 1000;
    const helloS = median(hello) / 1000;
    const lines = [
      `Cold start: process start → first frame of the app in Chromium (Unlock EvalNotes, a workspace with 1 engagement, 5 findings, 5 notes); medians of ${reps}`,
      `  evalnotes serve                     ${appS.toFixed(2)} s  [${app.map((ms) => (ms / 1000).toFixed(2)).join(', ')}]  (target < ${TARGET_COLD_START_S} s)`,
      `  plain node http + static "hello"    ${helloS.toFixed(2)} s  [${hello.map((ms) => (ms / 1000).toFixed(2)).join(', ')}]`,
      `  ratio                               ${(appS / helloS).toFixed(2)}x`,
      ...(buildNote ? [`  note: ${buildNote}`] : []),
    ];
    const figures = { reps, serve_ms: app, hello_ms: hello, serve_median_s: appS, hello_median_s: helloS, ratio: appS / helloS, target_s: TARGET_COLD_START_S };
    const rows = [benchRow({ bench: 'coldstart', name: 'serve host start → first render (ref: node http + hello)', figure: appS, unit: 's', reference: helloS, targets: [{ of: 'figure', op: '<', value: TARGET_COLD_START_S }] })];
    return { lines, figures, rows };
  } finally {
    dir.cleanup();
  }
}
