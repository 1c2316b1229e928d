/**
 * Bundle bench, export half (issue 5, item 8): a workspace with 500 generated
 * attachments totalling 1 GB and 10,000 records in one engagement; each export
 * runs in a process of its own (so its peak RSS, VmHWM, is its own), right
 * after `openssl dgst -sha256` over the same 500 files, the reference. Timings
 * on a shared 2-core machine are noisy, so this runs BENCH_BUNDLE_REPS (3) pairs
 * and reports the median of the per-pair ratios (target >= 0.5x), the median
 * time, the highest peak RSS (target < 300 MB) and the load average. A second
 * reference, a plain copy of the same files into one file with an fsync, shows
 * how much of an export's time the disk alone takes. Never fails.
 * BENCH_BUNDLE_MB changes the total size.
 *
 * Child mode: `node --import tsx test/bench/bundles.ts --export-once <dataDir> <engagementId> <out>`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { BlobStore } from '../../main/blobs/blobStore';
import { writeRecords, type WriteOp } from '../../main/records/writeRecord';
import { BundleService } from '../../main/services/bundles';
import { KeyService } from '../../main/services/keys';
import { benchReps, loadAverage, measureVerify, median } from './verifyBench';
import { Workspace } from '../../main/workspace/workspace';
import type { StorableType } from '../../shared/domain/records';
import { makeReadyApp, tempDir, TEST_PASSPHRASE } from '../helpers/app';
import { seededRandom } from '../helpers/rng';
import { benchRow, type BenchRow } from './table';

const ROOT = resolve(import.meta.dirname, '../..');
const THIS_FILE = fileURLToPath(import.meta.url);
const SEED = 20260501;
const FILES = 500;
const RECORDS = 10_000;
const TARGET_RATIO = 0.5;
const MB = 1e6;
const TARGET_RSS_BYTES = 300 * MB;

type ExportOnce = { seconds: number; bytes: number; peakRssBytes: number; startRssBytes: number };

function maxRss(): number {
  const kb = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb ? Number(kb) * 1024 : process.resourceUsage().maxRSS * 1024;
}

/** Seeded bytes, fast: one random 8 MiB block, each file a different window of it behind a unique header. */
function* fileChunks(block: Buffer, index: number, size: number, rand: () => number): Generator<Buffer> {
  const header = Buffer.from(`evalnotes-bench-attachment-${index}-`.padEnd(64, '#'));
  yield header.subarray(0, Math.min(header.length, size));
  let left = size - Math.min(header.length, size);
  let at = Math.floor(rand() * block.length);
  while (left > 0) {
    const n = Math.min(left, block.length - at, 1 << 20);
    yield block.subarray(at, at + n);
    left -= n;
    at = (at + n) % block.length;
  }
}

export async function generate(dataDir: string, totalBytes: number, log: (s: string) => void): Promise<{ engagementId: string; blobPaths: string[]; attachmentBytes: number }> {
  const t = await makeReadyApp({ dataDir });
  try {
    const created = await t.app.dispatch('engagement:create', { developer: 'Bench Lab', model: 'Bench-1', model_version: 'rc1', access_start: '2026-03-01' });
    if (!created.ok) throw new Error(created.error.message);
    const engagementId = (created.value as { id: string }).id;
    const ws = t.app.workspace;
    const blobs = new BlobStore(ws.blobDir);
    const rand = seededRandom(SEED);
    const block = Buffer.alloc(8 << 20);
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(Math.floor(rand() * 2 ** 32), i);
    // Sizes vary (0.2x to 1.8x the mean) and sum to the total.
    const weights = Array.from({ length: FILES }, () => 0.2 + 1.6 * rand());
    const sum = weights.reduce((a, b) => a + b, 0);
    const sizes = weights.map((w) => Math.floor((w / sum) * totalBytes));
    const attachments: WriteOp<StorableType>[] = [];
    const blobPaths: string[] = [];
    let attachmentBytes = 0;
    for (const [i, size] of sizes.entries()) {
      const { sha256 } = await blobs.put(Readable.from(fileChunks(block, i, size, rand)));
      blobPaths.push(blobs.path(sha256));
      attachmentBytes += size;
      attachments.push({ action: 'create', type: 'attachment', fields: { engagement_id: engagementId, sha256, name: `evidence-${i}.bin`, media_type: 'application/octet-stream', size } });
      if (i % 100 === 99) log(`generated ${i + 1} attachments`);
    }
    const stored = writeRecords(ws.writer(), attachments);
    // 500 findings citing one attachment each, and notes on them up to 10,000 records in all.
    const findings = writeRecords(
      ws.writer(),
      stored.map((a, i) => ({
        action: 'create' as const,
        type: 'finding' as const,
        fields: {
          engagement_id: engagementId,
          title: `Finding ${i}`,
          kind: 'other' as const,
          severity: 'low' as const,
          description: 'x'.repeat(500),
          reproduction: '',
          impact: '',
          remediation: '',
          cwe: [],
          atlas: [],
          tags: [],
          status: 'draft' as const,
          evidence: [{ kind: 'attachment' as const, attachment_id: a.id, sha256: (a as { sha256: string }).sha256, name: `evidence-${i}.bin` }],
        },
      })),
    );
    const notes = RECORDS - 1 - stored.length - findings.length;
    writeRecords(
      ws.writer(),
      Array.from({ length: notes }, (_, i) => ({
        action: 'create' as const,
        type: 'note' as const,
        fields: { engagement_id: engagementId, on: { type: 'finding' as const, id: findings[i % findings.length]!.id }, body: `Note ${i}: ${'y'.repeat(400)}` },
      })),
    );
    return { engagementId, blobPaths, attachmentBytes };
  } finally {
    await t.cleanup();
  }
}

