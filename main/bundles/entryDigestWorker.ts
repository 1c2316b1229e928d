/**
 * A worker thread that reads a run of a bundle's entries from its file and
 * digests them (SHA-256 and CRC-32). It reads the file itself, one buffer ahead
 * of the one it digests, so the pass never waits for the main thread, however
 * long the main thread spends checking records meanwhile. It is started before
 * the entries are known (a thread takes tens of milliseconds to start) and
 * given them later.
 *
 * The worker is plain JavaScript evaluated as a worker script, so the built app
 * needs no file of its own for it (as digestWorker.ts).
 */
import { Worker } from 'node:worker_threads';
import type { BundleEntry } from './canonicalZip';

/** Every entry's SHA-256 (hex), or the first entry refused: its CRC-32 is wrong, or the file ends inside it. */
export type DigestOutcome = { digests: string[] } | { refused: 'crc' | 'short'; index: number };

/**
 * workerData: the file (fd, and the offset of the source in it). The first
 * message gives the entries as [dataOffset, size, crc32] triples and the read
 * size; 'stop' ends the pass after the current buffer. Messages to the parent:
 * { bytes, digests } after each buffer (entry bytes digested, entries
 * finished), then { refused, index }, { end: true } or { error }. The thread
 * exits only once no read of its own is under way, so the caller may close
 * the file when it has exited.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { crc32 } = require('node:zlib');
const { read } = require('node:fs');
const { fd, offset } = workerData;
let stopped = false;
parentPort.on('message', (message) => {
  if (message === 'stop') stopped = true;
  else digest(message).then(
    (last) => parentPort.postMessage(last),
    (error) => parentPort.postMessage({ error: String((error && error.message) || error) }),
  ).finally(() => parentPort.close());
});

const readFull = (buffer, position, length) => new Promise((resolve, reject) => {
  let at = 0;
  const next = () => read(fd, buffer, at, length - at, offset + position + at, (error, n) => {
    if (error) return reject(error);
    at += n;
    if (n === 0 || at === length) resolve(at); else next();
  });
  next();
});

async function digest({ entries, chunkBytes }) {
  const count = entries.length / 3;
  if (count === 0) return { end: true };
  const end = entries[(count - 1) * 3] + entries[(count - 1) * 3 + 1];
  const ring = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
  let position = entries[0];
  let slot = 0;
  let pending = position < end ? readFull(ring[0], position, Math.min(chunkBytes, end - position)) : null;
  let index = 0;
  let done = 0;
  let hash = null;
  let crc = 0;
  try {
    while (index < count && !stopped) {
      const length = pending ? await pending : 0;
      const buffer = ring[slot];
      const start = position;
      position += length;
      slot ^= 1;
      pending = position < end ? readFull(ring[slot], position, Math.min(chunkBytes, end - position)) : null;
      const digests = [];
      let bytes = 0;
      while (index < count) {
        const dataOffset = entries[index * 3];
        const size = entries[index * 3 + 1];
        const from = size === 0 ? 0 : dataOffset + done - start;
        if (size > 0 && from >= length) break;
        const to = size === 0 ? 0 : Math.min(dataOffset + size - start, length);
        const piece = buffer.subarray(from, to);
        hash ??= createHash('sha256');
        hash.update(piece);
        crc = crc32(piece, crc);
        bytes += to - from;
        done += to - from;
        if (done < size) break;
        if (crc >>> 0 !== entries[index * 3 + 2]) {
          parentPort.postMessage({ bytes, digests });
          return { refused: 'crc', index };
        }
        digests.push(hash.digest('hex'));
        hash = null;
        crc = 0;
        index += 1;
        done = 0;
      }
      parentPort.postMessage({ bytes, digests });
      if (length === 0 && index < count) return { refused: 'short', index };
    }
    return { end: true };
  } finally {
    await pending?.catch(() => {});
  }
}
`;

type Message = { bytes?: number; digests?: string[]; refused?: 'crc' | 'short'; index?: number; end?: true; error?: string };

export class EntryDigestWorker {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private failure: Error | null = null;
  private started = false;

  constructor(file: { fd: number; offset: number }) {
    // No execArgv: the script is plain JavaScript and needs none of the parent's loaders.
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: file });
    this.worker.on('error', (error) => (this.failure ??= error));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /**
   * Digests `entries` (back to back in the file, in file order). `onBytes` is
   * called on this thread as buffers are digested; if it throws, the pass
   * stops and the promise rejects with what it threw. Settles only once the
   * thread has exited. Once per worker.
   */
  async digest(entries: readonly BundleEntry[], chunkBytes: number, onBytes: (bytes: number) => void): Promise<DigestOutcome> {
    this.started = true;
    const table = new Float64Array(entries.length * 3);
    for (const [i, e] of entries.entries()) table.set([e.dataOffset, e.size, e.crc32 >>> 0], i * 3);
    const digests: string[] = [];
    let outcome: DigestOutcome | Error | null = null;
    this.worker.on('message', (m: Message) => {
      if (outcome) return; // stopping: what comes after is not wanted
      if (m.digests) digests.push(...m.digests);
      try {
        if (m.bytes) onBytes(m.bytes);
      } catch (error) {
        outcome = error instanceof Error ? error : new Error(String(error));
        this.stop();
        return;
      }
      if (m.error !== undefined) outcome = new Error(`The bundle could not be read: ${m.error}`);
      else if (m.refused) outcome = { refused: m.refused, index: m.index! };
      else if (m.end) outcome = { digests };
    });
    this.worker.postMessage({ entries: table, chunkBytes });
    await this.exited;
    const result = outcome ?? this.failure ?? new Error('The hashing thread stopped.');
    if (result instanceof Error) throw result;
    return result;
  }

  /** Ends a pass under way after its current buffer (its promise still settles). */
  stop(): void {
    this.worker.postMessage('stop');
  }

  /** Ends the thread: at once if it was never given entries, else after stop(). */
  async close(): Promise<void> {
    if (this.started) this.stop();
    else await this.worker.terminate();
    await this.exited;
  }
}
