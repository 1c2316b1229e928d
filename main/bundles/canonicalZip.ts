/**
 * A strict reader for bundle ZIPs. It accepts exactly one layout, the canonical
 * one the exporter writes, and refuses everything else before any entry is parsed:
 *
 * - entries stored (method 0), never deflated: deflate output differs between
 *   zlib versions, and the unused bits of a deflate stream's last byte can be
 *   changed without changing what it inflates to, so a changed byte could pass.
 *   Stored entries also make a ZIP bomb impossible (every size is a real size);
 * - fixed header fields (CANONICAL below, the values zipWriter.ts writes): DOS
 *   time 1980-01-01 00:00, version made by Unix 2.0, no flags,
 *   external attributes 0644 regular file, no extra fields, no comments, no data
 *   descriptors, no encryption, no ZIP64;
 * - entries sorted by name, no duplicates, each local header equal to its
 *   central-directory record, entries back to back from offset 0, the central
 *   directory right after them, the end record last: no gaps, no trailing bytes.
 *
 * Together with the CRC-32 and the signed SHA-256 of every entry, every byte of
 * the file is checked by something, so any single changed byte is refused.
 * Reads go through a ByteSource so a forwarded bundle (a stored entry inside
 * another bundle) is read in place.
 */
import type { FileHandle } from 'node:fs/promises';
import { unsafeZipName } from '../files/zipNames';

export class BundleRefused extends Error {}

/**
 * Random access to bytes: a file, or a slice of one. `readInto` (optional) fills
 * a caller's buffer instead of allocating one; `file` (optional) lets a worker
 * thread read the same bytes itself (digestPass.ts).
 */
export type ByteSource = {
  size: number;
  read(position: number, length: number): Promise<Buffer>;
  /** Fills `target` from `position` (less at the end of the source); returns the bytes read. */
  readInto?(target: Buffer, position: number): Promise<number>;
  /** The open file these bytes are in, from `offset` on. */
  file?: { fd: number; offset: number };
};

export function fileSource(handle: FileHandle, size: number): ByteSource {
  const readInto = async (target: Buffer, position: number) => {
    const want = Math.max(0, Math.min(target.length, size - position));
    let at = 0;
    while (at < want) {
      const { bytesRead } = await handle.read(target, at, want - at, position + at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at;
  };
  return {
    size,
    async read(position, length) {
      const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - position)));
      return buf.subarray(0, await readInto(buf, position));
    },
    readInto,
    file: { fd: handle.fd, offset: 0 },
  };
}

export function sliceSource(src: ByteSource, offset: number, size: number): ByteSource {
  return {
    size,
    read: (position, length) => src.read(offset + position, Math.min(length, size - position)),
    readInto: (target, position) => readInto(src, target.subarray(0, Math.max(0, Math.min(target.length, size - position))), offset + position),
    file: src.file && { fd: src.file.fd, offset: src.file.offset + offset },
  };
}

/** `src.readInto`, or a read copied into `target` for a source without it. */
export async function readInto(src: ByteSource, target: Buffer, position: number): Promise<number> {
  if (src.readInto) return src.readInto(target, position);
  const bytes = await src.read(position, target.length);
  return bytes.copy(target);
}

export const BUNDLE_ZIP_LIMITS = {
  /** Entries (records, attachments, forwarded bundles and the fixed four). ZIP without ZIP64 holds at most 65,535. */
  maxEntries: 65_535,
  /** One entry; the format has no ZIP64, so under 4 GiB. */
  maxEntryBytes: 0xffff_fffe,
  /** The whole file, likewise. */
  maxTotalBytes: 0xffff_fffe,
  /** A stored entry never expands; anything claiming more than this is refused as a bomb before its method is looked at. */
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
} as const;

/** The one value each header field may have. */
export const CANONICAL = {
  versionMadeBy: (3 << 8) | 20, // Unix, ZIP 2.0
  versionNeeded: 20,
  flags: 0, // names are ASCII (ENTRY_NAME); sizes and CRC in the local header
  method: 0, // stored
  dosTime: 0, // 00:00:00
  dosDate: (0 << 9) | (1 << 5) | 1, // 1980-01-01
  internalAttributes: 0,
  externalAttributes: 0o100644 * 0x10000, // regular file, rw-r--r--
} as const;

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const END_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_RECORD = 22;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

