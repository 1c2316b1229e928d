/**
 * A small ZIP writer for tests: it writes what a careful writer would and,
 * on request, what a hostile one would (lying sizes, links, `..` names,
 * encryption flags, Zstandard bombs). Plus an independent reader (yauzl +
 * fzstd directly, no safeZip) so tests can read expected values themselves.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import yauzl from 'yauzl';

export type ZipEntrySpec = {
  name: string;
  /** Uncompressed content. */
  data?: Buffer | string;
  /** 0 stored, 8 deflate, 93 Zstandard (raw-block frames, see zstdFrames); default 8. */
  method?: number;
  /** Use these bytes as the compressed data instead of compressing `data`. */
  compressed?: Buffer;
  /** Declared uncompressed size (default: the real one). */
  uncompressedSize?: number;
  crc32?: number;
  /** High 16 bits: Unix mode (e.g. 0o120777 for a symlink). Default 0o100644 << 16. */
  externalAttributes?: number;
  /** Default (3 << 8) | 63: Unix. */
  versionMadeBy?: number;
  /** General-purpose flags; bit 0 = encrypted. UTF-8 (bit 11) is always set. */
  flags?: number;
};

const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01

export function writeZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    const method = e.method ?? 8;
    const body = e.compressed ?? (method === 8 ? deflateRawSync(data) : method === 93 ? zstdFrames(data) : data);
    const name = Buffer.from(e.name, 'utf8');
    const flags = (e.flags ?? 0) | 0x800;
    const crc = e.crc32 ?? crc32(data);
    const usize = e.uncompressedSize ?? data.length;
    const needed = method === 93 ? 63 : 20;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(needed, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(usize, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.versionMadeBy ?? (3 << 8) | 63, 4);
    central.writeUInt16LE(needed, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(usize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((e.externalAttributes ?? (0o100644 << 16)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const BLOCK_MAX = 128 * 1024;

function blockHeader(last: boolean, type: number, size: number): Buffer {
  const h = (last ? 1 : 0) | (type << 1) | (size << 3);
  return Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]);
}

/**
 * Valid Zstandard made of raw (uncompressed) blocks, split into frames of
 * `frameBytes` so multi-frame decoding is exercised. `windowLog` sets the
 * window each frame asks for (default 17 = 128 KiB, the block maximum).
 */
export function zstdFrames(data: Buffer, frameBytes = 256 * 1024, windowLog = 17): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  do {
    const frame = data.subarray(at, at + frameBytes);
    at += frame.length;
    out.push(ZSTD_MAGIC, Buffer.from([0x00, (windowLog - 10) << 3]));
    if (frame.length === 0) out.push(blockHeader(true, 0, 0));
    for (let b = 0; b < frame.length; b += BLOCK_MAX) {
      const block = frame.subarray(b, b + BLOCK_MAX);
      out.push(blockHeader(b + BLOCK_MAX >= frame.length, 0, block.length), block);
    }
  } while (at < data.length);
  return Buffer.concat(out);
}

/** One frame of RLE blocks: 4 bytes per 128 KiB of output, so about 32,000:1. */
export function zstdRleBomb(totalBytes: number, byte = 0x20): Buffer {
  const out: Buffer[] = [ZSTD_MAGIC, Buffer.from([0x00, (17 - 10) << 3])];
  for (let left = totalBytes; left > 0; left -= BLOCK_MAX) {
    const n = Math.min(BLOCK_MAX, left);
    out.push(blockHeader(left <= BLOCK_MAX, 1, n), Buffer.from([byte]));
  }
  return Buffer.concat(out);
}

/** Every member of a ZIP, read with yauzl and fzstd directly; for duplicate names, the last. */
export async function unzipIndependently(path: string): Promise<{ members: Map<string, Buffer>; methods: Map<string, number> }> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  const members = new Map<string, Buffer>();
  const methods = new Map<string, number>();
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      const zstd = entry.compressionMethod === 93;
      const stream = await zip.openReadStreamPromise(entry, zstd ? { decodeFileData: false } : {});
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks);
      members.set(entry.fileName, zstd ? Buffer.from(zstdDecompress(raw)) : raw);
      methods.set(entry.fileName, entry.compressionMethod);
    }
  } finally {
    zip.close();
  }
  return { members, methods };
}
