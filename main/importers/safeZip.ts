/**
 * Reading ZIP archives we did not write (Inspect `.eval` logs, and later
 * bundles) without trusting them: limits on entry count, sizes and compression
 * ratio, counted on the bytes really inflated; no absolute or `..` names, no
 * backslashes, no links, no encryption; CRC-32 checked. Stored (0), deflate (8)
 * and Zstandard (93, Inspect's default since 0.3.206) members are read.
 * Duplicate names are allowed (the last wins) unless the caller refuses them.
 *
 * yauzl parses the central directory (through a block-caching reader) and
 * streams large members; small members are read and decoded in one step.
 * fzstd decodes Zstandard. It allocates a frame's whole window up front from
 * the frame header, so each frame header is checked here first: a hostile
 * 2 GiB window descriptor is refused before it becomes an allocation.
 */
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import { Decompress } from 'fzstd';
import yauzl from 'yauzl';
import { LogFormatError } from './types';
import { unsafeZipName } from '../files/zipNames';

export type SafeZipLimits = {
  /** Entries in the central directory, duplicates included. */
  maxEntries: number;
  /** Uncompressed bytes of one entry. */
  maxEntryBytes: number;
  /** Uncompressed bytes of all entries declared, and of all bytes inflated through one handle. */
  maxTotalBytes: number;
  /** Uncompressed : compressed bytes of one entry… */
  maxRatio: number;
  /** …enforced once an entry has inflated past this many bytes (tiny entries compress oddly). */
  ratioFloorBytes: number;
  /** Largest Zstandard window a frame may ask for (the decoder allocates it). */
  maxZstdWindowBytes: number;
};

export const DEFAULT_ZIP_LIMITS: SafeZipLimits = {
  maxEntries: 100_000,
  maxEntryBytes: 2 * 1024 ** 3,
  maxTotalBytes: 8 * 1024 ** 3,
  maxRatio: 1000,
  ratioFloorBytes: 1024 ** 2,
  // zstd's own decoder refuses windows above 128 MiB unless told otherwise (--long).
  maxZstdWindowBytes: 128 * 1024 ** 2,
};

export type SafeZipOptions = {
  /** The name used in error sentences (default: the file's base name). */
  label?: string;
  limits?: Partial<SafeZipLimits>;
  /**
   * Two entries with one name: Inspect re-logs a sample by appending it, so the
   * last one wins; a signed bundle must have none.
   */
  duplicates?: 'last-wins' | 'refuse';
};

export type SafeZipEntry = {
  name: string;
  /** Position in the central directory. */
  index: number;
  compressionMethod: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  isDirectory: boolean;
  versionMadeBy: number;
  generalPurposeBitFlag: number;
  externalFileAttributes: number;
  localHeaderOffset: number;
  lastModFileTime: number;
  lastModFileDate: number;
};

export type SafeZip = {
  label: string;
  /** Every entry in central-directory order, duplicates included. */
  entries: readonly SafeZipEntry[];
  /** File entries by name; for duplicate names, the last. */
  files: ReadonlyMap<string, SafeZipEntry>;
  /** Uncompressed bytes inflated through this handle so far. */
  inflatedBytes(): number;
  openStream(name: string): Promise<Readable>;
  readBuffer(name: string): Promise<Buffer>;
  close(): Promise<void>;
};

const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const METHOD_ZSTD = 93;
const SUPPORTED_METHODS = new Set([METHOD_STORED, METHOD_DEFLATE, METHOD_ZSTD]);

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const HOST_UNIX = 3;

const YAUZL_OPTIONS = {
  lazyEntries: true,
  autoClose: false,
  decodeStrings: true,
  validateEntrySizes: true,
  strictFileNames: true,
} as const;