export type BundleEntry = {
  name: string;
  crc32: number;
  size: number;
  localOffset: number;
  /** Where the entry's bytes start (after its local header). */
  dataOffset: number;
};

type CentralRecord = {
  name: string;
  nameBytes: Buffer;
  madeBy: number;
  needed: number;
  flags: number;
  method: number;
  time: number;
  date: number;
  crc32: number;
  compressedSize: number;
  size: number;
  extraLength: number;
  commentLength: number;
  disk: number;
  internal: number;
  external: number;
  localOffset: number;
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the central directory and every local header and checks the layout.
 * `isAllowedName` is the format's entry-name rule (ENTRY_NAME for bundles).
 */
export async function readCanonicalZip(src: ByteSource, label: string, isAllowedName: (name: string) => boolean): Promise<BundleEntry[]> {
  const refuse = (what: string): never => {
    throw new BundleRefused(`${label} ${what}`);
  };
  if (src.size < 4) refuse('is not a ZIP file (it is too short).');
  const head = await src.read(0, 4);
  if (head.readUInt32LE(0) !== LOCAL_SIG) refuse('is not a ZIP file.');
  if (src.size > BUNDLE_ZIP_LIMITS.maxTotalBytes) refuse(`is larger than the ${BUNDLE_ZIP_LIMITS.maxTotalBytes}-byte limit for a bundle.`);
  if (src.size < END_RECORD + LOCAL_HEADER) refuse('is not a complete ZIP archive (truncated).');

  // The end record: last, with no comment. Anywhere else means trailing bytes or truncation.
  const endAt = src.size - END_RECORD;
  const end = await src.read(endAt, END_RECORD);
  if (end.readUInt32LE(0) !== END_SIG) {
    const tailStart = Math.max(0, src.size - 65_557);
    const found = (await src.read(tailStart, src.size - tailStart)).lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const whole = found >= 0 && tailStart + found + END_RECORD <= src.size;
    refuse(whole ? 'has bytes after its ZIP end record (trailing data or a comment).' : 'is not a complete ZIP archive: its end record is missing (truncated?).');
  }
  const disk = end.readUInt16LE(4);
  const cdDisk = end.readUInt16LE(6);
  const entriesOnDisk = end.readUInt16LE(8);
  const entryCount = end.readUInt16LE(10);
  const cdSize = end.readUInt32LE(12);
  const cdOffset = end.readUInt32LE(16);
  const commentLength = end.readUInt16LE(20);
  if (commentLength !== 0) refuse('has a ZIP comment, which a bundle never has.');
  if (disk !== 0 || cdDisk !== 0 || entriesOnDisk !== entryCount) refuse('is a multi-part ZIP archive, which a bundle never is.');
  if (entryCount === 0xffff || cdSize === 0xffff_ffff || cdOffset === 0xffff_ffff) refuse('uses ZIP64, which a bundle never does.');
  if (entryCount > BUNDLE_ZIP_LIMITS.maxEntries) refuse(`has ${entryCount} entries, more than the ${BUNDLE_ZIP_LIMITS.maxEntries} allowed.`);
  if (entryCount === 0) refuse('is an empty ZIP archive.');
  if (cdOffset + cdSize !== endAt) {
    if (endAt >= 20 && (await src.read(endAt - 20, 4)).readUInt32LE(0) === ZIP64_LOCATOR_SIG) refuse('uses ZIP64, which a bundle never does.');
    refuse('is damaged: its central directory does not end where its end record begins (a gap, or a truncated file).');
  }
  if (cdSize < entryCount * CENTRAL_HEADER || cdSize > entryCount * (CENTRAL_HEADER + 300)) refuse('is damaged: its central directory has an impossible size.');

  const cd = await src.read(cdOffset, cdSize);
  const records: CentralRecord[] = [];
  let at = 0;
  for (let i = 0; i < entryCount; i++) {
    if (at + CENTRAL_HEADER > cd.length || cd.readUInt32LE(at) !== CENTRAL_SIG) refuse(`is damaged: central directory record ${i + 1} is not where it should be.`);
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLen = cd.readUInt16LE(at + 32);
    const nameBytes = cd.subarray(at + CENTRAL_HEADER, at + CENTRAL_HEADER + nameLength);
    if (at + CENTRAL_HEADER + nameLength + extraLength + commentLen > cd.length) refuse('is damaged: its central directory is cut short.');
    let name: string;
    try {
      name = utf8.decode(nameBytes);
    } catch {
      name = refuse(`holds an entry whose name is not UTF-8 (record ${i + 1}).`);
    }
    records.push({
      name,
      nameBytes,
      madeBy: cd.readUInt16LE(at + 4),
      needed: cd.readUInt16LE(at + 6),
      flags: cd.readUInt16LE(at + 8),
      method: cd.readUInt16LE(at + 10),
      time: cd.readUInt16LE(at + 12),
      date: cd.readUInt16LE(at + 14),
      crc32: cd.readUInt32LE(at + 16),
      compressedSize: cd.readUInt32LE(at + 20),
      size: cd.readUInt32LE(at + 24),
      extraLength,
      commentLength: commentLen,
      disk: cd.readUInt16LE(at + 34),
      internal: cd.readUInt16LE(at + 36),
      external: cd.readUInt32LE(at + 38),
      localOffset: cd.readUInt32LE(at + 42),
    });
    at += CENTRAL_HEADER + nameLength + extraLength + commentLen;
  }
  if (at !== cd.length) refuse('is damaged: its central directory has bytes its records do not account for.');

  // 1. Safe limits, on the sizes the directory declares (the real bytes are counted when read).
  let total = 0;
  for (const r of records) {
    if (r.size > BUNDLE_ZIP_LIMITS.maxEntryBytes) refuse(`has an entry (${quoted(r)}) over the ${BUNDLE_ZIP_LIMITS.maxEntryBytes}-byte limit.`);
    if (r.size > BUNDLE_ZIP_LIMITS.ratioFloorBytes && r.size > r.compressedSize * BUNDLE_ZIP_LIMITS.maxRatio) {
      refuse(`has an entry (${quoted(r)}) that claims to expand over ${BUNDLE_ZIP_LIMITS.maxRatio} times, which looks like a ZIP bomb.`);
    }
    total += r.size;
    if (total > BUNDLE_ZIP_LIMITS.maxTotalBytes) refuse(`would expand to more than ${BUNDLE_ZIP_LIMITS.maxTotalBytes} bytes, over the limit.`);
  }
  // 2. Names, links, duplicates.
  const seen = new Set<string>();
  for (const r of records) {
    const unsafe = unsafeZipName(r.name);
    if (unsafe) refuse(`holds an entry with an unsafe name (${quoted(r)}: ${unsafe}).`);
    if ((r.madeBy >> 8 === 3 && ((r.external >>> 16) & S_IFMT) === S_IFLNK) || r.name.endsWith('/')) {
      refuse(`holds a ${r.name.endsWith('/') ? 'folder' : 'symbolic link'} entry (${quoted(r)}); a bundle holds only files.`);
    }
    if (seen.has(r.name)) refuse(`holds two entries named ${quoted(r)}.`);
    seen.add(r.name);
    if (!isAllowedName(r.name)) refuse(`holds an entry a bundle never contains (${quoted(r)}).`);
  }
  // 3. Canonical form of the directory: fixed fields, sorted, back to back.
  let expectedOffset = 0;
  let previous: Buffer | null = null;
  for (const r of records) {
    if (r.flags & 0x0001) refuse(`holds an encrypted entry (${quoted(r)}).`);
    if (r.flags & 0x0008) refuse(`uses a data descriptor for ${quoted(r)}; a bundle's sizes and CRC-32 are in its headers.`);
    if (r.method !== CANONICAL.method) refuse(`compresses ${quoted(r)} (ZIP method ${r.method}); bundle entries are stored uncompressed.`);
    if (r.compressedSize !== r.size) refuse(`is damaged: the stored entry ${quoted(r)} declares two different sizes.`);
    const odd = fieldsNotCanonical(r);
    if (odd) refuse(`is not in canonical form: entry ${quoted(r)} has ${odd}.`);
    if (previous !== null && Buffer.compare(previous, r.nameBytes) >= 0) refuse(`is not in canonical form: entry ${quoted(r)} is out of name order.`);
    previous = r.nameBytes;
    if (r.localOffset !== expectedOffset) {
      refuse(r.localOffset > expectedOffset ? `has a gap before entry ${quoted(r)}.` : `is damaged: entry ${quoted(r)} overlaps the one before it.`);
    }
    expectedOffset += LOCAL_HEADER + r.nameBytes.length + r.compressedSize;
  }
  if (expectedOffset !== cdOffset) refuse(expectedOffset < cdOffset ? 'has a gap before its central directory.' : 'is damaged: its last entry runs into the central directory.');

  // 4. Every local header equals its central-directory record. Headers of
  // small entries sit close together, so one read serves a run of them; the
  // bytes of a large entry are never read here (headerRun).
  const entries: BundleEntry[] = [];
  const run = Buffer.allocUnsafe(Math.min(RUN_BYTES, cdOffset));
  for (let first = 0; first < records.length; ) {
    const last = headerRun(records, first);
    const start = records[first]!.localOffset;
    const got = await readInto(src, run.subarray(0, headerEnd(records[last]!) - start), start);
    for (let i = first; i <= last; i++) {
      const r = records[i]!;
      const at = r.localOffset - start;
      const nameAt = at + LOCAL_HEADER;
      if (nameAt + r.nameBytes.length > got || run.readUInt32LE(at) !== LOCAL_SIG) refuse(`is damaged: entry ${quoted(r)} has no local header where the directory says.`);
      const same =
        run.readUInt16LE(at + 4) === r.needed &&
        run.readUInt16LE(at + 6) === r.flags &&
        run.readUInt16LE(at + 8) === r.method &&
        run.readUInt16LE(at + 10) === r.time &&
        run.readUInt16LE(at + 12) === r.date &&
        run.readUInt32LE(at + 14) === r.crc32 &&
        run.readUInt32LE(at + 18) === r.compressedSize &&
        run.readUInt32LE(at + 22) === r.size &&
        run.readUInt16LE(at + 26) === r.nameBytes.length &&
        run.readUInt16LE(at + 28) === 0 &&
        run.compare(r.nameBytes, 0, r.nameBytes.length, nameAt, nameAt + r.nameBytes.length) === 0;
      if (!same) refuse(`is not in canonical form: the local header of ${quoted(r)} differs from its central-directory record.`);
      entries.push({ name: r.name, crc32: r.crc32, size: r.size, localOffset: r.localOffset, dataOffset: nameAt + start + r.nameBytes.length });
    }
    first = last + 1;
  }
  return entries;
}

/** An entry's name as refusals quote it (made only when refusing: a bundle may hold 65,535 entries). */
const quoted = (r: CentralRecord) => JSON.stringify(r.name);

function fieldsNotCanonical(r: CentralRecord): string | null {
  if (r.extraLength !== 0) return 'an extra field';
  if (r.commentLength !== 0) return 'a comment';
  if (r.time !== CANONICAL.dosTime || r.date !== CANONICAL.dosDate) return 'a time other than 1980-01-01 00:00';
  if (r.madeBy !== CANONICAL.versionMadeBy || r.needed !== CANONICAL.versionNeeded) return 'unexpected version fields';
  if (r.flags !== CANONICAL.flags) return 'unexpected flags';
  if (r.disk !== 0 || r.internal !== CANONICAL.internalAttributes) return 'unexpected attributes';
  if (r.external >>> 0 !== CANONICAL.externalAttributes) return 'file attributes other than 0644';
  return null;
}

/**
 * The last record of the header run that starts at record `first`: the run
 * takes the next header while it starts within RUN_GAP_BYTES of the one before
 * and the run stays within RUN_BYTES. Ten thousand small records cost a few
 * reads; five hundred large attachments cost a read of their header each, not
 * of their bytes.
 */
function headerRun(records: readonly CentralRecord[], first: number): number {
  const start = records[first]!.localOffset;
  let last = first;
  while (last + 1 < records.length) {
    const next = records[last + 1]!;
    if (next.localOffset - headerEnd(records[last]!) > RUN_GAP_BYTES || headerEnd(next) - start > RUN_BYTES) break;
    last += 1;
  }
  return last;
}

const RUN_BYTES = 1024 * 1024;
const RUN_GAP_BYTES = 64 * 1024;
const headerEnd = (r: CentralRecord) => r.localOffset + LOCAL_HEADER + r.nameBytes.length;

/** Reads of entry bytes: hashing is far faster with large reads (FIELD-NOTES.md). */
export const ENTRY_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Reads an entry's bytes in order, in chunks of `chunkBytes` (≥ 1 MiB: hashing is
 * far faster with large reads). The next read is already under way while the
 * caller hashes the current chunk, so disk and hash overlap.
 */
