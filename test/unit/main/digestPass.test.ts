import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BundleRefused, fileSource, sliceSource, type BundleEntry, type ByteSource } from '../../../main/bundles/canonicalZip';
import { DigestPass } from '../../../main/bundles/digestPass';
import { tempDir } from '../../helpers/app';
import { seededRandom } from '../../helpers/rng';

let dir: ReturnType<typeof tempDir>;
let handle: FileHandle | null = null;
beforeEach(() => (dir = tempDir()));
afterEach(async () => {
  await handle?.close();
  handle = null;
  dir.cleanup();
});

/**
 * Entries back to back as in a bundle, each after a 40-byte stand-in for its
 * local header, with their true CRC-32: empty ones, small ones, and ones
 * spanning several 64 KiB reads.
 */
function layout(sizes: number[]): { bytes: Buffer; entries: BundleEntry[] } {
  const rnd = seededRandom(11);
  const total = sizes.reduce((n, s) => n + 40 + s, 0);
  const bytes = Buffer.alloc(total);
  for (let i = 0; i < total; i++) bytes[i] = Math.floor(rnd() * 256);
  const entries: BundleEntry[] = [];
  let at = 0;
  for (const [i, size] of sizes.entries()) {
    entries.push({ name: `e${i}`, crc32: crc32(bytes.subarray(at + 40, at + 40 + size)), size, localOffset: at, dataOffset: at + 40 });
    at += 40 + size;
  }
  return { bytes, entries };
}

const SIZES = [0, 5, 1000, 300_000, 0, 17, 70_000, 65_536, 1, 200_000, 3];
const CHUNK = 64 * 1024;
const MODES = [
  ['on the main thread', Infinity],
  ['on worker threads', 0],
] as const;

const memorySource = (b: Buffer, size = b.length): ByteSource => ({ size, read: (p, n) => Promise.resolve(b.subarray(p, Math.min(p + n, b.length))) });

/** The bytes as a file, opened (closed after the test). */
async function fileOf(bytes: Buffer, size = bytes.length): Promise<ByteSource> {
  const path = join(dir.path, 'b.evb');
  writeFileSync(path, bytes);
  handle = await open(path, 'r');
  return fileSource(handle, size);
}

async function digest(src: ByteSource, entries: BundleEntry[], parallelFromBytes: number, onBytes: (bytes: number) => void = () => {}) {
  const pass = new DigestPass(src, { parallelFromBytes, chunkBytes: CHUNK });
  try {
    return await pass.digest('b.evb', entries, onBytes);
  } finally {
    await pass.close();
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the digest pass', () => {
  for (const [where, parallelFromBytes] of MODES) {
    it(`gives every entry's SHA-256 in order and counts every byte, ${where}`, async () => {
      const { bytes, entries } = layout(SIZES);
      const expected = entries.map((e) => sha256(bytes.subarray(e.dataOffset, e.dataOffset + e.size)));
      const total = SIZES.reduce((a, b) => a + b, 0);
      // A file, and a source with neither readInto nor a file (always on the main thread).
      for (const src of [await fileOf(bytes), memorySource(bytes)]) {
        let counted = 0;
        expect(await digest(src, entries, parallelFromBytes, (n) => (counted += n))).toEqual(expected);
        expect(counted).toBe(total);
      }
    });

    it(`reads a slice of a file in place (a forwarded bundle) ${where}`, async () => {
      const { bytes, entries } = layout(SIZES);
      const padded = Buffer.concat([Buffer.from('prefix'), bytes, Buffer.from('suffix')]);
      const src = sliceSource(await fileOf(padded), 6, bytes.length);
      expect(await digest(src, entries, parallelFromBytes)).toEqual(entries.map((e) => sha256(bytes.subarray(e.dataOffset, e.dataOffset + e.size))));
    });

    it(`refuses an entry cut short ${where}`, async () => {
      const { bytes, entries } = layout(SIZES);
      // The file ends inside the 300,000-byte entry, though the source claims the full size.
      const src = await fileOf(bytes.subarray(0, entries[3]!.dataOffset + 100_000), bytes.length);
      await expect(digest(src, entries, parallelFromBytes)).rejects.toThrow(new BundleRefused('b.evb is damaged: entry "e3" is cut short.'));
    });

    it(`refuses the first entry whose CRC-32 is wrong, wherever the others are ${where}`, async () => {
      const { bytes, entries } = layout(SIZES);
      const src = await fileOf(bytes);
      // A wrong CRC late in the bundle only, then early and late together.
      const late = entries.map((e) => (e.name === 'e9' ? { ...e, crc32: e.crc32 ^ 1 } : e));
      await expect(digest(src, late, parallelFromBytes)).rejects.toThrow('b.evb is damaged: entry "e9" fails its CRC-32 check.');
      const both = late.map((e) => (e.name === 'e2' ? { ...e, crc32: e.crc32 ^ 1 } : e));
      await expect(digest(src, both, parallelFromBytes)).rejects.toThrow('b.evb is damaged: entry "e2" fails its CRC-32 check.');
    });

    it(`stops when the caller throws ${where}`, async () => {
      const { bytes, entries } = layout(SIZES);
      const stop = new Error('Verification was cancelled.');
      let calls = 0;
      await expect(
        digest(await fileOf(bytes), entries, parallelFromBytes, () => {
          calls += 1;
          throw stop;
        }),
      ).rejects.toBe(stop);
      expect(calls).toBeLessThanOrEqual(2); // once per thread at most: each stops at its first throw
    });
  }

  it('starts its threads before the entries are known and ends them when never used', async () => {
    const { bytes } = layout(SIZES);
    const pass = new DigestPass(await fileOf(bytes), { parallelFromBytes: 0 });
    await pass.close(); // resolves: no thread is left running
  });
});