export async function openSafeZip(path: string, options: SafeZipOptions = {}): Promise<SafeZip> {
  const label = options.label ?? basename(path);
  const handle = await open(path, 'r');
  let reader: CachedFileReader;
  let zip: yauzl.ZipFile;
  try {
    reader = new CachedFileReader(handle, (await handle.stat()).size);
    zip = await yauzlFromReader(reader, label);
  } catch (err) {
    // yauzl closes its reader only once a ZipFile exists.
    await handle.close();
    throw err;
  }
  // Members are read straight from the file: samples are read in id order, not
  // file order, so a block cache would miss nearly every time.
  const bytes: ByteSource = { size: reader.size, read: (position, length) => reader.readDirect(position, length) };
  return fromYauzl(zip, label, options, true, bytes);
}

function yauzlFromReader(reader: CachedFileReader, label: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(reader, reader.size, YAUZL_OPTIONS, (err, z) => (err ? reject(archiveError(label, err)) : resolve(z)));
  });
}

export async function openSafeZipBuffer(buffer: Buffer, label: string, options: SafeZipOptions = {}): Promise<SafeZip> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.fromBuffer(buffer, YAUZL_OPTIONS, (err, z) => (err ? reject(archiveError(label, err)) : resolve(z)));
  });
  const bytes: ByteSource = {
    size: buffer.length,
    read: (position, length) => Promise.resolve(buffer.subarray(position, Math.min(position + length, buffer.length))),
  };
  return fromYauzl(zip, label, options, false, bytes);
}

/** Random access to the archive's bytes, for reading small members without streams. */
type ByteSource = { size: number; read(position: number, length: number): Promise<Buffer> };

async function fromYauzl(zip: yauzl.ZipFile, label: string, options: SafeZipOptions, ownsFd: boolean, bytes: ByteSource): Promise<SafeZip> {
  const limits: SafeZipLimits = { ...DEFAULT_ZIP_LIMITS, ...options.limits };
  const close = () =>
    new Promise<void>((resolve) => {
      if (!zip.isOpen) return resolve();
      // yauzl emits 'close' once the file descriptor is released; a buffer has none.
      if (ownsFd) zip.once('close', () => resolve());
      zip.close();
      if (!ownsFd) resolve();
    });
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new LogFormatError(`${label} has ${zip.entryCount} ZIP entries, more than the ${limits.maxEntries} allowed.`);
    }
    const { entries, raw } = await readCentralDirectory(zip, label);
    const files = checkEntries(entries, label, limits, options.duplicates ?? 'last-wins');
    return makeHandle(zip, label, limits, { entries, raw, files }, bytes, close);
  } catch (err) {
    await close();
    throw err;
  }
}

type Directory = { entries: SafeZipEntry[]; raw: yauzl.Entry[]; files: Map<string, SafeZipEntry> };

function readCentralDirectory(zip: yauzl.ZipFile, label: string): Promise<Omit<Directory, 'files'>> {
  return new Promise((resolve, reject) => {
    const out: SafeZipEntry[] = [];
    const raw: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      if (e.isEncrypted()) {
        reject(new LogFormatError(`${label} holds an encrypted ZIP entry (${JSON.stringify(e.fileName)}), which is not read.`));
        return;
      }
      out.push({
        name: e.fileName,
        index: out.length,
        compressionMethod: e.compressionMethod,
        compressedSize: e.compressedSize,
        uncompressedSize: e.uncompressedSize,
        crc32: e.crc32,
        isDirectory: e.fileName.endsWith('/'),
        versionMadeBy: e.versionMadeBy,
        generalPurposeBitFlag: e.generalPurposeBitFlag,
        externalFileAttributes: e.externalFileAttributes,
        localHeaderOffset: e.relativeOffsetOfLocalHeader,
        lastModFileTime: e.lastModFileTime,
        lastModFileDate: e.lastModFileDate,
      });
      raw.push(e);
      zip.readEntry();
    });
    zip.once('end', () => resolve({ entries: out, raw }));
    zip.once('error', (err: Error) => reject(archiveError(label, err)));
    zip.readEntry();
  });
}

