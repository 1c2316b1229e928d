import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZipWriter } from '../../../main/bundles/zipWriter';
import { unzipIndependently } from '../../helpers/zipWriter';
import { tempDir } from '../../helpers/app';
import { seededRandom } from '../../helpers/rng';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

function randomBytesSeeded(n: number, seed: number): Buffer {
  const rnd = seededRandom(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

async function writeSample(path: string, bigFile: string): Promise<void> {
  const zip = await ZipWriter.create(path);
  await zip.addBuffer('a.json', Buffer.from('{"a":1}'));
  await zip.addFile('b/big.bin', bigFile);
  await zip.addBuffer('c.txt', Buffer.alloc(0));
  await zip.finish();
}

describe('the deterministic ZIP writer', () => {
  it('writes the same bytes for the same entries, and they open with unzip and yauzl', async () => {
    const big = join(dir.path, 'big.bin');
    const bytes = randomBytesSeeded(3 * 1024 * 1024 + 17, 7); // more than one 1 MiB read
    writeFileSync(big, bytes);
    await writeSample(join(dir.path, 'one.zip'), big);
    await writeSample(join(dir.path, 'two.zip'), big);
    const one = readFileSync(join(dir.path, 'one.zip'));
    expect(one.equals(readFileSync(join(dir.path, 'two.zip')))).toBe(true);

    const test = spawnSync('unzip', ['-t', join(dir.path, 'one.zip')], { encoding: 'utf8' });
    expect(test.status).toBe(0);
    expect(test.stdout).toContain('No errors detected');

    const { members, methods } = await unzipIndependently(join(dir.path, 'one.zip'));
    expect([...members.keys()]).toEqual(['a.json', 'b/big.bin', 'c.txt']);
    expect([...methods.values()]).toEqual([0, 0, 0]);
    expect(members.get('b/big.bin')?.equals(bytes)).toBe(true);
    expect(members.get('a.json')?.toString()).toBe('{"a":1}');
  });

  it('fixes every variable field: stored, 1980-01-01, no extras or comments, 0644, sizes in the local header', async () => {
    const path = join(dir.path, 'x.zip');
    const big = join(dir.path, 'f.bin');
    writeFileSync(big, 'hello file');
    const zip = await ZipWriter.create(path);
    const written = await zip.addFile('f.bin', big);
    expect(written).toEqual({ name: 'f.bin', size: 10, crc32: crc32('hello file'), sha256: createHash('sha256').update('hello file').digest('hex') });
    await zip.finish();
    const b = readFileSync(path);
    // Local header.
    expect(b.readUInt32LE(0)).toBe(0x04034b50);
    expect(b.readUInt16LE(6)).toBe(0); // flags: no data descriptor
    expect(b.readUInt16LE(8)).toBe(0); // stored
    expect([b.readUInt16LE(10), b.readUInt16LE(12)]).toEqual([0, 0x21]);
    expect(b.readUInt32LE(14)).toBe(crc32('hello file'));
    expect([b.readUInt32LE(18), b.readUInt32LE(22)]).toEqual([10, 10]);
    expect(b.readUInt16LE(28)).toBe(0); // extra length
    // Central directory right after the data.
    const cd = 30 + 5 + 10;
    expect(b.readUInt32LE(cd)).toBe(0x02014b50);
    expect(b.readUInt16LE(cd + 30) + b.readUInt16LE(cd + 32)).toBe(0); // extra + comment
    expect(b.readUInt32LE(cd + 38) >>> 16).toBe(0o100644);
    // End record, no comment, nothing after it.
    const end = cd + 46 + 5;
    expect(b.readUInt32LE(end)).toBe(0x06054b50);
    expect(b.readUInt16LE(end + 20)).toBe(0);
    expect(b.length).toBe(end + 22);
  });

  it('refuses entries out of name order, duplicates and unsafe names', async () => {
    const zip = await ZipWriter.create(join(dir.path, 'bad.zip'));
    await zip.addBuffer('b', Buffer.from('x'));
    await expect(zip.addBuffer('a', Buffer.from('x'))).rejects.toThrow(/name order/);
    await expect(zip.addBuffer('b', Buffer.from('x'))).rejects.toThrow(/name order/);
    await expect(zip.addBuffer('c/../d', Buffer.from('x'))).rejects.toThrow(/not a safe/);
    await expect(zip.addBuffer('/etc/x', Buffer.from('x'))).rejects.toThrow(/not a safe/);
    await zip.close();
  });

  it('stops a file entry when its signal is aborted', async () => {
    const big = join(dir.path, 'big.bin');
    writeFileSync(big, Buffer.alloc(4 * 1024 * 1024));
    const path = join(dir.path, 'c.zip');
    const zip = await ZipWriter.create(path);
    const controller = new AbortController();
    await expect(zip.addFile('big.bin', big, { signal: controller.signal, onBytes: () => controller.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    await zip.close();
    expect(existsSync(path)).toBe(true); // the caller removes it (exportBundle does)
  });

  it('writes the same bytes and digests whether SHA-256 runs on a worker thread or not, reading ahead across files', async () => {
    // Files of 0 bytes, a few bytes, and several 2 MiB chunks, streamed as one run.
    const sizes = [5 * 1024 * 1024 + 3, 0, 10, 2 * 1024 * 1024];
    const files = sizes.map((size, i) => {
      const path = join(dir.path, `f${i}.bin`);
      const bytes = randomBytesSeeded(size, 20 + i);
      writeFileSync(path, bytes);
      return { name: `a/${i}`, path, size, sha256: createHash('sha256').update(bytes).digest('hex') };
    });
    const write = async (path: string, parallelFromBytes: number) => {
      const zip = await ZipWriter.create(path);
      await zip.addBuffer('0.json', Buffer.from('{}'));
      const written = await zip.addFiles(files, { parallelFromBytes });
      await zip.addBuffer('b.json', Buffer.from('{"b":2}'));
      await zip.finish();
      return written;
    };
    const here = await write(join(dir.path, 'here.zip'), Infinity);
    const worker = await write(join(dir.path, 'worker.zip'), 0);
    expect(worker).toEqual(here);
    expect(here.map((w) => w.sha256)).toEqual(files.map((f) => f.sha256));
    expect(readFileSync(join(dir.path, 'worker.zip')).equals(readFileSync(join(dir.path, 'here.zip')))).toBe(true);
    const { members } = await unzipIndependently(join(dir.path, 'worker.zip'));
    for (const [i, f] of files.entries()) expect(members.get(`a/${i}`)?.equals(readFileSync(f.path))).toBe(true);
  });

  it('refuses a file that got shorter than its size, on either thread', async () => {
    const path = join(dir.path, 'short.bin');
    writeFileSync(path, Buffer.alloc(3 * 1024 * 1024));
    for (const parallelFromBytes of [Infinity, 0]) {
      const zip = await ZipWriter.create(join(dir.path, `short-${parallelFromBytes}.zip`));
      await expect(zip.addFiles([{ name: 'short.bin', path, size: 4 * 1024 * 1024 }], { parallelFromBytes })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: 'short.bin changed size while it was being written; export again.',
      });
      await zip.close();
    }
  });
});

