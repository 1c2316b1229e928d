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
 * File entries are streamed in one pass (addFiles): each file's bytes are copied
 * to their place after the room for its local header while SHA-256 and CRC-32
 * (zlib.crc32, native) run over them, then the header is written with the real
 * CRC and size. Reading the next chunks, hashing this one and writing the last
 * ones overlap; for large runs both run on a worker thread. In-memory entries
 * (records) can be laid out ahead (layOut), while files stream, and written in
 * one go. The output is a real file (positional writes), never a pipe.
 */
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { AppError } from '../../shared/result';
import { DigestWorker, PARALLEL_FROM_BYTES, sharedBuffer, type EntryDigest } from './digestWorker';

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
/** Reads of 2 MiB: hashing is markedly slower with small reads (FIELD-NOTES.md). */
const CHUNK = 2 * 1024 * 1024;
/** Buffers a run of files is copied through: reads ahead, one being hashed, writes in flight. */
const RING = 4;
const SMALL_WRITE = 64 * 1024;
/** Gathered small pieces are written once they reach this size. */
const GATHER_BYTES = 4 * 1024 * 1024;

export type WrittenEntry = { name: string; size: number; crc32: number; sha256: string };

/** Positional reads, as a FileHandle offers them (or an encrypted workspace's blob reader). */
export type PositionalReader = {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
};

/**
 * A file to store as an entry: exactly `size` bytes are read from `path`, or
 * through `open` when the bytes on disk are not the entry's (a sealed blob).
 */
export type FileEntry = { name: string; path: string; size: number; open?: () => Promise<PositionalReader> };

type CentralRecord = { name: Buffer; crc: number; size: number; offset: number };

export type FileEntryOptions = {
  /** Called with the bytes copied so far (of this call's files). */
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
  /** Bytes from which SHA-256 runs on a worker thread (tests lower it). */
  parallelFromBytes?: number;
};

/** How much is written between two background flushes to disk (see syncInBackground). */
const SYNC_EVERY_BYTES = 64 * 1024 * 1024;

export class ZipWriter {
  private offset = 0;
  private lastName: string | null = null;
  private readonly central: CentralRecord[] = [];
  private ring: Buffer[] | null = null;
  private closed = false;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The last positional write under way (they run one after another), and the first that failed. */
  private lastWrite: Promise<void> = Promise.resolve();
  private writeError: Error | null = null;
  /** Bytes written since the last flush to disk was started, and that flush while it runs. */
  private unsynced = 0;
  private syncing: Promise<void> | null = null;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** Creates (or truncates) the file at path; the caller owns where it lives. */
  static async create(path: string): Promise<ZipWriter> {
    return new ZipWriter(await open(path, 'w', 0o600), path);
  }

  /** Adds an entry whose bytes are in memory (records, manifests). */
  async addBuffer(name: string, data: Uint8Array): Promise<Omit<WrittenEntry, 'sha256'>> {
    const [written] = await this.addBuffers([{ name, data }]);
    return written!;
  }

  /** Adds a run of in-memory entries; the bytes must not change until the writer is finished. */
  async addBuffers(entries: readonly { name: string; data: Uint8Array }[]): Promise<Omit<WrittenEntry, 'sha256'>[]> {
    return this.addLaidOut(layOut(entries));
  }

  /** Adds in-memory entries laid out ahead (layOut): their bytes go in one write. */
  async addLaidOut(run: LaidOutEntries): Promise<Omit<WrittenEntry, 'sha256'>[]> {
    const base = this.offset;
    for (const e of run.entries) {
      this.admit(e.name, e.size, base + e.at);
      this.central.push({ name: e.nameBytes, crc: e.crc, size: e.size, offset: base + e.at });
    }
    await this.write(run.bytes);
    return run.entries.map((e) => ({ name: e.name, size: e.size, crc32: e.crc }));
  }

  /** Streams one file into an entry; returns its digest so the caller can check it. */
  async addFile(name: string, path: string, opts: FileEntryOptions = {}): Promise<WrittenEntry> {
    const { size } = await stat(path);
    const [written] = await this.addFiles([{ name, path, size }], opts);
    return written!;
  }

