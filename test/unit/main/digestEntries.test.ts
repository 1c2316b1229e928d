import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BundleRefused, fileSource, type BundleEntry, type ByteSource } from '../../../main/bundles/canonicalZip';
import { digestEntries } from '../../../main/bundles/digestEntries';
import { tempDir } from '../../helpers/app';
import { seededRandom } from '../../helpers/rng';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

/**
 * Entries back to back as in a bundle, each after a 40-byte stand-in for its
 * local header: empty ones, small ones, and ones spanning several 64 KiB reads.
 */
function layout(sizes: number[]): { bytes: Buffer; entries: BundleEntry[] } {
  const rnd = seededRandom(11);
  const total = sizes.reduce((n, s) => n + 40 + s, 0);
  const bytes = Buffer.alloc(total);
  for (let i = 0; i < total; i++) bytes[i] = Math.floor(rnd() * 256);
  const entries: BundleEntry[] = [];
  let at = 0;
  for (const [i, size] of sizes.entries()) {
    entries.push({ name: `e${i}`, crc32: 0, size, localOffset: at, dataOffset: at + 40 });
    at += 40 + size;
  }
  return { bytes, entries };
}

const SIZES = [0, 5, 1000, 300_000, 0, 17, 70_000, 65_536, 1];
const CHUNK = 64 * 1024;
const MODES = [
  ['on the main thread', Infinity],
  ['on a worker thread', 0],
] as const;

const memorySource = (b: Buffer, size = b.length): ByteSource => ({ size, read: (p, n) => Promise.resolve(b.subarray(p, Math.min(p + n, b.length))) });

async function run(src: ByteSource, entries: BundleEntry[], parallelFromBytes: number, onPiece: (name: string, chunk: Buffer, last: boolean) => void = () => {}) {
  return digestEntries(src, 'b.evb', entries, ({ entry, chunk, last }) => onPiece(entry.name, Buffer.from(chunk), last), { parallelFromBytes, chunkBytes: CHUNK });
}

describe('the digest pass', () => {
  for (const [where, parallelFromBytes] of MODES) {
    it(`gives every entry's SHA-256 and every byte to the caller, in order, ${where}`, async () => {
      const { bytes, entries } = layout(SIZES);
      const path = join(dir.path, 'b.evb');
      writeFileSync(path, bytes);
      const handle = await open(path, 'r');
      try {
        // A file (read into shared memory) and a source with no readInto.
        for (const src of [fileSource(handle, bytes.length), memorySource(bytes)]) {
          const seen = new Map<string, Buffer[]>();
          const order: string[] = [];
          const lasts: string[] = [];
          const digests = await run(src, entries, parallelFromBytes, (name, chunk, last) => {
            if (order.at(-1) !== name) order.push(name);
            seen.set(name, [...(seen.get(name) ?? []), chunk]);
            if (last) lasts.push(name);
          });
          const expected = entries.map((e) => bytes.subarray(e.dataOffset, e.dataOffset + e.size));
          expect(digests).toEqual(expected.map((b) => createHash('sha256').update(b).digest('hex')));
          expect(order).toEqual(entries.map((e) => e.name));
          expect(lasts).toEqual(entries.map((e) => e.name));
          for (const [i, e] of entries.entries()) expect(Buffer.concat(seen.get(e.name)!).equals(expected[i]!)).toBe(true);
        }
      } finally {
        await handle.close();
      }
    });

    it(`refuses an entry cut short ${where}`, async () => {
      const { bytes, entries } = layout(SIZES);
      // The file ends inside the 300,000-byte entry.
      const cut = entries[3]!.dataOffset + 100_000;
      await expect(run(memorySource(bytes.subarray(0, cut), bytes.length), entries, parallelFromBytes)).rejects.toThrow(BundleRefused);
      await expect(run(memorySource(bytes.subarray(0, cut), bytes.length), entries, parallelFromBytes)).rejects.toThrow('b.evb is damaged: entry "e3" is cut short.');
    });

    it(`stops at the caller's refusal ${where}`, async () => {
      const { bytes, entries } = layout(SIZES);
      let pieces = 0;
      const stop = new BundleRefused('b.evb is damaged: entry "e3" fails its CRC-32 check.');
      await expect(
        run(memorySource(bytes), entries, parallelFromBytes, (name) => {
          pieces += 1;
          if (name === 'e3') throw stop;
        }),
      ).rejects.toBe(stop);
      expect(pieces).toBe(4); // e0, e1, e2, and the first piece of e3
    });
  }
});
