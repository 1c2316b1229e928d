/**
 * The SHA-256 of every entry of a bundle, in one sequential pass over its
 * bytes, refusing the first entry whose CRC-32 is not the one its headers
 * declare. The caller hears how many entry bytes were digested as the pass goes
 * (for progress) and may stop it by throwing.
 *
 * A large bundle in a file is read and digested on worker threads
 * (entryDigestWorker.ts), each taking a run of consecutive entries, so that the
 * checks the main thread makes meanwhile (a bundle's records, its audit chain,
 * its signed statement) never keep the pass waiting, and a machine with cores
 * to spare digests faster. The threads are started with the pass, before the
 * bundle's layout is read, since starting one takes tens of milliseconds.
 * Small bundles (the usual case, and thousands of them in the tamper tests) are
 * digested on the main thread: starting threads costs more than they save
 * below PARALLEL_FROM_BYTES. Both ways yield the same digests and the same
 * refusal.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { crc32 } from 'node:zlib';
import { BundleRefused, ENTRY_CHUNK_BYTES, streamEntries, type BundleEntry, type ByteSource } from './canonicalZip';
import { PARALLEL_FROM_BYTES } from './digestWorker';
import { EntryDigestWorker, type DigestOutcome } from './entryDigestWorker';

export type DigestOptions = {
  /** Bundle bytes from which worker threads read and digest (tests lower it). */
  parallelFromBytes?: number;
  chunkBytes?: number;
};

/** Two threads: one per core on the 2-core machines reviews run on; more cores than that are left to the rest of the app. */
const THREADS = Math.min(2, availableParallelism());

export class DigestPass {
  private readonly workers: EntryDigestWorker[];
  private readonly chunkBytes: number;

  /** Starts the threads if `src` is a file of PARALLEL_FROM_BYTES or more; close() ends them. */
  constructor(
    private readonly src: ByteSource,
    opts: DigestOptions = {},
  ) {
    const file = src.file;
    const parallel = file !== undefined && src.size >= (opts.parallelFromBytes ?? PARALLEL_FROM_BYTES);
    this.workers = parallel ? Array.from({ length: THREADS }, () => new EntryDigestWorker(file)) : [];
    this.chunkBytes = opts.chunkBytes ?? ENTRY_CHUNK_BYTES;
  }

  /**
   * SHA-256 (hex) of each entry, in the order of `entries` (file order, as
   * readCanonicalZip returns them). `onBytes` hears of every run of entry
   * bytes digested. Once per pass.
   */
  async digest(label: string, entries: readonly BundleEntry[], onBytes: (bytes: number) => void): Promise<string[]> {
    if (this.workers.length === 0) return digestHere(this.src, label, entries, onBytes, this.chunkBytes);
    const runs = splitByBytes(entries, this.workers.length);
    let first = 0;
    const passes = runs.map((run, i) => {
      const offset = first;
      first += run.length;
      const pass = this.workers[i]!.digest(run, this.chunkBytes, onBytes).then((outcome) => {
        // A run refused (or failed) makes the runs after it moot; the runs before it still count, as their refusals come first.
        if (!('digests' in outcome)) this.stopAfter(i);
        return 'digests' in outcome ? outcome : { ...outcome, index: outcome.index + offset };
      });
      pass.catch(() => this.stopAfter(i));
      return pass;
    });
    const settled = await Promise.allSettled(passes);
    const digests: string[] = [];
    for (const result of settled) {
      if (result.status === 'rejected') throw result.reason;
      const outcome: DigestOutcome = result.value;
      if (!('digests' in outcome)) {
        const entry = entries[outcome.index]!;
        throw outcome.refused === 'crc' ? badCrc(label, entry) : cutShort(label, entry);
      }
      digests.push(...outcome.digests);
    }
    return digests;
  }

  /** Ends the threads (at once if the pass never ran). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }

  private stopAfter(run: number): void {
    for (const worker of this.workers.slice(run + 1)) worker.stop();
  }
}

/** Consecutive runs of entries with about the same number of bytes each (an empty run when there are too few entries). */
function splitByBytes(entries: readonly BundleEntry[], parts: number): BundleEntry[][] {
  const total = entries.reduce((n, e) => n + e.size, 0);
  const runs: BundleEntry[][] = Array.from({ length: parts }, () => []);
  let seen = 0;
  for (const entry of entries) {
    runs[Math.min(parts - 1, Math.floor((seen * parts) / Math.max(1, total)))]!.push(entry);
    seen += entry.size;
  }
  return runs;
}

const badCrc = (label: string, entry: BundleEntry) => new BundleRefused(`${label} is damaged: entry ${JSON.stringify(entry.name)} fails its CRC-32 check.`);
const cutShort = (label: string, entry: BundleEntry) => new BundleRefused(`${label} is damaged: entry ${JSON.stringify(entry.name)} is cut short.`);

async function digestHere(src: ByteSource, label: string, entries: readonly BundleEntry[], onBytes: (bytes: number) => void, chunkBytes: number): Promise<string[]> {
  const digests: string[] = [];
  let hash = createHash('sha256');
  let crc = 0;
  for await (const { entry, chunk, last } of streamEntries(src, label, entries, chunkBytes)) {
    hash.update(chunk);
    crc = crc32(chunk, crc);
    onBytes(chunk.length);
    if (last) {
      if (crc >>> 0 !== entry.crc32 >>> 0) throw badCrc(label, entry);
      digests.push(hash.digest('hex'));
      hash = createHash('sha256');
      crc = 0;
    }
  }
  return digests;
}
