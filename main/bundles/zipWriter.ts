/**
 * A deterministic, streaming ZIP writer for signed bundles (DESIGN.md, "Signed
 * bundle format v1"). Every field that could vary is fixed, so the same entries
 * always give the same bytes, on any machine:
 *
 * - entries in strictly ascending name order (the caller adds them sorted; out of
 *   order or duplicate names are refused);
 * - method 0 (stored) for every entry. Deflate output differs between zlib
 *   versions (Node's and Electron's are not the same build), which would break
 *   byte-identical re-export elsewhere; bundles are mostly already-compressed
 *   evidence anyway, and a verifier that never inflates cannot be zip-bombed;
 * - version made by 0x0314 (Unix, 2.0), version needed 20, flags 0 (names are
 *   ASCII, sizes and CRC in the local header: no data descriptor);
 * - DOS time 0 and date 0x0021 (1980-01-01 00:00);
 * - no extra fields, no comments, internal attributes 0, external attributes
 *   0o100644 << 16 (a regular file, rw-r--r--), disk 0;
 * - no ZIP64: an archive that would reach 4 GiB, or 65,535 entries, is refused.
 *
 * File entries are streamed in one pass: a placeholder local header is written,
 * the bytes are copied while SHA-256 and CRC-32 (zlib.crc32, native) run over
 * them, then the header is rewritten in place with the real CRC and sizes. The
 * output is a real file (positional writes), never a pipe.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { AppError } from '../../shared/result';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const VERSION_MADE_BY = (3 << 8) | 20;
const VERSION_NEEDED = 20;
const FLAGS = 0;
const METHOD_STORED = 0;
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const EXTERNAL_ATTRIBUTES = (0o100644 << 16) >>> 0;

/** Offsets and sizes are 32-bit without ZIP64. */
export const MAX_ARCHIVE_BYTES = 0xffffffff;
export const MAX_ENTRIES = 0xffff;
/** Reads of 1 MiB: hashing with smaller reads is markedly slower (FIELD-NOTES.md). */
const CHUNK = 1 << 20;
const SMALL_WRITE = 64 * 1024;

export type WrittenEntry = { name: string; size: number; crc32: number; sha256: string };

type CentralRecord = { name: Buffer; crc: number; size: number; offset: number };

export type FileEntryOptions = {
  /** Called with the bytes of this entry copied so far. */
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
};

export class ZipWriter {
  private offset = 0;
  private lastName: string | null = null;
  private readonly central: CentralRecord[] = [];
  private readonly chunk = Buffer.allocUnsafe(CHUNK);
  private closed = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** Creates (or truncates) the file at path; the caller owns where it lives. */
  static async create(path: string): Promise<ZipWriter> {
    return new ZipWriter(await open(path, 'w', 0o600), path);
  }

  /** Adds an entry whose bytes are in memory (records, manifests). */
  async addBuffer(name: string, data: Uint8Array): Promise<WrittenEntry> {
    const nameBytes = this.admit(name, data.byteLength);
    const crc = crc32(data);
    const start = this.offset;
    await this.write(localHeader(nameBytes, crc, data.byteLength));
    await this.write(data);
    this.central.push({ name: nameBytes, crc, size: data.byteLength, offset: start });
    return { name, size: data.byteLength, crc32: crc, sha256: createHash('sha256').update(data).digest('hex') };
  }

  /** Streams a file into an entry in one pass; returns its digest so the caller can check it. */
  async addFile(name: string, path: string, opts: FileEntryOptions = {}): Promise<WrittenEntry> {
    const source = await open(path, 'r');
    try {
      const expected = (await source.stat()).size;
      const nameBytes = this.admit(name, expected);
      const start = this.offset;
      // Placeholder; rewritten below once CRC and size are known.
      await this.write(localHeader(nameBytes, 0, 0));
      const hash = createHash('sha256');
      let crc = 0;
      let size = 0;
      for (;;) {
        if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The job was cancelled.');
        const { bytesRead } = await source.read(this.chunk, 0, CHUNK, size);
        if (bytesRead === 0) break;
        const part = this.chunk.subarray(0, bytesRead);
        hash.update(part);
        crc = crc32(part, crc);
        await this.write(part);
        size += bytesRead;
        if (start + size > MAX_ARCHIVE_BYTES) tooLarge();
        opts.onBytes?.(size);
      }
      if (size !== expected) throw new AppError('CONFLICT', `${name} changed size while it was being written; export again.`);
      await this.flush();
      const header = localHeader(nameBytes, crc, size);
      await this.writeAt(header, start);
      this.central.push({ name: nameBytes, crc, size, offset: start });
      return { name, size, crc32: crc, sha256: hash.digest('hex') };
    } finally {
      await source.close();
    }
  }