function checkEntries(
  entries: SafeZipEntry[],
  label: string,
  limits: SafeZipLimits,
  duplicates: 'last-wins' | 'refuse',
): Map<string, SafeZipEntry> {
  const files = new Map<string, SafeZipEntry>();
  let declaredTotal = 0;
  for (const e of entries) {
    const name = JSON.stringify(e.name);
    const unsafe = unsafeZipName(e.name);
    if (unsafe) throw new LogFormatError(`${label} holds a ZIP entry with an unsafe name (${name}: ${unsafe}).`);
    const kind = fileKind(e);
    if (kind === 'link') throw new LogFormatError(`${label} holds a symbolic link (${name}), which is not followed.`);
    if (kind === 'special') throw new LogFormatError(`${label} holds a special file entry (${name}), which is not read.`);
    if (!SUPPORTED_METHODS.has(e.compressionMethod)) {
      throw new LogFormatError(`${label} uses ZIP compression method ${e.compressionMethod} for ${name}; only stored, deflate and Zstandard are read.`);
    }
    if (e.uncompressedSize > limits.maxEntryBytes) {
      throw new LogFormatError(`${label} has an entry (${name}) of ${e.uncompressedSize} bytes, over the ${limits.maxEntryBytes}-byte limit.`);
    }
    if (e.uncompressedSize > limits.ratioFloorBytes && e.uncompressedSize > e.compressedSize * limits.maxRatio) {
      throw new LogFormatError(`${label} has an entry (${name}) that claims to expand over ${limits.maxRatio} times, which looks like a ZIP bomb.`);
    }
    declaredTotal += e.uncompressedSize;
    if (declaredTotal > limits.maxTotalBytes) {
      throw new LogFormatError(`${label} would expand to more than ${limits.maxTotalBytes} bytes, over the limit.`);
    }
    if (e.isDirectory) continue;
    if (files.has(e.name) && duplicates === 'refuse') {
      throw new LogFormatError(`${label} holds two ZIP entries named ${name}.`);
    }
    files.set(e.name, e);
  }
  return files;
}

function fileKind(e: SafeZipEntry): 'file' | 'dir' | 'link' | 'special' {
  // Only Unix hosts put a mode in the high 16 bits of the external attributes.
  if (e.versionMadeBy >> 8 !== HOST_UNIX) return e.isDirectory ? 'dir' : 'file';
  const type = (e.externalFileAttributes >>> 16) & S_IFMT;
  if (type === S_IFLNK) return 'link';
  if (type === 0 || type === S_IFREG) return 'file';
  if (type === S_IFDIR) return 'dir';
  return 'special';
}

function makeHandle(
  zip: yauzl.ZipFile,
  label: string,
  limits: SafeZipLimits,
  { entries, raw: rawEntries, files }: Directory,
  bytes: ByteSource,
  close: () => Promise<void>,
): SafeZip {
  const counter = { total: 0 };

  const lookup = (name: string): SafeZipEntry => {
    // A caller bug, not a property of the file.
    if (!zip.isOpen) throw new Error(`${label} was read after it was closed`);
    const e = files.get(name);
    if (!e) throw new LogFormatError(`${label} has no ZIP entry named ${JSON.stringify(name)}.`);
    return e;
  };

  const rawStream = (e: SafeZipEntry, decode: boolean) =>
    new Promise<Readable>((resolve, reject) => {
      zip.openReadStream(rawEntries[e.index]!, decode ? {} : { decodeFileData: false }, (err, s) =>
        err ? reject(archiveError(label, err, e.name)) : resolve(s),
      );
    });

  const openStream = async (name: string): Promise<Readable> => {
    const e = lookup(name);
    // yauzl inflates deflate itself; Zstandard comes raw and is decoded in the guard.
    const raw = await rawStream(e, e.compressionMethod !== METHOD_ZSTD);
    const guard = new EntryGuard(new InflateCheck(e, label, limits, counter), limits);
    raw.on('error', (err: Error) => guard.destroy(archiveError(label, err, e.name)));
    guard.on('close', () => {
      raw.unpipe(guard);
      raw.destroy();
    });
    raw.pipe(guard);
    return guard;
  };

  const readBuffer = async (name: string): Promise<Buffer> => {
    const e = lookup(name);
    if (e.compressedSize <= SMALL_MEMBER_BYTES && e.uncompressedSize <= SMALL_MEMBER_BYTES * 4) {
      // Most members (a sample, a header) are small: reading their bytes and
      // decoding them in one step skips per-chunk stream and thread-pool round trips.
      return decodeWhole(await memberBytes(bytes, e, label), new InflateCheck(e, label, limits, counter), limits);
    }
    const out = Buffer.allocUnsafe(e.uncompressedSize);
    let at = 0;
    for await (const chunk of await openStream(name)) {
      const b = chunk as Buffer;
      // The guard has already refused anything past the declared size.
      b.copy(out, at);
      at += b.length;
    }
    return out;
  };

  return { label, entries, files, inflatedBytes: () => counter.total, openStream, readBuffer, close };
}