  /**
   * Streams a run of files into consecutive entries, each in one pass: the next
   * chunks (of this file or the next) are read while the current one is hashed
   * and earlier ones are written, so disk and CPU overlap; from
   * PARALLEL_FROM_BYTES on, SHA-256 and CRC-32 run on a worker thread
   * (digestWorker.ts).
   * Each entry's data is written after its header's place, and the header once
   * CRC-32 and size are known. Returns each entry's SHA-256 so the caller can
   * check it. A file shorter than its `size` is refused; one that changed
   * otherwise shows in its digest.
   */
  async addFiles(files: readonly FileEntry[], opts: FileEntryOptions = {}): Promise<WrittenEntry[]> {
    await this.flush(); // the positions below follow the bytes already written
    this.ring ??= Array.from({ length: RING }, () => sharedBuffer(CHUNK));
    const reads = new ReadAhead(files, this.ring);
    const worker = files.reduce((n, f) => n + f.size, 0) >= (opts.parallelFromBytes ?? PARALLEL_FROM_BYTES) ? new DigestWorker() : null;
    const written: { name: string; size: number; digest: Promise<EntryDigest> }[] = [];
    /** Each local header, written once its entry's CRC-32 is known. */
    const headers: Promise<void>[] = [];
    let copied = 0;
    const checkCancelled = () => {
      if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The job was cancelled.');
    };
    try {
      for (const file of files) {
        const nameBytes = this.admit(file.name, file.size);
        const start = this.offset;
        const dataStart = start + 30 + nameBytes.length;
        this.offset = dataStart + file.size;
        const hash = createHash('sha256');
        let crc = 0;
        let fromWorker: Promise<EntryDigest> | null = null;
        for (let done = 0; done < file.size; ) {
          checkCancelled();
          if (this.writeError) throw this.writeError;
          const { chunk, slot } = await reads.next();
          const last = done + chunk.length === file.size;
          const written = this.writeInBackground(chunk, dataStart + done);
          if (worker) {
            const hashed = worker.hash(chunk, [0, chunk.length, last ? 1 : 0]);
            if (last) fromWorker = hashed.then(([d]) => d!);
            reads.holdUntil(slot, Promise.all([written, hashed.catch(() => {})]));
          } else {
            hash.update(chunk);
            crc = crc32(chunk, crc);
            reads.holdUntil(slot, written);
          }
          done += chunk.length;
          copied += chunk.length;
          opts.onBytes?.(copied);
        }
        checkCancelled();
        const digest = fromWorker ?? Promise.resolve({ sha256: hash.digest('hex'), crc32: crc >>> 0 });
        const central: CentralRecord = { name: nameBytes, crc: 0, size: file.size, offset: start };
        this.central.push(central);
        const header = digest.then((d) => {
          central.crc = d.crc32;
          return this.writeInBackground(localHeader(nameBytes, d.crc32, file.size), start);
        });
        header.catch(() => {}); // awaited below, unless something else failed first
        headers.push(header);
        written.push({ name: file.name, size: file.size, digest });
      }
      await Promise.all(headers);
      await this.drain();
      const digests = await Promise.all(written.map((w) => w.digest));
      return written.map((w, i) => ({ name: w.name, size: w.size, crc32: digests[i]!.crc32, sha256: digests[i]!.sha256 }));
    } finally {
      await reads.close();
      await worker?.close();
    }
  }

  /** Writes the central directory and its end record, fsyncs and closes. Returns the archive size. */
  async finish(): Promise<number> {
    const cdStart = this.offset;
    await this.write(Buffer.concat(this.central.map(centralHeader)));
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
    await this.drain();
    await this.syncing;
    await this.handle.sync();
    if (this.writeError) throw this.writeError;
    await this.close();
    return this.offset;
  }

