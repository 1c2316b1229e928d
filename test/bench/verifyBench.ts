/**
 * Bundle bench, verify half (issue 5, item 8): verifies a bundle in a process
 * of its own (so its peak RSS, VmHWM, is its own) and compares its throughput
 * with `openssl dgst -sha256` over the same bundle bytes, measured in the same
 * run. Target: >= 0.6x openssl, peak RSS < 300 MB. Never fails; prints figures.
 *
 * Used by test/bench/bundles.ts after its export (call measureVerify with the
 * exported file and the signer's public key before the temp dir is removed).
 * Child mode: `node --import tsx test/bench/verifyBench.ts --verify-once <bundle> <signer.pub>`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyBundleFile } from '../../main/bundles/verifyBundle';
import { fileTrust } from '../../main/services/keys';

const ROOT = resolve(import.meta.dirname, '../..');
const THIS_FILE = fileURLToPath(import.meta.url);
const TARGET_RATIO = 0.6;
const TARGET_RSS_BYTES = 300 * 1024 * 1024;
const MB = 1e6;

type VerifyOnce = { seconds: number; valid: boolean; reason: string | null; peakRssBytes: number };

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

export function measureVerify(bundlePath: string, publicKeyPath: string, log: (line: string) => void = console.log): { lines: string[]; figures: Record<string, unknown> } {
  const bytes = statSync(bundlePath).size;
  log('openssl dgst -sha256 over the bundle (reference, median of 3)');
  const ref = [opensslSeconds(bundlePath), opensslSeconds(bundlePath), opensslSeconds(bundlePath)].sort((a, b) => a - b)[1]!;
  log('verifying in a process of its own');
  const child = spawnSync(process.execPath, ['--import', 'tsx', THIS_FILE, '--verify-once', bundlePath, publicKeyPath], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (child.status !== 0) throw new Error(`verify failed: ${child.stderr.trim().split('\n').at(-1)}`);
  const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as VerifyOnce;
  const opensslMBs = bytes / MB / ref;
  const verifyMBs = bytes / MB / result.seconds;
  const ratio = verifyMBs / opensslMBs;
  const figures = {
    verify_valid: result.valid,
    verify_reason: result.reason,
    bundle_mb: Math.round(bytes / MB),
    openssl_bundle_mb_s: Math.round(opensslMBs),
    verify_seconds: Number(result.seconds.toFixed(2)),
    verify_mb_s: Math.round(verifyMBs),
    verify_ratio: Number(ratio.toFixed(2)),
    verify_ratio_target: TARGET_RATIO,
    verify_peak_rss_mb: Math.round(result.peakRssBytes / MB),
  };
  const lines = [
    `verify: ${result.valid ? 'valid' : `NOT VALID (${result.reason ?? ''})`}, ${figures.verify_mb_s} MB/s over ${figures.bundle_mb} MB, ${figures.verify_ratio}x openssl (${figures.openssl_bundle_mb_s} MB/s; target >= ${TARGET_RATIO}x${ratio >= TARGET_RATIO ? ', met' : ', NOT met'})`,
    `verify peak RSS: ${Math.round(result.peakRssBytes / 2 ** 20)} MiB (target < 300 MiB${result.peakRssBytes < TARGET_RSS_BYTES ? ', met' : ', NOT met'})`,
  ];
  for (const l of lines) log(l);
  return { lines, figures };
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