export async function* entryChunks(src: ByteSource, label: string, entry: BundleEntry, chunkBytes = ENTRY_CHUNK_BYTES): AsyncGenerator<Buffer> {
  const readAt = (done: number) => src.read(entry.dataOffset + done, Math.min(chunkBytes, entry.size - done));
  let done = 0;
  let pending = entry.size > 0 ? readAt(0) : null;
  while (pending) {
    const chunk = await pending;
    if (chunk.length === 0) throw new BundleRefused(`${label} is damaged: entry ${JSON.stringify(entry.name)} is cut short.`);
    done += chunk.length;
    pending = done < entry.size ? readAt(done) : null;
    yield chunk;
  }
}

/** One run of an entry's bytes; `last` marks the entry's final piece. */
export type EntryPiece = { entry: BundleEntry; chunk: Buffer; last: boolean };

/**
 * The bytes of every entry in file order, from large sequential reads: entries
 * sit back to back (readCanonicalZip checked it), so one pass over the file
 * serves them all, and ten thousand small records cost a few reads instead of
 * ten thousand. The next read is under way while the caller works on the
 * current piece. Every entry yields at least one piece (an empty one when it is
 * empty). A piece is a view into the read buffer: copy it to keep it.
 */
export async function* streamEntries(src: ByteSource, label: string, entries: readonly BundleEntry[], chunkBytes = ENTRY_CHUNK_BYTES): AsyncGenerator<EntryPiece> {
  const lastEntry = entries.at(-1);
  if (!lastEntry) return;
  const end = lastEntry.dataOffset + lastEntry.size;
  let position = entries[0]!.dataOffset;
  const readNext = () => {
    const read = src.read(position, Math.min(chunkBytes, end - position));
    read.catch(() => {}); // a read left behind by an early stop must not crash the process; awaiting it still throws
    return read;
  };
  let pending: Promise<Buffer> | null = position < end ? readNext() : null;
  let buf: Buffer = Buffer.alloc(0);
  let bufStart = position;
  try {
    for (const entry of entries) {
      if (entry.size === 0) {
        yield { entry, chunk: buf.subarray(0, 0), last: true };
        continue;
      }
      let done = 0;
      while (done < entry.size) {
        const at = entry.dataOffset + done;
        if (at >= bufStart + buf.length) {
          const next = pending ? await pending : null;
          if (!next || next.length === 0) throw new BundleRefused(`${label} is damaged: entry ${JSON.stringify(entry.name)} is cut short.`);
          buf = next;
          bufStart = position;
          position += next.length;
          pending = position < end ? readNext() : null;
          continue;
        }
        const to = Math.min(entry.dataOffset + entry.size, bufStart + buf.length);
        const chunk = buf.subarray(at - bufStart, to - bufStart);
        done += chunk.length;
        yield { entry, chunk, last: done === entry.size };
      }
    }
  } finally {
    // Let a read still in flight settle before the caller closes the file.
    await pending?.catch(() => {});
  }
}
