/**
 * Bundle bench, verify half (issue 5, item 8): verifies a bundle in a process
 * of its own (so its peak RSS, VmHWM, is its own), right after `openssl dgst
 * -sha256` over the same bundle file, the reference; BENCH_BUNDLE_REPS (3)
 * pairs, reporting the median of the per-pair ratios (target >= 0.6x), the
 * highest peak RSS (target < 300 MB) and the load average. Never fails.
 *
 * Used by test/bench/bundles.ts after its export (call measureVerify with the
 * exported file and the signer's public key before the temp dir is removed).
 * Child mode: `node --import tsx test/bench/verifyBench.ts --verify-once <bundle> <signer.pub>`.
 * This file stays light: the child's RSS is measured.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyBundleFile } from '../../main/bundles/verifyBundle';
import { fileTrust } from '../../main/services/keys';
import { benchRow, type BenchRow } from './table';

const ROOT = resolve(import.meta.dirname, '../..');
const THIS_FILE = fileURLToPath(import.meta.url);
const TARGET_RATIO = 0.6;
const MB = 1e6;
const TARGET_RSS_BYTES = 300 * MB;

type VerifyOnce = { seconds: number; valid: boolean; reason: string | null; peakRssBytes: number };

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Export and verify pairs to run (each in its own process, each after its openssl reference). */
export const benchReps = (): number => Math.max(1, Number(process.env.BENCH_BUNDLE_REPS ?? 3));

function maxRss(): number {
  const kb = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return Number(kb ?? 0) * 1024;
}

function opensslSeconds(path: string): number {
  const start = process.hrtime.bigint();
  const r = spawnSync('openssl', ['dgst', '-sha256', path]);
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function measureVerify(bundlePath: string, publicKeyPath: string, log: (line: string) => void = console.log): { lines: string[]; figures: Record<string, unknown>; rows: BenchRow[] } {
  const bytes = statSync(bundlePath).size;
  const loadBefore = loadAverage();
  const runs: (VerifyOnce & { opensslSeconds: number; ratio: number })[] = [];
  for (let rep = 1; rep <= benchReps(); rep++) {
    const reference = opensslSeconds(bundlePath);
    const child = spawnSync(process.execPath, ['--import', 'tsx', THIS_FILE, '--verify-once', bundlePath, publicKeyPath], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
    if (child.status !== 0) throw new Error(`verify failed: ${child.stderr.trim().split('\n').at(-1)}`);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as VerifyOnce;
    const ratio = reference / result.seconds;
    runs.push({ ...result, opensslSeconds: reference, ratio });
    log(`verify ${rep}: ${result.seconds.toFixed(2)} s, openssl ${reference.toFixed(2)} s: ${ratio.toFixed(2)}x, peak RSS ${Math.round(result.peakRssBytes / MB)} MB (load ${loadAverage()})`);
  }
  const invalid = runs.find((r) => !r.valid);
  const ratio = median(runs.map((r) => r.ratio));
  const seconds = median(runs.map((r) => r.seconds));
  const peakRss = Math.max(...runs.map((r) => r.peakRssBytes));
  const figures = {
    verify_valid: !invalid,
    verify_reason: invalid?.reason ?? null,
    bundle_mb: Math.round(bytes / MB),
    verify_reps: runs.length,
    openssl_bundle_mb_s: Math.round(bytes / MB / median(runs.map((r) => r.opensslSeconds))),
    verify_seconds: Number(seconds.toFixed(2)),
    verify_mb_s: Math.round(bytes / MB / seconds),
    verify_ratio: Number(ratio.toFixed(2)),
    verify_ratios: runs.map((r) => Number(r.ratio.toFixed(2))),
    verify_ratio_target: TARGET_RATIO,
    verify_peak_rss_mb: Math.round(peakRss / MB),
    verify_rss_target_mb: Math.round(TARGET_RSS_BYTES / MB),
    verify_load_average: `${loadBefore} → ${loadAverage()}`,
  };
  const lines = [
    `Bundle verify: ${figures.bundle_mb} MB bundle; median of ${runs.length} (load ${figures.verify_load_average})`,
    `  openssl dgst -sha256 (same file)   ${figures.openssl_bundle_mb_s} MB/s`,
    `  verify                             ${figures.verify_mb_s} MB/s in ${figures.verify_seconds} s  = ${figures.verify_ratio}x openssl [${figures.verify_ratios.join(', ')}] (target >= ${TARGET_RATIO}x) ${ratio >= TARGET_RATIO ? 'ok' : 'BELOW TARGET'}`,
    `  verify peak RSS (highest)          ${figures.verify_peak_rss_mb} MB (target < ${figures.verify_rss_target_mb} MB) ${peakRss < TARGET_RSS_BYTES ? 'ok' : 'ABOVE TARGET'}`,
    ...(invalid ? [`  verify said NOT VALID: ${invalid.reason ?? ''}`] : []),
  ];
  const bench = 'bundles';
  const rows = [
    benchRow({
      bench,
      name: 'verify throughput (ref: openssl dgst -sha256)',
      figure: bytes / MB / seconds,
      unit: 'MB/s',
      reference: bytes / MB / median(runs.map((r) => r.opensslSeconds)),
      // The median of the per-pair ratios, as the lines above report it.
      ratio,
      targets: [{ of: 'ratio', op: '>=', value: TARGET_RATIO }],
    }),
    benchRow({ bench, name: 'verify peak RSS', figure: peakRss / MB, unit: 'MB', targets: [{ of: 'figure', op: '<', value: TARGET_RSS_BYTES / MB }] }),
  ];
  return { lines, figures, rows };
}

async function verifyOnce(bundlePath: string, publicKeyPath: string): Promise<VerifyOnce> {
  const trust = fileTrust([{ pem: readFileSync(publicKeyPath, 'utf8'), label: 'signer.pub' }]);
  const start = process.hrtime.bigint();
  const report = await verifyBundleFile(bundlePath, { trust });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, valid: report.valid, reason: report.reason, peakRssBytes: maxRss() };
}

if (process.argv[2] === '--verify-once') {
  verifyOnce(process.argv[3]!, process.argv[4]!).then(
    (r) => console.log(JSON.stringify(r)),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exitCode = 1;
    },
  );
}