/** Members at most this big compressed (and 4x that inflated) are decoded in one synchronous step. */
const SMALL_MEMBER_BYTES = 4 * 1024 * 1024;

/**
 * Counts the bytes an entry really inflates to and refuses, as they come,
 * anything over its declared size, the per-entry, total or ratio limits;
 * at the end, a short entry or a CRC-32 mismatch.
 */
class InflateCheck {
  private produced = 0;
  private crc = 0;
  private readonly ratioLimit: number;
  readonly name: string;

  constructor(
    readonly entry: SafeZipEntry,
    readonly label: string,
    private readonly limits: SafeZipLimits,
    private readonly counter: { total: number },
  ) {
    this.ratioLimit = Math.max(limits.ratioFloorBytes, entry.compressedSize * limits.maxRatio);
    this.name = JSON.stringify(entry.name);
  }

  add(data: Uint8Array): void {
    this.produced += data.length;
    this.counter.total += data.length;
    if (this.produced > this.entry.uncompressedSize) {
      throw new LogFormatError(`${this.label} is damaged: entry ${this.name} expands past the ${this.entry.uncompressedSize} bytes it declares.`);
    }
    if (this.produced > this.ratioLimit) {
      throw new LogFormatError(`${this.label} has an entry (${this.name}) that expands over ${this.limits.maxRatio} times, which looks like a ZIP bomb.`);
    }
    if (this.produced > this.limits.maxEntryBytes) {
      throw new LogFormatError(`${this.label} has an entry (${this.name}) over the ${this.limits.maxEntryBytes}-byte limit.`);
    }
    if (this.counter.total > this.limits.maxTotalBytes) {
      throw new LogFormatError(`${this.label} expands to more than ${this.limits.maxTotalBytes} bytes, over the limit.`);
    }
    this.crc = crc32(data, this.crc);
  }

  finish(): void {
    if (this.produced !== this.entry.uncompressedSize) {
      throw new LogFormatError(`${this.label} is damaged: entry ${this.name} holds ${this.produced} bytes but declares ${this.entry.uncompressedSize}.`);
    }
    if (this.crc >>> 0 !== this.entry.crc32 >>> 0) {
      throw new LogFormatError(`${this.label} is damaged: entry ${this.name} fails its CRC-32 check.`);
    }
  }

  asFormatError(err: unknown): LogFormatError {
    if (err instanceof LogFormatError) return err;
    return archiveError(this.label, err instanceof Error ? err : new Error(String(err)), this.entry.name);
  }
}

/** The stream a caller reads: decodes Zstandard when needed, every byte through the check. */
class EntryGuard extends Transform {
  private readonly zstd: ZstdDecoder | null;

  constructor(
    private readonly check: InflateCheck,
    limits: SafeZipLimits,
  ) {
    super();
    this.zstd =
      check.entry.compressionMethod === METHOD_ZSTD ? new ZstdDecoder(limits.maxZstdWindowBytes, (data) => this.emitChecked(data)) : null;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      if (this.zstd) this.zstd.push(chunk, false);
      else this.emitChecked(chunk);
      cb();
    } catch (err) {
      cb(this.check.asFormatError(err));
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.zstd?.push(new Uint8Array(0), true);
      this.check.finish();
      cb();
    } catch (err) {
      cb(this.check.asFormatError(err));
    }
  }

  private emitChecked(data: Uint8Array): void {
    if (data.length === 0) return;
    this.check.add(data);
    this.push(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length));
  }
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;