  /** Closes without finishing (the caller removes the file). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lastWrite;
    await this.syncing;
    await this.handle.close();
  }

  /** Checks order, count and room before an entry is written at `at`; returns its name bytes. */
  private admit(name: string, size: number, at = this.offset): Buffer {
    if (this.closed) throw new AppError('INTERNAL', 'The ZIP file is already closed.');
    if (!/^[\x21-\x7e]+$/.test(name) || name.startsWith('/') || name.split('/').includes('..')) {
      throw new AppError('INTERNAL', `"${name}" is not a safe ZIP entry name.`);
    }
    if (this.lastName !== null && !(name > this.lastName)) throw new AppError('INTERNAL', `ZIP entries must be added in name order; "${name}" came after "${this.lastName}".`);
    if (this.central.length + 1 >= MAX_ENTRIES) throw new AppError('INVALID_INPUT', `A bundle holds at most ${MAX_ENTRIES - 1} entries; export fewer findings at a time.`);
    const nameBytes = Buffer.from(name, 'ascii');
    // Room for this entry and at least its central record and the end record.
    if (at + 30 + nameBytes.length + size + 46 + nameBytes.length + 22 > MAX_ARCHIVE_BYTES) tooLarge();
    this.lastName = name;
    return nameBytes;
  }

  /** Writes after the bytes before it (small ones gathered, see gather). */
  private async write(data: Uint8Array): Promise<void> {
    if (data.byteLength < SMALL_WRITE) {
      this.gather(data);
      if (this.pendingBytes >= GATHER_BYTES) await this.flush();
      return;
    }
    await this.flush();
    await this.writeAt(data, this.offset);
    this.offset += data.byteLength;
  }

  /**
   * Small pieces (headers, records) are gathered and written a few MiB at a
   * time: a bundle of 10,000 records would otherwise cost 20,000 system calls.
   */
  private gather(data: Uint8Array): void {
    this.pending.push(data);
    this.pendingBytes += data.byteLength;
    this.offset += data.byteLength;
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.writeAt(data, this.offset - data.length);
  }

  /**
   * A positional write left to run while the caller goes on, after the ones
   * before it: one write at a time, as concurrent writes to one file contend for
   * its lock and cost more than they save. drain() waits for them all.
   */
  private writeInBackground(data: Uint8Array, position: number): Promise<void> {
    this.lastWrite = this.lastWrite.then(async () => {
      if (this.writeError) return;
      try {
        await this.writeAt(data, position);
      } catch (error) {
        this.writeError = error instanceof Error ? error : new Error(String(error));
      }
    });
    return this.lastWrite;
  }

  private async drain(): Promise<void> {
    await this.lastWrite;
    if (this.writeError) throw this.writeError;
  }

  private async writeAt(data: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < data.byteLength) {
      const { bytesWritten } = await this.handle.write(data, done, data.byteLength - done, position + done);
      done += bytesWritten;
    }
    this.unsynced += done;
    if (this.unsynced >= SYNC_EVERY_BYTES && !this.syncing) this.syncInBackground();
  }

  /**
   * Starts flushing what is written so far to disk while the export goes on
   * reading and hashing. Left to the final fsync alone, a gigabyte sits in the
   * page cache and is written out only at the end, after all the other work
   * (about 2 s here), instead of alongside it.
   */
  private syncInBackground(): void {
    this.unsynced = 0;
    this.syncing = this.handle
      .datasync()
      .catch((error: unknown) => {
        this.writeError ??= error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => {
        this.syncing = null;
      });
  }
}

/**
 * Reads a run of files chunk by chunk into a ring of buffers, up to
 * ring.length - 1 chunks ahead (across file boundaries: most attachments are a
 * chunk or two). A buffer is filled again only once the write of its previous
 * chunk is done (holdUntil).
 */