function opensslSeconds(paths: string[]): number {
  const t0 = performance.now();
  const r = spawnSync('openssl', ['dgst', '-sha256', ...paths], { maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`);
  return (performance.now() - t0) / 1000;
}

/**
 * The disk's share of an export: the attachments copied into one new file in
 * 2 MiB writes, then fsynced, and nothing else (no hashing, no ZIP). An export
 * writes the same bytes durably, so on a slow disk this bounds it whatever the
 * CPU does.
 */
async function copyAndSyncSeconds(paths: string[], out: string): Promise<number> {
  const buffer = Buffer.allocUnsafe(2 << 20);
  const t0 = performance.now();
  const target = await open(out, 'w');
  try {
    let position = 0;
    for (const path of paths) {
      const source = await open(path, 'r');
      try {
        for (;;) {
          const { bytesRead } = await source.read(buffer, 0, buffer.length, null);
          if (bytesRead === 0) break;
          await target.write(buffer, 0, bytesRead, position);
          position += bytesRead;
        }
      } finally {
        await source.close();
      }
    }
    await target.sync();
  } finally {
    await target.close();
  }
  return (performance.now() - t0) / 1000;
}

export async function runBundleBench(opts: { log?: (line: string) => void; totalBytes?: number } = {}): Promise<{ lines: string[]; figures: Record<string, unknown>; rows: BenchRow[] }> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`bench: ${line}\n`));
  const totalBytes = opts.totalBytes ?? Number(process.env.BENCH_BUNDLE_MB ?? 1000) * MB;
  const dir = tempDir('evalnotes-bench-bundles-');
  try {
    const dataDir = join(dir.path, 'workspace');
    const { engagementId, blobPaths, attachmentBytes } = await generate(dataDir, totalBytes, log);
    // The generated gigabyte to disk first: a user's attachments were written long before an export, and their write-back would otherwise share the disk with the export timed here.
    spawnSync('sync');
    const loadBefore = loadAverage();
    const runs: (ExportOnce & { opensslSeconds: number; ratio: number; diskSeconds: number; diskRatio: number })[] = [];
    let out = '';
    for (let rep = 1; rep <= benchReps(); rep++) {
      // A new file each time (as a user's export is). The copy and the export
      // each write right after a gigabyte is deleted (the last bundle, then the
      // copy): on a virtual machine, writing into memory the guest freed a
      // moment ago is several times cheaper than into memory it has not touched
      // for a while, so both must start alike for the ratio to mean anything.
      if (out) rmSync(out);
      out = join(dir.path, `bench-${rep}.evb`);
      // The references right before each export, so all three see the same machine.
      const reference = opensslSeconds(blobPaths);
      const copy = join(dir.path, 'copy.bin');
      const diskSeconds = await copyAndSyncSeconds(blobPaths, copy);
      rmSync(copy);
      const child = spawnSync(process.execPath, ['--import', 'tsx', THIS_FILE, '--export-once', dataDir, engagementId, out], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
      if (child.status !== 0) throw new Error(`export failed: ${child.stderr.trim().split('\n').at(-1)}`);
      const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as ExportOnce;
      const ratio = result.bytes / result.seconds / (attachmentBytes / reference);
      const diskRatio = result.bytes / result.seconds / (attachmentBytes / diskSeconds);
      runs.push({ ...result, opensslSeconds: reference, ratio, diskSeconds, diskRatio });
      log(`export ${rep}: ${result.seconds.toFixed(2)} s, openssl ${reference.toFixed(2)} s: ${ratio.toFixed(2)}x, copy + fsync ${diskSeconds.toFixed(2)} s, peak RSS ${Math.round(result.peakRssBytes / MB)} MB (load ${loadAverage()})`);
    }
    const bytes = runs[0]!.bytes;
    const ratio = median(runs.map((r) => r.ratio));
    const seconds = median(runs.map((r) => r.seconds));
    const peakRss = Math.max(...runs.map((r) => r.peakRssBytes));
    const figures = {
      attachments: FILES,
      records: RECORDS,
      attachment_mb: Math.round(attachmentBytes / MB),
      bundle_mb: Math.round(bytes / MB),
      reps: runs.length,
      openssl_mb_s: Math.round(attachmentBytes / MB / median(runs.map((r) => r.opensslSeconds))),
      export_seconds: Number(seconds.toFixed(2)),
      export_mb_s: Math.round(bytes / MB / seconds),
      export_ratio: Number(ratio.toFixed(2)),
      export_ratios: runs.map((r) => Number(r.ratio.toFixed(2))),
      export_ratio_target: TARGET_RATIO,
      copy_sync_mb_s: Math.round(attachmentBytes / MB / median(runs.map((r) => r.diskSeconds))),
      export_disk_ratio: Number(median(runs.map((r) => r.diskRatio)).toFixed(2)),
      export_disk_ratios: runs.map((r) => Number(r.diskRatio.toFixed(2))),
      export_peak_rss_mb: Math.round(peakRss / MB),
      export_start_rss_mb: Math.round(median(runs.map((r) => r.startRssBytes)) / MB),
      export_rss_target_mb: Math.round(TARGET_RSS_BYTES / MB),
      export_load_average: `${loadBefore} → ${loadAverage()}`,
    };
    const lines = [
      `Bundle export: ${FILES} attachments (${figures.attachment_mb} MB) + ${RECORDS} records → ${figures.bundle_mb} MB bundle; median of ${runs.length} (load ${figures.export_load_average})`,
      `  openssl dgst -sha256 (same files)  ${figures.openssl_mb_s} MB/s`,
      `  export                             ${figures.export_mb_s} MB/s in ${figures.export_seconds} s  = ${figures.export_ratio}x openssl [${figures.export_ratios.join(', ')}] (target >= ${TARGET_RATIO}x) ${ratio >= TARGET_RATIO ? 'ok' : 'BELOW TARGET'}`,
      `  copy + fsync (same files, no hash) ${figures.copy_sync_mb_s} MB/s: the disk's floor; export = ${figures.export_disk_ratio}x of it [${figures.export_disk_ratios.join(', ')}]`,
      `  export peak RSS (highest)          ${figures.export_peak_rss_mb} MB (target < ${figures.export_rss_target_mb} MB) ${peakRss < TARGET_RSS_BYTES ? 'ok' : 'ABOVE TARGET'}`,
    ];
    // The verify half, on the bundle just written, against the signer's public key.
    const pub = join(dir.path, 'signer.pub');
    const ws = Workspace.open({ dataDir });
    try {
      writeFileSync(pub, ws.requireIdentity().public_key_pem);
    } finally {
      ws.close();
    }
    const verify = measureVerify(out, pub, log);
    const bench = 'bundles';
    const rows = [
      benchRow({
        bench,
        name: 'export throughput (ref: openssl dgst -sha256)',
        figure: bytes / MB / seconds,
        unit: 'MB/s',
        reference: attachmentBytes / MB / median(runs.map((r) => r.opensslSeconds)),
        // The median of the per-pair ratios, as the lines above report it.
        ratio,
        targets: [{ of: 'ratio', op: '>=', value: TARGET_RATIO }],
      }),
      benchRow({
        bench,
        name: 'export throughput (ref: copy + fsync, no hash)',
        figure: bytes / MB / seconds,
        unit: 'MB/s',
        reference: attachmentBytes / MB / median(runs.map((r) => r.diskSeconds)),
        ratio: median(runs.map((r) => r.diskRatio)),
      }),
      benchRow({
        bench,
        name: 'export peak RSS (ref: at start)',
        figure: peakRss / MB,
        unit: 'MB',
        reference: median(runs.map((r) => r.startRssBytes)) / MB,
        targets: [{ of: 'figure', op: '<', value: TARGET_RSS_BYTES / MB }],
      }),
      ...verify.rows,
    ];
    return { lines: [...lines, ...verify.lines], figures: { ...figures, ...verify.figures }, rows };
  } finally {
    dir.cleanup();
  }
}

export async function exportOnce(dataDir: string, engagementId: string, out: string): Promise<void> {
  const startRssBytes = maxRss();
  const ws = Workspace.open({ dataDir });
  try {
    await ws.unlock(TEST_PASSPHRASE);
    const keys = new KeyService(ws);
    const service = new BundleService(ws, new BlobStore(ws.blobDir), { appVersion: 'bench', trust: () => keys.lookup() });
    const t0 = performance.now();
    const summary = await service.export(
      { engagementId, findings: null, includeThresholds: false, forward: [], confirmCredentials: false },
      out,
      { signal: new AbortController().signal, progress: () => {} },
    );
    const seconds = (performance.now() - t0) / 1000;
    const result: ExportOnce = { seconds, bytes: summary.bytes, peakRssBytes: maxRss(), startRssBytes };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    ws.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === THIS_FILE && process.argv[2] === '--export-once') {
  const [dataDir, engagementId, out] = process.argv.slice(3);
  await exportOnce(dataDir!, engagementId!, out!);
}