  /** Writes the central directory and its end record, fsyncs and closes. Returns the archive size. */
  async finish(): Promise<number> {
    const cdStart = this.offset;
    for (const e of this.central) await this.write(centralHeader(e));
    const cdSize = this.offset - cdStart;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
    end.writeUInt16LE(0, 4); // this disk
    end.writeUInt16LE(0, 6); // disk with the central directory
    end.writeUInt16LE(this.central.length, 8);
    end.writeUInt16LE(this.central.length, 10);
    end.writeUInt32LE(cdSize, 12);
    end.writeUInt32LE(cdStart, 16);
    end.writeUInt16LE(0, 20); // no comment
    await this.write(end);
    await this.flush();
    await this.handle.sync();
    await this.close();
    return this.offset;
  }

  /** Closes without finishing (the caller removes the file). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  /** Checks order, count and room before an entry is written; returns its name bytes. */
  private admit(name: string, size: number): Buffer {
    if (this.closed) throw new AppError('INTERNAL', 'The ZIP file is already closed.');
    if (!/^[\x21-\x7e]+$/.test(name) || name.startsWith('/') || name.split('/').includes('..')) {
      throw new AppError('INTERNAL', `"${name}" is not a safe ZIP entry name.`);
    }
    if (this.lastName !== null && !(name > this.lastName)) throw new AppError('INTERNAL', `ZIP entries must be added in name order; "${name}" came after "${this.lastName}".`);
    if (this.central.length + 1 >= MAX_ENTRIES) throw new AppError('INVALID_INPUT', `A bundle holds at most ${MAX_ENTRIES - 1} entries; export fewer findings at a time.`);
    const nameBytes = Buffer.from(name, 'ascii');
    // Room for this entry and at least its central record and the end record.
    if (this.offset + 30 + nameBytes.length + size + 46 + nameBytes.length + 22 > MAX_ARCHIVE_BYTES) tooLarge();
    this.lastName = name;
    return nameBytes;
  }

  /**
   * Small writes (headers, records) are gathered and written 1 MiB at a time: a
   * bundle of 10,000 records would otherwise cost 30,000 system calls.
   */
  private async write(data: Uint8Array): Promise<void> {
    if (data.byteLength < SMALL_WRITE) {
      this.pending.push(Buffer.from(data));
      this.pendingBytes += data.byteLength;
      this.offset += data.byteLength;
      if (this.pendingBytes >= CHUNK) await this.flush();
      return;
    }
    await this.flush();
    await this.writeAt(data, this.offset);
    this.offset += data.byteLength;
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.writeAt(data, this.offset - data.length);
  }

  private async writeAt(data: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < data.byteLength) {
      const { bytesWritten } = await this.handle.write(data, done, data.byteLength - done, position + done);
      done += bytesWritten;
    }
  }
}

function tooLarge(): never {
  throw new AppError('INVALID_INPUT', 'The bundle would reach 4 GiB, more than a bundle may hold; export fewer findings or attachments at a time.');
}

function localHeader(name: Buffer, crc: number, size: number): Buffer {
  const h = Buffer.alloc(30 + name.length);
  h.writeUInt32LE(LOCAL_HEADER, 0);
  h.writeUInt16LE(VERSION_NEEDED, 4);
  h.writeUInt16LE(FLAGS, 6);
  h.writeUInt16LE(METHOD_STORED, 8);
  h.writeUInt16LE(DOS_TIME, 10);
  h.writeUInt16LE(DOS_DATE, 12);
  h.writeUInt32LE(crc >>> 0, 14);
  h.writeUInt32LE(size, 18); // compressed = uncompressed: stored
  h.writeUInt32LE(size, 22);
  h.writeUInt16LE(name.length, 26);
  h.writeUInt16LE(0, 28); // no extra field
  name.copy(h, 30);
  return h;
}

function centralHeader(e: CentralRecord): Buffer {
  const h = Buffer.alloc(46 + e.name.length);
  h.writeUInt32LE(CENTRAL_HEADER, 0);
  h.writeUInt16LE(VERSION_MADE_BY, 4);
  h.writeUInt16LE(VERSION_NEEDED, 6);
  h.writeUInt16LE(FLAGS, 8);
  h.writeUInt16LE(METHOD_STORED, 10);
  h.writeUInt16LE(DOS_TIME, 12);
  h.writeUInt16LE(DOS_DATE, 14);
  h.writeUInt32LE(e.crc >>> 0, 16);
  h.writeUInt32LE(e.size, 20);
  h.writeUInt32LE(e.size, 24);
  h.writeUInt16LE(e.name.length, 28);
  h.writeUInt16LE(0, 30); // extra
  h.writeUInt16LE(0, 32); // comment
  h.writeUInt16LE(0, 34); // disk
  h.writeUInt16LE(0, 36); // internal attributes
  h.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
  h.writeUInt32LE(e.offset, 42);
  e.name.copy(h, 46);
  return h;
}
