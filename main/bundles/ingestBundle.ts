/**
 * Ingests a signed bundle (DESIGN.md "Signed bundle format v1" and "Ownership
 * instead of merge conflicts"):
 *
 * 1. verify it with the same verifier and trust (any failure: INVALID_INPUT
 *    with the verifier's sentence, and nothing changes);
 * 2. read the records of the bundle and of every bundle it forwards (each
 *    verified at depth 1), hashing each entry again against its verified digest,
 *    so a file changed after verification is refused;
 * 3. stream the attachments into the blob store (content-addressed: bytes
 *    stored before a rollback are harmless, and every attachment record that
 *    commits has its bytes there);
 * 4. in ONE transaction, store the key statements the bundles established
 *    (rotations, re-assignments: services/keySuccessions.ts), merge every
 *    record by the ownership rule
 *    (writeRecord.mergeForeignRecords), remember which bundle brought each
 *    stored record, and refresh the soft references still waiting.
 *
 * A cancel or any failure before the commit leaves the database as it was.
 * Records are merged by a rule that only compares revisions and hashes, so any
 * set of bundles ingested in any order, or again, leaves the same records.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { IngestedBundle, IngestSummary } from '../../shared/domain/bundle';
import type { RecordType } from '../../shared/domain/record';
import { recordFolders, recordSchemas } from '../../shared/domain/records';
import { AppError } from '../../shared/result';
import { whenNotBusy } from '../api/dispatch';
import type { BlobStore } from '../blobs/blobStore';
import { mergeForeignRecords, type ForeignRecord } from '../records/writeRecord';
import { applySuccessions } from '../services/keySuccessions';
import type { TrustLookup } from '../services/keys';
import type { Workspace } from '../workspace/workspace';
import { BundleRefused, entryChunks, fileSource } from './canonicalZip';
import { noteOrigins, refreshWaiting, waitingList, type Origin } from './ingestStore';
import { verifySource, type HashedEntry, type VerifiedBundle } from './verifyBundle';

export type IngestOptions = {
  trust: TrustLookup;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | null, message: string) => void;
};

type Incoming = ForeignRecord & { origin: Origin; folder: string };

const RECORD_ENTRY = /^records\/([a-z]+)\/[^/]+\.json$/;
const folderType = new Map<string, RecordType>(Object.entries(recordFolders).map(([type, folder]) => [folder, type as RecordType]));

export async function ingestBundleFile(ws: Workspace, blobs: BlobStore, path: string, opts: IngestOptions): Promise<IngestSummary> {
  ws.requireIdentity();
  const label = basename(path);
  const progress = opts.onProgress ?? (() => {});
  const checkCancelled = () => {
    if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The ingest was cancelled; nothing was merged.');
  };
  const handle = await openBundle(path, label);
  try {
    const src = fileSource(handle, (await handle.stat()).size);
    const verified: VerifiedBundle[] = [];
    const report = await verifySource(
      src,
      label,
      {
        trust: opts.trust,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (done, total) => progress(done, total, 'Checking every entry’s digest'),
        onVerified: (b) => verified.push(b),
      },
      0,
    );
    if (!report.valid) throw new AppError('INVALID_INPUT', report.reason ?? `${label} is not a valid bundle.`);
    checkCancelled();

    // The outer bundle first, then those it forwards, in the order they were verified.
    const outer = verified.find((b) => b.depth === 0);
    if (!outer) throw new AppError('INTERNAL', 'The verifier did not hand back the bundle it verified.');
    const bundles = [outer, ...verified.filter((b) => b.depth > 0)];
    const incoming = await readRecords(bundles, outer, checkCancelled, progress);
    const attachmentsAdded = await copyAttachments(blobs, bundles, opts.signal, progress);
    checkCancelled();

    // Synchronous from here to the commit: a cancel can no longer come between.
    progress(0, incoming.length, 'Merging records');
    const { merged, waiting } = await whenNotBusy(() =>
      ws.db
        .transaction(() => {
          // Key statements first: a record by a key the statements make this workspace's own is then skipped as its own.
          applySuccessions(ws, bundles.flatMap((b) => b.successions));
          const merged = mergeForeignRecords(ws.writer(), incoming);
          const stored = merged.flatMap((m, i) => (m.outcome === 'skipped' ? [] : [{ id: m.record.id, origin: incoming[i]!.origin }]));
          noteOrigins(ws.db, stored, ws.clock.now().toISOString());
          refreshWaiting(ws.db, merged);
          return { merged, waiting: waitingList(ws.db) };
        })
        .immediate(),
    );
    progress(incoming.length, incoming.length, 'Merged');

    const totals = { added: 0, updated: 0, skipped: 0 };
    const byType: IngestSummary['by_type'] = {};
    merged.forEach((m, i) => {
      const folder = incoming[i]!.folder;
      const counts = (byType[folder] ??= { added: 0, updated: 0, skipped: 0 });
      counts[m.outcome] += 1;
      totals[m.outcome] += 1;
    });
    return { report, bundles: bundles.map(describe), totals, by_type: byType, attachments_added: attachmentsAdded, waiting };
  } finally {
    await handle.close();
  }
}

async function openBundle(path: string, label: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a folder' : 'access denied';
    throw new AppError('INVALID_INPUT', `${label} cannot be read (${why}).`);
  }
}

function describe(b: VerifiedBundle): IngestedBundle {
  const signer = b.report.signer!;
  return { id: b.report.id!, signer_key_id: signer.key_id, signer_name: signer.name, role: signer.role, forwarded: b.depth > 0 };
}

function originOf(b: VerifiedBundle, outer: VerifiedBundle): Origin {
  const forwarded = b.depth > 0;
  return {
    bundle_id: b.report.id!,
    bundle_signer: b.report.signer!.key_id,
    via_bundle_id: forwarded ? outer.report.id : null,
    via_signer: forwarded ? outer.report.signer!.key_id : null,
  };
}

/**
 * Every record file of the verified bundles, as text, each hashed again and
 * compared with the digest the verifier checked against the signed statement.
 * The verifier already held each record to its schema; the merge does so again.
 */
