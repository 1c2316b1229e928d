/**
 * The SHA-256 of every entry of a bundle, in one sequential pass over its bytes,
 * with every piece also handed to the caller (who takes the CRC-32, counts
 * progress, keeps small entries and may stop the pass by throwing).
 *
 * For large bundles SHA-256 runs on a worker thread (sha256Worker.ts) while the
 * main thread reads ahead and does the rest: the bytes are read into a small
 * ring of shared buffers, the worker hashes a buffer while the main thread
 * takes the CRC-32 of the same buffer, and a buffer is filled again only once
 * the worker is done with it. Small bundles (the usual case, and thousands of
 * them in the tamper tests) are hashed on the main thread: starting a thread
 * costs more than it saves below PARALLEL_FROM_BYTES. Both ways yield the same
 * digests and the same pieces in the same order.
 */
import { createHash } from 'node:crypto';
import { BundleRefused, ENTRY_CHUNK_BYTES, readInto, streamEntries, type BundleEntry, type ByteSource, type EntryPiece } from './canonicalZip';
import { PARALLEL_FROM_BYTES, Sha256Worker, sharedBuffer } from './sha256Worker';

/** Shared buffers: one being read, one being hashed and checked, one spare. */
const RING = 3;

export type DigestOptions = {
  /** Entry bytes from which the worker thread hashes (tests lower it). */
  parallelFromBytes?: number;
  chunkBytes?: number;
};

/**
 * SHA-256 (hex) of each entry, in the order of `entries` (file order, as
 * readCanonicalZip returns them). `onPiece` sees every piece in order, each
 * entry at least once (empty when it is empty); a piece is a view into a
 * buffer that is reused: copy it to keep it.
 */
export async function digestEntries(
  src: ByteSource,
  label: string,
  entries: readonly BundleEntry[],
  onPiece: (piece: EntryPiece) => void,
  opts: DigestOptions = {},
): Promise<string[]> {
  const total = entries.reduce((n, e) => n + e.size, 0);
  if (total < (opts.parallelFromBytes ?? PARALLEL_FROM_BYTES)) return digestHere(src, label, entries, onPiece, opts.chunkBytes);
  return digestWithWorker(src, label, entries, onPiece, opts.chunkBytes ?? ENTRY_CHUNK_BYTES);
}

async function digestHere(src: ByteSource, label: string, entries: readonly BundleEntry[], onPiece: (piece: EntryPiece) => void, chunkBytes?: number): Promise<string[]> {
  const digests: string[] = [];
  let hash = createHash('sha256');
  for await (const piece of streamEntries(src, label, entries, chunkBytes)) {
    hash.update(piece.chunk);
    onPiece(piece);
    if (piece.last) {
      digests.push(hash.digest('hex'));
      hash = createHash('sha256');
    }
  }
  return digests;
}

async function digestWithWorker(src: ByteSource, label: string, entries: readonly BundleEntry[], onPiece: (piece: EntryPiece) => void, chunkBytes: number): Promise<string[]> {
  const worker = new Sha256Worker();
  const ring = Array.from({ length: RING }, () => sharedBuffer(chunkBytes));
  const digests: string[] = [];
  /** Per slot: settles when the worker is done with the runs last sent from it. */
  const hashed: Promise<unknown>[] = ring.map(() => Promise.resolve());
  const lastEntry = entries.at(-1);
  const end = lastEntry ? lastEntry.dataOffset + lastEntry.size : 0;
  let position = entries[0]?.dataOffset ?? 0;
  const readNext = (slot: number, at: number) => {
    const read = hashed[slot]!.then(() => readInto(src, ring[slot]!.subarray(0, Math.min(chunkBytes, end - at)), at));
    read.catch(() => {}); // seen when awaited; a read left behind by an early stop must not crash the process
    return read;
  };
  let pending: Promise<number> | null = position < end ? readNext(0, position) : null;
  try {
    let slot = 0;
    let index = 0;
    let done = 0; // bytes of entries[index] already seen
    while (index < entries.length) {
      const length = pending ? await pending : 0;
      const buffer = ring[slot]!;
      const bufferStart = position;
      position += length;
      const next = (slot + 1) % RING;
      pending = position < end ? readNext(next, position) : null;

      // This buffer's runs, entry by entry; an empty entry is an empty run.
      const runs: number[] = [];
      const pieces: EntryPiece[] = [];
      while (index < entries.length) {
        const entry = entries[index]!;
        const from = entry.size === 0 ? 0 : entry.dataOffset + done - bufferStart;
        if (entry.size > 0 && from >= length) break; // its next bytes are in the next buffer
        const to = entry.size === 0 ? 0 : Math.min(entry.dataOffset + entry.size - bufferStart, length);
        done += to - from;
        const last = done === entry.size;
        runs.push(from, to, last ? 1 : 0);
        pieces.push({ entry, chunk: buffer.subarray(from, to), last });
        if (!last) break;
        index += 1;
        done = 0;
      }
      if (length === 0 && index < entries.length) {
        throw new BundleRefused(`${label} is damaged: entry ${JSON.stringify(entries[index]!.name)} is cut short.`);
      }
      if (runs.length > 0) {
        // Answers come in order, so the digests line up with the entries.
        const batch = worker.hash(buffer, runs).then((finished) => digests.push(...finished));
        batch.catch(() => {}); // seen when awaited
        hashed[slot] = batch;
      }
      for (const piece of pieces) onPiece(piece);
      slot = next;
    }
    await Promise.all(hashed);
    return digests;
  } finally {
    await pending?.catch(() => {});
    await worker.close();
  }
}
