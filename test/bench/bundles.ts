/**
 * Bundle bench, export half (issue 5, item 8): a workspace with 500 generated
 * attachments totalling 1 GB and 10,000 records in one engagement; the export
 * runs in a process of its own (so its peak RSS, VmHWM, is its own), and
 * `openssl dgst -sha256` over the same 500 files in the same run is the
 * reference. Prints MB/s, the ratio to openssl (target >= 0.5x) and peak RSS
 * (target < 300 MB). Never fails. BENCH_BUNDLE_MB changes the total size.
 *
 * Child mode: `node --import tsx test/bench/bundles.ts --export-once <dataDir> <engagementId> <out>`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { BlobStore } from '../../main/blobs/blobStore';
import { writeRecords, type WriteOp } from '../../main/records/writeRecord';
import { BundleService } from '../../main/services/bundles';
import { KeyService } from '../../main/services/keys';
import { measureVerify } from './verifyBench';
import { Workspace } from '../../main/workspace/workspace';
import type { StorableType } from '../../shared/domain/records';
import { makeReadyApp, tempDir, TEST_PASSPHRASE } from '../helpers/app';
import { seededRandom } from '../helpers/rng';

const ROOT = resolve(import.meta.dirname, '../..');
const THIS_FILE = fileURLToPath(import.meta.url);
const SEED = 20260501;
const FILES = 500;
const RECORDS = 10_000;
const TARGET_RATIO = 0.5;
const TARGET_RSS_BYTES = 300 * 1024 * 1024;
const MB = 1e6;

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

async function generate(dataDir: string, totalBytes: number, log: (s: string) => void): Promise<{ engagementId: string; blobPaths: string[]; attachmentBytes: number }> {
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

export async function runBundleBench(opts: { log?: (line: string) => void; totalBytes?: number } = {}): Promise<{ lines: string[]; figures: Record<string, unknown> }> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`bench: ${line}\n`));
  const totalBytes = opts.totalBytes ?? Number(process.env.BENCH_BUNDLE_MB ?? 1000) * MB;
  const dir = tempDir('evalnotes-bench-bundles-');
  try {
    const dataDir = join(dir.path, 'workspace');
    const { engagementId, blobPaths, attachmentBytes } = await generate(dataDir, totalBytes, log);
    log('openssl dgst -sha256 over the same files (reference, median of 3)');
    const ref = [opensslSeconds(blobPaths), opensslSeconds(blobPaths), opensslSeconds(blobPaths)].sort((a, b) => a - b)[1]!;
    log('exporting in a process of its own');
    const out = join(dir.path, 'bench.evb');
    const child = spawnSync(process.execPath, ['--import', 'tsx', THIS_FILE, '--export-once', dataDir, engagementId, out], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
    if (child.status !== 0) throw new Error(`export failed: ${child.stderr.trim().split('\n').at(-1)}`);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as ExportOnce;
    const opensslMBs = attachmentBytes / MB / ref;
    const exportMBs = result.bytes / MB / result.seconds;
    const ratio = exportMBs / opensslMBs;
    const figures = {
      attachments: FILES,
      records: RECORDS,
      attachment_mb: Math.round(attachmentBytes / MB),
      bundle_mb: Math.round(result.bytes / MB),
      openssl_mb_s: Math.round(opensslMBs),
      export_seconds: Number(result.seconds.toFixed(2)),
      export_mb_s: Math.round(exportMBs),
      export_ratio: Number(ratio.toFixed(2)),
      export_ratio_target: TARGET_RATIO,
      export_peak_rss_mb: Math.round(result.peakRssBytes / MB),
      export_start_rss_mb: Math.round(result.startRssBytes / MB),
      export_rss_target_mb: Math.round(TARGET_RSS_BYTES / MB),
    };
    const lines = [
      `Bundle export: ${FILES} attachments (${figures.attachment_mb} MB) + ${RECORDS} records → ${figures.bundle_mb} MB bundle`,
      `  openssl dgst -sha256 (same files)  ${figures.openssl_mb_s} MB/s`,
      `  export                             ${figures.export_mb_s} MB/s in ${figures.export_seconds} s  = ${figures.export_ratio}x openssl (target >= ${TARGET_RATIO}x) ${ratio >= TARGET_RATIO ? 'ok' : 'BELOW TARGET'}`,
      `  export peak RSS                    ${figures.export_peak_rss_mb} MB (target < ${figures.export_rss_target_mb} MB) ${result.peakRssBytes < TARGET_RSS_BYTES ? 'ok' : 'ABOVE TARGET'}`,
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
    return { lines: [...lines, ...verify.lines], figures: { ...figures, ...verify.figures } };
  } finally {
    dir.cleanup();
  }
}

async function exportOnce(dataDir: string, engagementId: string, out: string): Promise<void> {
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
    rmSync(out, { force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === THIS_FILE && process.argv[2] === '--export-once') {
  const [dataDir, engagementId, out] = process.argv.slice(3);
  await exportOnce(dataDir!, engagementId!, out!);
}
