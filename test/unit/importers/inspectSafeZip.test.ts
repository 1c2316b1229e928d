import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openSafeZip, openSafeZipBuffer, type SafeZipOptions } from '../../../main/importers/safeZip';
import { unzipIndependently, writeZip, zstdFrames, zstdRleBomb } from '../../helpers/zipWriter';
import { refusal } from '../../helpers/importers';

const shared = join(import.meta.dirname, '../../../../shared/fixtures');
const synthetic = join(import.meta.dirname, '../../fixtures/inspect');


async function readAll(zip: Awaited<ReturnType<typeof openSafeZip>>, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await zip.openStream(name)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Both ways to read a member: whole (small members decode in one step) and as a stream. */
const readers = {
  readBuffer: (zip: Awaited<ReturnType<typeof openSafeZip>>, name: string) => zip.readBuffer(name),
  openStream: readAll,
};
const readWays = Object.keys(readers) as (keyof typeof readers)[];

const text = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7919) % 26))).join(''));

describe('safeZip reading', () => {
  it('reads stored, deflate and multi-frame Zstandard members byte for byte', async () => {
    const body = text(700_000);
    const zip = await openSafeZipBuffer(
      writeZip([
        { name: 'stored.txt', data: body, method: 0 },
        { name: 'deflate.txt', data: body, method: 8 },
        { name: 'dir/zstd.txt', data: body, method: 93, compressed: zstdFrames(body, 200_000) },
        { name: 'empty.txt', data: '', method: 93 },
      ]),
      'mixed.zip',
    );
    try {
      expect([...zip.files.keys()]).toEqual(['stored.txt', 'deflate.txt', 'dir/zstd.txt', 'empty.txt']);
      for (const name of ['stored.txt', 'deflate.txt', 'dir/zstd.txt']) {
        expect((await zip.readBuffer(name)).equals(body)).toBe(true);
        expect((await readAll(zip, name)).equals(body)).toBe(true);
      }
      expect((await zip.readBuffer('empty.txt')).length).toBe(0);
    } finally {
      await zip.close();
    }
  });

  it.each(['ts-mono__log_streaming_CHUNKED.eval', 'ts-mono__ais-decoder_monolith_ZSTD.eval', 'metr__2025-12-13_class-eval.eval'])(
    'decodes every member of the real log %s as an independent reader does',
    async (file) => {
      const path = join(shared, 'inspect_eval', file);
      const expected = await unzipIndependently(path);
      const zip = await openSafeZip(path);
      try {
        expect([...zip.files.keys()].sort()).toEqual([...expected.members.keys()].sort());
        for (const [name, bytes] of expected.members) expect((await zip.readBuffer(name)).equals(bytes)).toBe(true);
      } finally {
        await zip.close();
      }
    },
  );

  it('lets the last of two same-named entries win, or refuses duplicates when asked', async () => {
    const bytes = writeZip([
      { name: 'a.json', data: 'first' },
      { name: 'b.json', data: 'other' },
      { name: 'a.json', data: 'second' },
    ]);
    const zip = await openSafeZipBuffer(bytes, 'dup.zip');
    expect(zip.entries.map((e) => e.name)).toEqual(['a.json', 'b.json', 'a.json']);
    expect((await zip.readBuffer('a.json')).toString()).toBe('second');
    await zip.close();
    const message = await refusal(openSafeZipBuffer(bytes, 'dup.zip', { duplicates: 'refuse' }), 'dup.zip');
    expect(message).toMatch(/two ZIP entries named "a\.json"/);
  });
});