/** Room for a local header's extra field in the one read of a small member. */
const EXTRA_ALLOWANCE = 64;

/**
 * An entry's compressed bytes, found through its local header (as yauzl finds
 * them). One read covers the header and the data in the usual case; an unusually
 * long extra field costs a second read.
 */
async function memberBytes(bytes: ByteSource, e: SafeZipEntry, label: string): Promise<Buffer> {
  const damaged = (what: string) => new LogFormatError(`${label} is damaged: entry ${JSON.stringify(e.name)} ${what}.`);
  const chunk = await bytes.read(e.localHeaderOffset, 30 + Buffer.byteLength(e.name) + EXTRA_ALLOWANCE + e.compressedSize);
  if (chunk.length < 30 || chunk.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) throw damaged('has no valid local header');
  const dataOffset = 30 + chunk.readUInt16LE(26) + chunk.readUInt16LE(28);
  if (e.localHeaderOffset + dataOffset + e.compressedSize > bytes.size) throw damaged('runs past the end of the file');
  if (dataOffset + e.compressedSize <= chunk.length) return chunk.subarray(dataOffset, dataOffset + e.compressedSize);
  return bytes.read(e.localHeaderOffset + dataOffset, e.compressedSize);
}

/** A whole small member, raw bytes in, checked content out. */
function decodeWhole(raw: Buffer, check: InflateCheck, limits: SafeZipLimits): Buffer {
  const e = check.entry;
  try {
    let out: Buffer;
    if (e.compressionMethod === METHOD_STORED) {
      out = raw;
    } else if (e.compressionMethod === METHOD_DEFLATE) {
      // One byte over the declared size is enough to know it lies.
      out = inflateRawSync(raw, { maxOutputLength: e.uncompressedSize + 1 });
    } else {
      out = Buffer.allocUnsafe(e.uncompressedSize);
      let at = 0;
      new ZstdDecoder(limits.maxZstdWindowBytes, (data) => {
        check.add(data);
        out.set(data, at);
        at += data.length;
      }).push(raw, true);
      check.finish();
      return out;
    }
    check.add(out);
    check.finish();
    return out;
  } catch (err) {
    if (err instanceof RangeError && e.compressionMethod === METHOD_DEFLATE) {
      throw new LogFormatError(`${check.label} is damaged: entry ${check.name} expands past the ${e.uncompressedSize} bytes it declares.`);
    }
    throw check.asFormatError(err);
  }
}

/**
 * fzstd's streaming decoder behind a frame walker: the walker follows frame
 * and block headers through the raw bytes (cheap: it skips block bodies) so
 * every frame's window size is known before fzstd sees that frame.
 */
class ZstdDecoder {
  private readonly inner: Decompress;
  private readonly walker: ZstdFrameWalker;

  /**
   * `sink` sees each decoded block (at most 128 KiB) as fzstd produces it and
   * may throw to stop decoding: one compressed chunk of RLE blocks can
   * otherwise expand to gigabytes inside a single push.
   */
  constructor(maxWindow: number, sink: (data: Uint8Array) => void) {
    this.walker = new ZstdFrameWalker(maxWindow);
    this.inner = new Decompress((data) => {
      // fzstd may reuse its block buffer: hand on a copy.
      if (data.length) sink(Buffer.from(data));
    });
  }

  push(chunk: Uint8Array, final: boolean): void {
    this.walker.feed(chunk);
    if (final) this.walker.end();
    this.inner.push(chunk, final);
  }
}

const ZSTD_MAGIC = 0xfd2fb528;

class ZstdFrameWalker {
  private state: 'magic' | 'skip-size' | 'fhd' | 'header' | 'block' | 'skip' = 'magic';
  private need = 4;
  private acc: number[] = [];
  private skip = 0;
  private afterSkip: 'magic' | 'block' = 'magic';
  private fhd = 0;
  private checksum = false;

  constructor(private readonly maxWindow: number) {}

