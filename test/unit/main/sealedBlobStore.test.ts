import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../main/blobs/blobStore';
import { HEADER_BYTES, SEGMENT_BYTES, SEGMENT_OVERHEAD } from '../../../main/blobs/sealedBlob';
import { tempDir } from '../../helpers/app';

const keys = { encryption: randomBytes(32), naming: randomBytes(32) };
const dirs: { cleanup(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

function store(withKeys = keys): BlobStore {
  const d = tempDir('evalnotes-sealed-');
  dirs.push(d);
  return new BlobStore(join(d.path, 'blobs'), () => withKeys);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Bytes with a readable marker every 4 KiB, so a leak of any part of them is findable. */
function markedBytes(size: number, marker = 'PLAINTEXT-MARKER'): Buffer {
  const b = randomBytes(size);
  for (let at = 0; at + marker.length <= size; at += 4096) b.write(marker, at, 'latin1');
  return b;
}
function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('an encrypted blob store', () => {
  it.each([0, 1, SEGMENT_BYTES - 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, 3 * SEGMENT_BYTES + 5])('gives back exactly the %i bytes it stored, and nothing readable on disk', async (size) => {
    const s = store();
    const bytes = markedBytes(size);
    const put = await s.put(Readable.from([bytes.subarray(0, size >> 1), bytes.subarray(size >> 1)]));
    expect(put).toEqual({ sha256: sha(bytes), size, added: true });
    expect((await s.readAll(put.sha256)).equals(bytes)).toBe(true);
    expect(await s.size(put.sha256)).toBe(size);
    expect(await s.verify(put.sha256)).toBe(true);
    const segments = Math.max(1, Math.ceil(size / SEGMENT_BYTES));
    expect(statSync(s.path(put.sha256)).size).toBe(HEADER_BYTES + size + segments * SEGMENT_OVERHEAD);
    for (const file of allFiles(s.root)) expect(readFileSync(file).includes('PLAINTEXT-MARKER')).toBe(false);
  });

  it('reads any range, across segment boundaries, decrypting only what it needs', async () => {
    const s = store();
    const bytes = markedBytes(3 * SEGMENT_BYTES + 777);
    const { sha256 } = await s.put(Readable.from([bytes]));
    for (const [offset, length] of [
      [0, 10],
      [SEGMENT_BYTES - 3, 7],
      [SEGMENT_BYTES * 2 - 1, SEGMENT_BYTES + 2],
      [bytes.length - 5, 100],
      [bytes.length + 10, 5],
    ] as const) {
      expect((await s.readRange(sha256, offset, length)).equals(bytes.subarray(offset, offset + length))).toBe(true);
    }
    const streamed: Buffer[] = [];
    for await (const chunk of s.createReadStream(sha256, 100, SEGMENT_BYTES + 100)) streamed.push(chunk as Buffer);
    expect(Buffer.concat(streamed).equals(bytes.subarray(100, SEGMENT_BYTES + 100))).toBe(true);
  });

  it('names a blob by an HMAC of its digest, never by the digest, and stores the same bytes once', async () => {
    const s = store();
    const bytes = markedBytes(5000);
    const first = await s.put(Readable.from([bytes]));
    const again = await s.put(Readable.from([bytes]));
    expect(again).toEqual({ ...first, added: false });
    const names = allFiles(s.root).filter((f) => !f.startsWith(join(s.root, 'tmp')));
    expect(names).toHaveLength(1);
    expect(names[0]).not.toContain(first.sha256.slice(2));
    // Another workspace (other keys) names the same bytes differently.
    const other = store({ encryption: randomBytes(32), naming: randomBytes(32) });
    await other.put(Readable.from([bytes]));
    expect(other.path(first.sha256).slice(other.root.length)).not.toBe(s.path(first.sha256).slice(s.root.length));
  });

  it('writes only ciphertext to its temp file while a blob is still arriving', async () => {
    const s = store();
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    const source = Readable.from(
      (async function* () {
        yield markedBytes(SEGMENT_BYTES * 2 + 10);
        await paused;
        yield markedBytes(100);
      })(),
    );
    const putting = s.put(source);
    let temp: string[] = [];
    for (let i = 0; i < 200 && temp.every((f) => statSync(f).size < SEGMENT_BYTES); i++) {
      await new Promise((r) => setTimeout(r, 10));
      temp = allFiles(join(s.root, 'tmp'));
    }
    expect(temp).toHaveLength(1);
    expect(statSync(temp[0]!).size).toBeGreaterThan(SEGMENT_BYTES);
    expect(readFileSync(temp[0]!).includes('PLAINTEXT-MARKER')).toBe(false);
    release();
    await putting;
  });

  describe('refuses, in one sentence, a sealed file that was', () => {
    async function stored(): Promise<{ s: BlobStore; sha256: string; file: string; bytes: Buffer }> {
      const s = store();
      const bytes = markedBytes(3 * SEGMENT_BYTES + 100);
      const { sha256 } = await s.put(Readable.from([bytes]));
      return { s, sha256, file: s.path(sha256), bytes };
    }
    const segmentAt = (i: number) => HEADER_BYTES + i * (SEGMENT_BYTES + SEGMENT_OVERHEAD);
    const refusal: { code: string; message: unknown } = { code: 'WORKSPACE_DAMAGED', message: expect.stringMatching(/^The encrypted file of blob [0-9a-f]{12}… fails its integrity check \(changed, cut short or swapped\); restore it from a backup\.$/) };

    it('changed in one byte of a middle segment (only reads of that segment fail)', async () => {
      const { s, sha256, file, bytes } = await stored();
      const raw = readFileSync(file);
      raw.writeUInt8(raw.readUInt8(segmentAt(1) + 500) ^ 0x01, segmentAt(1) + 500);
      writeFileSync(file, raw);
      await expect(s.readRange(sha256, SEGMENT_BYTES + 10, 10)).rejects.toMatchObject(refusal);
      expect((await s.readRange(sha256, 10, 10)).equals(bytes.subarray(10, 20))).toBe(true);
      expect(await s.verify(sha256).catch((e: unknown) => e)).toMatchObject(refusal);
    });

    it('reordered (two segments swapped)', async () => {
      const { s, sha256, file } = await stored();
      const raw = readFileSync(file);
      const one = Buffer.from(raw.subarray(segmentAt(0), segmentAt(1)));
      raw.subarray(segmentAt(1), segmentAt(2)).copy(raw, segmentAt(0));
      one.copy(raw, segmentAt(1));
      writeFileSync(file, raw);
      await expect(s.readRange(sha256, 0, 10)).rejects.toMatchObject(refusal);
    });

    it('cut short at a segment boundary', async () => {
      const { s, sha256, file } = await stored();
      writeFileSync(file, readFileSync(file).subarray(0, segmentAt(3)));
      await expect(s.readRange(sha256, 0, 10)).rejects.toMatchObject(refusal);
    });

    it('put in the place of another blob', async () => {
      const { s, sha256, file } = await stored();
      const other = await s.put(Readable.from([markedBytes(3 * SEGMENT_BYTES + 100)]));
      writeFileSync(file, readFileSync(s.path(other.sha256)));
      await expect(s.readRange(sha256, 0, 10)).rejects.toMatchObject(refusal);
    });

    it('given a segment of another blob at the same place', async () => {
      const { s, sha256, file } = await stored();
      const other = await s.put(Readable.from([markedBytes(3 * SEGMENT_BYTES + 100)]));
      const raw = readFileSync(file);
      readFileSync(s.path(other.sha256)).subarray(segmentAt(1), segmentAt(2)).copy(raw, segmentAt(1));
      writeFileSync(file, raw);
      await expect(s.readRange(sha256, SEGMENT_BYTES, 10)).rejects.toMatchObject(refusal);
    });
  });

  it('refuses to work once its workspace is locked', async () => {
    const d = tempDir('evalnotes-sealed-');
    dirs.push(d);
    let unlocked = true;
    const s = new BlobStore(join(d.path, 'blobs'), () => {
      if (!unlocked) throw Object.assign(new Error('locked'), { code: 'LOCKED' });
      return keys;
    });
    const { sha256 } = await s.put(Readable.from([Buffer.from('evidence')]));
    unlocked = false;
    await expect(s.readAll(sha256)).rejects.toMatchObject({ code: 'LOCKED' });
    await expect(s.put(Readable.from([Buffer.from('more')]))).rejects.toMatchObject({ code: 'LOCKED' });
  });
});