async function readRecords(
  bundles: VerifiedBundle[],
  outer: VerifiedBundle,
  checkCancelled: () => void,
  progress: NonNullable<IngestOptions['onProgress']>,
): Promise<Incoming[]> {
  const wanted = bundles.flatMap((b) => b.entries.filter((e) => RECORD_ENTRY.test(e.name)).map((entry) => ({ b, entry })));
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const out: Incoming[] = [];
  for (const { b, entry } of wanted) {
    checkCancelled();
    const folder = RECORD_ENTRY.exec(entry.name)![1]!;
    const type = folderType.get(folder);
    if (!type || !(type in recordSchemas)) throw new AppError('INVALID_INPUT', `${b.label} holds ${entry.name}, which this version of EvalNotes cannot store.`);
    const bytes = await readEntry(b, entry);
    out.push({ type: type, body: utf8.decode(bytes), origin: originOf(b, outer), folder });
    progress(out.length, wanted.length, 'Reading records');
  }
  return out;
}

async function readEntry(b: VerifiedBundle, entry: HashedEntry): Promise<Buffer> {
  const parts: Buffer[] = [];
  const hash = createHash('sha256');
  try {
    for await (const chunk of entryChunks(b.src, b.label, entry)) {
      hash.update(chunk);
      parts.push(chunk);
    }
  } catch (error) {
    if (error instanceof BundleRefused) throw new AppError('INVALID_INPUT', error.message);
    throw error;
  }
  if (hash.digest('hex') !== entry.sha256) throw changedMeanwhile(b.label, entry.name);
  return Buffer.concat(parts);
}

const changedMeanwhile = (label: string, name: string) =>
  new AppError('INVALID_INPUT', `${label} changed after it was verified (${JSON.stringify(name)}); nothing was merged.`);

/**
 * Streams each attachment's bytes into the blob store (4 MiB reads, never a
 * whole file in memory), unless the same bytes are there already. Returns how
 * many blobs were added. A changed byte is caught by the blob store's own hash.
 */
async function copyAttachments(
  blobs: BlobStore,
  bundles: VerifiedBundle[],
  signal: AbortSignal | undefined,
  progress: NonNullable<IngestOptions['onProgress']>,
): Promise<number> {
  const wanted = new Map<string, { b: VerifiedBundle; entry: HashedEntry }>();
  for (const b of bundles) for (const entry of b.entries) if (entry.name.startsWith('attachments/') && !blobs.has(entry.sha256)) wanted.set(entry.sha256, { b, entry });
  const total = [...wanted.values()].reduce((n, w) => n + w.entry.size, 0);
  let done = 0;
  let added = 0;
  for (const { b, entry } of wanted.values()) {
    const base = done;
    let put;
    try {
      put = await blobs.put(Readable.from(entryChunks(b.src, b.label, entry)), (n) => progress(base + n, total, 'Copying attachments'), signal);
    } catch (error) {
      if (signal?.aborted) throw new AppError('CANCELLED', 'The ingest was cancelled; nothing was merged.');
      if (error instanceof BundleRefused) throw new AppError('INVALID_INPUT', error.message);
      throw error;
    }
    if (put.sha256 !== entry.sha256) throw changedMeanwhile(b.label, entry.name);
    if (put.added) added += 1;
    done += entry.size;
  }
  return added;
}