  feed(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'skip') {
        const n = Math.min(this.skip, chunk.length - i);
        i += n;
        this.skip -= n;
        if (this.skip === 0) this.enter(this.afterSkip);
        continue;
      }
      this.acc.push(chunk[i++]!);
      if (this.acc.length === this.need) this.onHeader(this.acc);
    }
  }

  end(): void {
    if (this.state !== 'magic' || this.acc.length !== 0) throw new Error('Zstandard data ends inside a frame');
  }

  private enter(state: 'magic' | 'block'): void {
    this.state = state;
    this.need = state === 'magic' ? 4 : 3;
    this.acc = [];
  }

  private skipThen(n: number, next: 'magic' | 'block'): void {
    this.acc = [];
    if (n === 0) return this.enter(next);
    this.state = 'skip';
    this.skip = n;
    this.afterSkip = next;
  }

  private onHeader(b: number[]): void {
    switch (this.state) {
      case 'magic': {
        const magic = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
        if (magic === ZSTD_MAGIC) {
          this.state = 'fhd';
          this.need = 1;
          this.acc = [];
        } else if (magic >>> 4 === 0x184d2a5) {
          this.state = 'skip-size';
          this.need = 4;
          this.acc = [];
        } else {
          throw new Error('not Zstandard data (bad frame magic)');
        }
        return;
      }
      case 'skip-size':
        return this.skipThen((b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0, 'magic');
      case 'fhd': {
        const fhd = b[0]!;
        if (fhd & 0x08) throw new Error('Zstandard frame header has its reserved bit set');
        const single = (fhd >> 5) & 1;
        const fcsFlag = fhd >> 6;
        const dictBytes = [0, 1, 2, 4][fhd & 3]!;
        const fcsBytes = fcsFlag === 0 ? single : 1 << fcsFlag;
        this.fhd = fhd;
        this.checksum = ((fhd >> 2) & 1) === 1;
        this.state = 'header';
        this.need = (single ? 0 : 1) + dictBytes + fcsBytes;
        this.acc = [];
        if (this.need === 0) this.onHeader([]);
        return;
      }
      case 'header': {
        const fhd = this.fhd;
        const single = (fhd >> 5) & 1;
        const dictBytes = [0, 1, 2, 4][fhd & 3]!;
        if (dictBytes && b.slice(single ? 0 : 1, (single ? 0 : 1) + dictBytes).some((x) => x !== 0)) {
          throw new Error('Zstandard frame needs a dictionary');
        }
        let window: number;
        if (!single) {
          const wd = b[0]!;
          const base = 2 ** (10 + (wd >> 3));
          window = base + (base / 8) * (wd & 7);
        } else {
          const fcs = b.slice(dictBytes);
          window = fcs.reduce((sum, byte, k) => sum + byte * 2 ** (8 * k), 0) + (fcs.length === 2 ? 256 : 0);
        }
        if (window > this.maxWindow) throw new ZstdWindowError(window, this.maxWindow);
        return this.enter('block');
      }
      case 'block': {
        const h = b[0]! | (b[1]! << 8) | (b[2]! << 16);
        const last = h & 1;
        const type = (h >> 1) & 3;
        const size = h >>> 3;
        if (type === 3) throw new Error('Zstandard block uses the reserved block type');
        const body = type === 1 ? 1 : size;
        if (!last) return this.skipThen(body, 'block');
        return this.skipThen(body + (this.checksum ? 4 : 0), 'magic');
      }
      default:
        return;
    }
  }
}

class ZstdWindowError extends Error {
  constructor(
    readonly window: number,
    readonly max: number,
  ) {
    super(`a Zstandard frame asks for a ${window}-byte window, over the ${max}-byte limit`);
  }
}

/**
 * yauzl's own file reader issues two thread-pool reads per central-directory
 * record and per local header: 20,000 samples cost seconds. This reader serves
 * small reads from a few cached 64 KiB blocks and streams large ranges directly.
 */
