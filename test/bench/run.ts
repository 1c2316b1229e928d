/**
 * `npm run bench`: every benchmark, then ONE table of all their rows (figure,
 * target, reference measured in the same run, ratio, verdict) and the machine,
 * then one JSON line with all the figures. Each bench's detailed lines come
 * first, as it finishes.
 *
 * Benches (BENCH=import,search,… picks some; default all, in this order):
 *   import    test/bench/importBench.ts   Inspect log import (issue 3)
 *   search    test/bench/search.ts        search and the findings list query (issue 4)
 *   bundles   test/bench/bundles.ts       bundle export and verify (issue 5)
 *   summary   test/bench/summary.ts       the supervisor's summary (issue 6)
 *   coldstart test/bench/coldStart.ts     serve host start to first render in Chromium (issue 7)
 *   table     test/bench/findingsTable.ts the 100,000-finding table in Chromium: paint, scroll, memory (issue 7)
 * Each file's header names its size knobs (BENCH_SAMPLES, BENCH_BUNDLE_MB, …).
 * Always exits 0: a bench informs, it never fails CI; a bench that throws is
 * reported as not completed and the others still run.
 */
import { loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../e2e/pages';
import { benchRow, formatMachine, formatTable, machineBefore, type BenchRow } from './table';

type BenchResult = { lines: string[]; figures: Record<string, unknown>; rows: BenchRow[] };

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

let browser: Browser | undefined;
/** One Chromium for the browser benches, started when the first of them runs. */
async function sharedBrowser(): Promise<Browser> {
  browser ??= await launchBrowser();
  return browser;
}

// Loaded when chosen: a bench whose modules fail to load is reported like one that throws, and the others still run.
const BENCHES: Record<string, () => Promise<BenchResult>> = {
  import: async () => (await import('./importBench')).runImportBench(),
  search: async () => (await import('./search')).runSearchBench({ log }),
  bundles: async () => (await import('./bundles')).runBundleBench({ log }),
  summary: async () => (await import('./summary')).runSummaryBench({ log }),
  coldstart: async () => (await import('./coldStart')).runColdStartBench(await sharedBrowser(), { log }),
  table: async () => (await import('./findingsTable')).runTableBench(await sharedBrowser(), { log }),
};

const machine = machineBefore();
const rows: BenchRow[] = [];
const figures: Record<string, unknown> = {};
const chosen = (process.env.BENCH ?? Object.keys(BENCHES).join(',')).split(',').map((b) => b.trim());
try {
  for (const name of chosen) {
    try {
      const bench = BENCHES[name];
      if (!bench) throw new Error(`no bench named ${name}; there are ${Object.keys(BENCHES).join(', ')}`);
      const result = await bench();
      console.log(['', ...result.lines].join('\n'));
      rows.push(...result.rows);
      figures[name] = result.figures;
    } catch (error) {
      const message = (error as Error).message;
      console.log(`\nbench ${name} did not complete: ${message}`);
      rows.push(benchRow({ bench: name, name: 'did not complete (see above)', figure: null, unit: '' }));
      figures[name] = { error: message };
    }
  }
} finally {
  if (browser) {
    machine.browser = `Chromium ${browser.version()}`;
    await browser.close();
  }
}
machine.loadAfter = loadavg();

console.log(['', 'EvalNotes benchmarks: one row per figure', ...formatTable(rows), ...formatMachine(machine)].join('\n'));
console.log(JSON.stringify({ bench: 'all', machine, rows, figures }));
process.exitCode = 0;
