/**
 * SHA-256 and CRC-32 on a worker thread, over buffers in shared memory. They
 * are most of the CPU that exporting or verifying a large bundle spends; with
 * them on a second thread, the main thread reads, writes and checks records
 * meanwhile. Starting a thread costs tens of milliseconds, so callers use one
 * only from PARALLEL_FROM_BYTES on.
 *
 * The worker is plain JavaScript evaluated as a worker script, so the built app
 * needs no file of its own for it.
 */
import { Worker } from 'node:worker_threads';

/** Entry bytes from which hashing moves to a worker thread. */
export const PARALLEL_FROM_BYTES = 128 * 1024 * 1024;

/** An entry's SHA-256 (hex) and CRC-32 (unsigned). */
export type EntryDigest = { sha256: string; crc32: number };

/** Runs of one shared buffer, [start, end, last] per run; `last` ends an entry. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { crc32 } = require('node:zlib');
let hash = null;
let crc = 0;
parentPort.on('message', ({ buffer, runs }) => {
  const bytes = Buffer.from(buffer);
  const finished = [];
  for (let i = 0; i < runs.length; i += 3) {
    const piece = bytes.subarray(runs[i], runs[i + 1]);
    hash ??= createHash('sha256');
    hash.update(piece);
    crc = crc32(piece, crc);
    if (runs[i + 2] === 1) {
      finished.push({ sha256: hash.digest('hex'), crc32: crc >>> 0 });
      hash = null;
      crc = 0;
    }
  }
  parentPort.postMessage(finished);
});
`;

/** A Buffer over shared memory, which the worker can read while the main thread does. */
export const sharedBuffer = (bytes: number): Buffer => Buffer.from(new SharedArrayBuffer(bytes));

export class DigestWorker {
  // No execArgv: the script is plain JavaScript and needs none of the parent's loaders.
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
  /** Calls are answered in the order they were made. */
  private readonly answers: { resolve: (digests: EntryDigest[]) => void; reject: (error: Error) => void }[] = [];
  private failure: Error | null = null;

  constructor() {
    this.worker.on('message', (digests: EntryDigest[]) => this.answers.shift()?.resolve(digests));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', () => this.fail(new Error('The hashing thread stopped.')));
  }

  /**
   * Hashes runs of `buffer` (from sharedBuffer: [start, end, last] triples,
   * relative to it) as the next bytes of the entries under way, after every
   * earlier call. Answers with the digests of the entries it finished, in
   * order. The caller must not change those bytes until it answers.
   */
  hash(buffer: Buffer, runs: readonly number[]): Promise<EntryDigest[]> {
    if (this.failure) return Promise.reject(this.failure);
    const answer = new Promise<EntryDigest[]>((resolve, reject) => this.answers.push({ resolve, reject }));
    answer.catch(() => {}); // seen by whoever awaits it
    const absolute = Int32Array.from(runs, (v, i) => (i % 3 === 2 ? v : v + buffer.byteOffset));
    this.worker.postMessage({ buffer: buffer.buffer, runs: absolute });
    return answer;
  }

  /** Stops the thread (any hashing under way is dropped). */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    this.fail(new Error('The hashing thread was closed.'));
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const a of this.answers.splice(0)) a.reject(error);
  }
}