class CachedFileReader extends yauzl.RandomAccessReader {
  private static readonly BLOCK = 64 * 1024;
  private static readonly MAX_BLOCKS = 64;
  private static readonly SMALL_RANGE = 1024 * 1024;
  private static readonly SYNC_READ_BYTES = 256 * 1024;
  private readonly blocks = new Map<number, Promise<Buffer>>();
  private closed = false;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    // yauzl's typings omit it, but yauzl reads bytesRead from the callback, as with fs.read.
    const done: (err: Error | null, bytesRead?: number) => void = callback;
    this.copy(buffer, offset, length, position).then(
      (n) => done(null, n),
      (err: Error) => done(err),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    if (end - start > CachedFileReader.SMALL_RANGE) {
      return this.handle.createReadStream({ start, end: end - 1, autoClose: false, highWaterMark: 1024 * 1024 });
    }
    let started = false;
    const stream = new Readable({
      read: () => {
        if (started) return;
        started = true;
        const buf = Buffer.allocUnsafe(end - start);
        this.copy(buf, 0, buf.length, start).then(
          (n) => {
            stream.push(buf.subarray(0, n));
            stream.push(null);
          },
          (err: Error) => stream.destroy(err),
        );
      },
    });
    return stream;
  }

  /**
   * A range as a new Buffer, read from the file without the cache. Ranges up to
   * SYNC_READ_BYTES are read synchronously: a sample member is a few KB, and a
   * thread-pool round trip per member cost more than the read itself.
   */
  async readDirect(position: number, length: number): Promise<Buffer> {
    if (this.closed) throw new Error('the archive is closed');
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - position)));
    const sync = buf.length <= CachedFileReader.SYNC_READ_BYTES;
    let at = 0;
    while (at < buf.length) {
      const bytesRead = sync
        ? readSync(this.handle.fd, buf, at, buf.length - at, position + at)
        : (await this.handle.read(buf, at, buf.length - at, position + at)).bytesRead;
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return buf.subarray(0, at);
  }

  override close(callback: (err: Error | null) => void): void {
    this.closed = true;
    this.handle.close().then(
      () => callback(null),
      (err: Error) => callback(err),
    );
  }

  private async copy(target: Buffer, offset: number, length: number, position: number): Promise<number> {
    const { BLOCK } = CachedFileReader;
    const end = Math.min(position + length, this.size);
    let at = position;
    while (at < end) {
      const index = Math.floor(at / BLOCK);
      const block = await this.block(index);
      const from = at - index * BLOCK;
      const n = Math.min(block.length - from, end - at);
      if (n <= 0) break;
      block.copy(target, offset + (at - position), from, from + n);
      at += n;
    }
    return at - position;
  }

  private block(index: number): Promise<Buffer> {
    let p = this.blocks.get(index);
    if (p) {
      // Map order is the LRU order.
      this.blocks.delete(index);
    } else {
      const { BLOCK } = CachedFileReader;
      const buf = Buffer.allocUnsafe(BLOCK);
      p = this.handle.read(buf, 0, BLOCK, index * BLOCK).then(({ bytesRead }) => buf.subarray(0, bytesRead));
      p.catch(() => this.blocks.delete(index));
      if (this.blocks.size >= CachedFileReader.MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    }
    this.blocks.set(index, p);
    return p;
  }
}

/** One sentence naming the file, the entry when known, and what is wrong. */
function archiveError(label: string, err: Error, entryName?: string): LogFormatError {
  if (err instanceof LogFormatError) return err;
  const msg = err.message.replace(/\.$/, '');
  const where = entryName === undefined ? '' : ` (entry ${JSON.stringify(entryName)})`;
  if (/end of central directory record signature not found/i.test(msg)) {
    return new LogFormatError(`${label} is not a complete ZIP archive: its end record is missing (truncated or not a ZIP).`);
  }
  if (/^(invalid characters in fileName|absolute path|invalid relative path)/.test(msg)) {
    return new LogFormatError(`${label} holds a ZIP entry with an unsafe name (${msg}).`);
  }
  if (err instanceof ZstdWindowError) return new LogFormatError(`${label} is refused${where}: ${msg}.`);
  return new LogFormatError(`${label} is not a readable ZIP archive${where}: ${msg}.`);
}
