/**
 * SHA-256 on a worker thread, over buffers in shared memory. SHA-256 is most of
 * the CPU that exporting or verifying a large bundle spends; with it on a
 * second thread, the main thread reads, writes and takes the CRC-32 meanwhile
 * (measured: the hashing pass of a 1 GB bundle about a third faster on two
 * cores). Starting a thread costs tens of milliseconds, so callers use one only
 * from PARALLEL_FROM_BYTES on.
 *
 * The worker is plain JavaScript evaluated as a worker script, so the built app
 * needs no file of its own for it.
 */
import { Worker } from 'node:worker_threads';

/** Entry bytes from which hashing moves to a worker thread. */
export const PARALLEL_FROM_BYTES = 128 * 1024 * 1024;

/** Runs of one shared buffer, [start, end, last] per run; `last` ends an entry. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
let hash = null;
parentPort.on('message', ({ buffer, runs }) => {
  const bytes = Buffer.from(buffer);
  const digests = [];
  for (let i = 0; i < runs.length; i += 3) {
    hash ??= createHash('sha256');
    hash.update(bytes.subarray(runs[i], runs[i + 1]));
    if (runs[i + 2] === 1) {
      digests.push(hash.digest('hex'));
      hash = null;
    }
  }
  parentPort.postMessage(digests);
});
`;

/** A Buffer over shared memory, which the worker can read while the main thread does. */
export const sharedBuffer = (bytes: number): Buffer => Buffer.from(new SharedArrayBuffer(bytes));

export class Sha256Worker {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  /** Calls are answered in the order they were made. */
  private readonly answers: { resolve: (digests: string[]) => void; reject: (error: Error) => void }[] = [];
  private failure: Error | null = null;

  constructor() {
    this.worker.on('message', (digests: string[]) => this.answers.shift()?.resolve(digests));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', () => this.fail(new Error('The hashing thread stopped.')));
  }

  /**
   * Hashes runs of `buffer` (from sharedBuffer: [start, end, last] triples,
   * relative to it) as the next bytes of the entries under way, after every
   * earlier call. Answers with the digests (hex) of the entries it finished,
   * in order. The caller must not change those bytes until it answers.
   */
  hash(buffer: Buffer, runs: readonly number[]): Promise<string[]> {
    if (this.failure) return Promise.reject(this.failure);
    const answer = new Promise<string[]>((resolve, reject) => this.answers.push({ resolve, reject }));
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