class ReadAhead {
  private readonly chunks: { file: number; position: number; length: number; last: boolean }[] = [];
  private readonly reads: Promise<{ chunk: Buffer; slot: number }>[] = [];
  private readonly free: Promise<unknown>[];
  private readonly handles = new Map<number, Promise<PositionalReader>>();
  private started = 0;
  /** Reads run one after another: in order on disk, and a file is closed only after its last one. */
  private lastRead: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly files: readonly FileEntry[],
    private readonly ring: Buffer[],
  ) {
    for (const [file, f] of files.entries()) {
      for (let position = 0; position < f.size; position += CHUNK) {
        this.chunks.push({ file, position, length: Math.min(CHUNK, f.size - position), last: position + CHUNK >= f.size });
      }
    }
    this.free = ring.map(() => Promise.resolve());
  }

  /** The next chunk, in file order, and the ring slot it sits in. */
  next(): Promise<{ chunk: Buffer; slot: number }> {
    while (this.started < this.chunks.length && this.reads.length < this.ring.length - 1) this.start();
    const read = this.reads.shift();
    if (!read) throw new AppError('INTERNAL', 'Read past the last chunk of the files.');
    return read;
  }

  /** The slot's buffer is in use until `done` settles. */
  holdUntil(slot: number, done: Promise<unknown>): void {
    this.free[slot] = done;
  }

  /** Waits for reads under way and closes every file. */
  async close(): Promise<void> {
    await Promise.allSettled(this.reads);
    for (const handle of this.handles.values()) await handle.then((h) => h.close()).catch(() => {});
    this.handles.clear();
  }

  private start(): void {
    const index = this.started++;
    const { file, position, length, last } = this.chunks[index]!;
    const slot = index % this.ring.length;
    const buffer = this.ring[slot]!;
    const entry = this.files[file]!;
    let handle = this.handles.get(file);
    if (!handle) {
      handle = entry.open ? entry.open() : open(entry.path, 'r');
      handle.catch(() => {}); // the read below reports it
      this.handles.set(file, handle);
    }
    const opened = handle;
    const read = Promise.all([this.free[slot], this.lastRead]).then(async () => {
      const h = await opened;
      let at = 0;
      while (at < length) {
        const { bytesRead } = await h.read(buffer, at, length - at, position + at);
        if (bytesRead === 0) throw new AppError('CONFLICT', `${entry.name} changed size while it was being written; export again.`);
        at += bytesRead;
      }
      if (last) {
        this.handles.delete(file);
        await h.close();
      }
      return { chunk: buffer.subarray(0, length), slot };
    });
    this.lastRead = read.catch(() => {}); // the error is seen by whoever awaits the read
    this.reads.push(read);
  }
}

function tooLarge(): never {
  throw new AppError('INVALID_INPUT', 'The bundle would reach 4 GiB, more than a bundle may hold; export fewer findings or attachments at a time.');
}

/**
 * In-memory entries as they sit in a ZIP, each local header then its bytes, in
 * one buffer; `at` is where each entry's header starts in it.
 */
export type LaidOutEntries = { bytes: Buffer; entries: { name: string; nameBytes: Buffer; crc: number; size: number; at: number }[] };

/**
 * Lays out in-memory entries (a bundle's records) for addLaidOut: CRC-32,
 * headers and one buffer. An exporter does this while its attachments stream,
 * so that after them the records cost one write.
 */
export function layOut(entries: readonly { name: string; data: Uint8Array }[]): LaidOutEntries {
  const names = entries.map((e) => Buffer.from(e.name, 'ascii'));
  const bytes = Buffer.allocUnsafe(entries.reduce((n, e, i) => n + 30 + names[i]!.length + e.data.byteLength, 0));
  let at = 0;
  const placed = entries.map(({ name, data }, i) => {
    const nameBytes = names[i]!;
    const crc = crc32(data) >>> 0;
    writeLocalHeader(bytes, at, nameBytes, crc, data.byteLength);
    bytes.set(data, at + 30 + nameBytes.length);
    const entry = { name, nameBytes, crc, size: data.byteLength, at };
    at += 30 + nameBytes.length + data.byteLength;
    return entry;
  });
  return { bytes, entries: placed };
}

function localHeader(name: Buffer, crc: number, size: number): Buffer {
  const h = Buffer.alloc(30 + name.length);
  writeLocalHeader(h, 0, name, crc, size);
  return h;
}

function writeLocalHeader(h: Buffer, at: number, name: Buffer, crc: number, size: number): void {
  h.writeUInt32LE(LOCAL_HEADER, at);
  h.writeUInt16LE(VERSION_NEEDED, at + 4);
  h.writeUInt16LE(FLAGS, at + 6);
  h.writeUInt16LE(METHOD_STORED, at + 8);
  h.writeUInt16LE(DOS_TIME, at + 10);
  h.writeUInt16LE(DOS_DATE, at + 12);
  h.writeUInt32LE(crc >>> 0, at + 14);
  h.writeUInt32LE(size, at + 18); // compressed = uncompressed: stored
  h.writeUInt32LE(size, at + 22);
  h.writeUInt16LE(name.length, at + 26);
  h.writeUInt16LE(0, at + 28); // no extra field
  name.copy(h, at + 30);
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