describe('safeZip refusals', () => {
  const open = (file: string, options?: SafeZipOptions) => openSafeZip(join(synthetic, file), options);

  it('refuses a truncated archive', async () => {
    expect(await refusal(open('truncated.eval'), 'truncated.eval')).toMatch(/not a complete ZIP archive/);
  });

  it('refuses a name that climbs out with ..', async () => {
    expect(await refusal(open('evil-path.eval'), 'evil-path.eval')).toMatch(/unsafe name.*\.\.\/evil/);
  });

  it.each([
    ['/etc/passwd', /unsafe name/],
    ['C:/Windows/evil', /unsafe name/],
    ['dir\\evil', /unsafe name/],
  ])('refuses the entry name %s', async (name, pattern) => {
    const bytes = writeZip([{ name, data: 'x' }]);
    expect(await refusal(openSafeZipBuffer(bytes, 'names.zip'), 'names.zip')).toMatch(pattern);
  });

  it('refuses a symbolic link entry', async () => {
    expect(await refusal(open('symlink.eval'), 'symlink.eval')).toMatch(/symbolic link/);
  });

  it('refuses an encrypted entry', async () => {
    expect(await refusal(open('encrypted.eval'), 'encrypted.eval')).toMatch(/encrypted/);
  });

  it('refuses compression methods it cannot read', async () => {
    const bytes = writeZip([{ name: 'x.bin', data: 'abc', method: 14, compressed: Buffer.from('abc') }]);
    expect(await refusal(openSafeZipBuffer(bytes, 'lzma.zip'), 'lzma.zip')).toMatch(/compression method 14/);
  });

  it.each(['zstd-bomb.eval', 'deflate-bomb.eval'])('refuses %s, whose entry claims a ratio over 1000:1', async (file) => {
    expect(await refusal(open(file), file)).toMatch(/ZIP bomb/);
  });

  it.each(readWays)('stops a Zstandard bomb that lies about its size after the bytes it declared (%s)', async (way) => {
    const zip = await open('zstd-bomb-lying.eval');
    try {
      const message = await refusal(readers[way](zip, 'samples/1_epoch_1.json'), 'zstd-bomb-lying.eval');
      expect(message).toMatch(/expands past the 2000 bytes it declares/);
      // 256 MiB were on offer; only about one Zstandard block was inflated.
      expect(zip.inflatedBytes()).toBeLessThan(1024 * 1024);
    } finally {
      await zip.close();
    }
  });

  it.each(readWays)('stops a deflate entry that inflates past its declared size (%s)', async (way) => {
    const zeros = Buffer.alloc(5 * 1024 * 1024);
    const bytes = writeZip([{ name: 'big.json', compressed: deflateRawSync(zeros), uncompressedSize: 1000, method: 8 }]);
    const zip = await openSafeZipBuffer(bytes, 'lying.zip');
    try {
      expect(await refusal(readers[way](zip, 'big.json'), 'lying.zip')).toMatch(/big\.json/);
      // yauzl's inflate stream may run one chunk ahead of the check; never the whole 5 MB.
      expect(zip.inflatedBytes()).toBeLessThan(1024 * 1024);
    } finally {
      await zip.close();
    }
  });

  it('counts the ratio on inflated bytes with a tighter limit', async () => {
    const zeros = Buffer.alloc(4 * 1024 * 1024);
    const bytes = writeZip([{ name: 'zeros.bin', data: zeros, method: 8 }]);
    expect(await refusal(openSafeZipBuffer(bytes, 'ratio.zip', { limits: { maxRatio: 100 } }), 'ratio.zip')).toMatch(/over 100 times/);
  });

  it.each(readWays)('refuses a Zstandard frame that asks for a huge window before allocating it (%s)', async (way) => {
    const body = Buffer.from('{"a":1}');
    // Window log 31: a 2 GiB window, which fzstd would allocate up front.
    const bytes = writeZip([{ name: 'w.json', data: body, method: 93, compressed: zstdFrames(body, 1024, 31) }]);
    const zip = await openSafeZipBuffer(bytes, 'window.zip');
    try {
      expect(await refusal(readers[way](zip, 'w.json'), 'window.zip')).toMatch(/window/);
    } finally {
      await zip.close();
    }
  });

  it('refuses archives over the entry-count, entry-size and total-size limits', async () => {
    const bytes = writeZip([
      { name: 'a', data: text(3000) },
      { name: 'b', data: text(3000) },
      { name: 'c', data: text(3000) },
    ]);
    expect(await refusal(openSafeZipBuffer(bytes, 'many.zip', { limits: { maxEntries: 2 } }), 'many.zip')).toMatch(/3 ZIP entries/);
    expect(await refusal(openSafeZipBuffer(bytes, 'big.zip', { limits: { maxEntryBytes: 2000 } }), 'big.zip')).toMatch(/2000-byte limit/);
    expect(await refusal(openSafeZipBuffer(bytes, 'total.zip', { limits: { maxTotalBytes: 8000 } }), 'total.zip')).toMatch(/more than 8000 bytes/);
  });

  it.each(readWays)('refuses an entry whose CRC-32 does not match (%s)', async (way) => {
    const bytes = writeZip([{ name: 'x.json', data: '{"ok":true}', crc32: 12345 }]);
    const zip = await openSafeZipBuffer(bytes, 'crc.zip');
    try {
      expect(await refusal(readers[way](zip, 'x.json'), 'crc.zip')).toMatch(/CRC-32/);
    } finally {
      await zip.close();
    }
  });

  it.each(readWays)('refuses corrupt deflate data and corrupt Zstandard data with a sentence (%s)', async (way) => {
    const junk = Buffer.from('this is not compressed data at all, really not');
    const zip = await openSafeZipBuffer(
      writeZip([
        { name: 'd.json', method: 8, compressed: junk, uncompressedSize: 100 },
        { name: 'z.json', method: 93, compressed: junk, uncompressedSize: 100 },
        { name: 'cut.json', method: 93, compressed: zstdFrames(text(5000)).subarray(0, 2000), uncompressedSize: 5000 },
      ]),
      'corrupt.zip',
    );
    try {
      expect(await refusal(readers[way](zip, 'd.json'), 'corrupt.zip')).toMatch(/d\.json/);
      expect(await refusal(readers[way](zip, 'z.json'), 'corrupt.zip')).toMatch(/z\.json/);
      expect(await refusal(readers[way](zip, 'cut.json'), 'corrupt.zip')).toMatch(/cut\.json/);
      await refusal(readers[way](zip, 'missing.json'), 'corrupt.zip');
    } finally {
      await zip.close();
    }
  });

  it('reads a member that is small but legitimately extreme under the ratio floor', async () => {
    const spaces = Buffer.alloc(500_000, 0x20);
    const zip = await openSafeZipBuffer(writeZip([{ name: 's.txt', method: 93, compressed: zstdRleBomb(spaces.length), data: spaces }]), 'floor.zip');
    try {
      expect((await zip.readBuffer('s.txt')).equals(spaces)).toBe(true);
    } finally {
      await zip.close();
    }
  });
});
