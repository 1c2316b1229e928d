/**
 * The on-disk format of a blob in an encrypted workspace: AES-256-GCM in
 * fixed-size segments, so a 1 GB attachment is written as a stream and read at
 * any offset by decrypting only the segments the range touches.
 *
 *   header   32 bytes: "EVNB", format version 1, 3 zero bytes, segment size
 *            (u32 BE), a random 16-byte file id, 4 zero bytes
 *   segment  nonce (12 random bytes) ‖ ciphertext ‖ GCM tag (16), repeated; every
 *            segment holds SEGMENT_BYTES of plaintext except the last (0…SEGMENT_BYTES)
 *
 * Each segment's associated data is the header ‖ its index (u64 BE) ‖ a final
 * flag (1 on the last segment) and, on the last one only, the blob's name (the
 * HMAC of its SHA-256). So a segment moved within a file (index), taken from
 * another file (file id), a file cut at a segment boundary (no final flag where
 * the file now ends) or a whole file put in another's place (name) fails
 * authentication instead of decrypting to the wrong bytes. The name is bound at
 * the end because a streaming writer knows the digest only then.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { AppError } from '../../shared/result';

export const SEGMENT_BYTES = 1024 * 1024;
export const HEADER_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const SEGMENT_OVERHEAD = NONCE_BYTES + TAG_BYTES;
const MAGIC = Buffer.from('EVNB', 'ascii');
const VERSION = 1;

export function newHeader(segmentBytes = SEGMENT_BYTES): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header[4] = VERSION;
  header.writeUInt32BE(segmentBytes, 8);
  randomBytes(16).copy(header, 12);
  return header;
}

/** The segment size a header declares; refuses anything that is not one of our headers. */
export function parseHeader(header: Buffer, label: string): number {
  if (header.length < HEADER_BYTES || !header.subarray(0, 4).equals(MAGIC) || header[4] !== VERSION) {
    throw tampered(label);
  }
  const segmentBytes = header.readUInt32BE(8);
  if (segmentBytes < 1024 || segmentBytes > 64 * 1024 * 1024) throw tampered(label);
  return segmentBytes;
}

function associatedData(header: Buffer, index: number, final: boolean, name: Buffer | null): Buffer {
  const position = Buffer.alloc(9);
  position.writeBigUInt64BE(BigInt(index), 0);
  position[8] = final ? 1 : 0;
  return Buffer.concat(final && name ? [header, position, name] : [header, position]);
}

export function sealSegment(key: Buffer, header: Buffer, index: number, plaintext: Buffer, final: { name: Buffer } | null): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(associatedData(header, index, final !== null, final?.name ?? null));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

export function openSegment(key: Buffer, header: Buffer, index: number, sealed: Buffer, final: { name: Buffer } | null, label: string): Buffer {
  if (sealed.length < SEGMENT_OVERHEAD) throw tampered(label);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
    decipher.setAAD(associatedData(header, index, final !== null, final?.name ?? null));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw tampered(label);
  }
}

export function tampered(label: string): AppError {
  return new AppError('WORKSPACE_DAMAGED', `The encrypted file of ${label} fails its integrity check (changed, cut short or swapped); restore it from a backup.`);
}

/** Segment count and plaintext size of a sealed file of `fileBytes` bytes. */
export function layoutOf(fileBytes: number, segmentBytes: number, label: string): { segments: number; plainBytes: number } {
  const body = fileBytes - HEADER_BYTES;
  if (body < SEGMENT_OVERHEAD) throw tampered(label);
  const segments = Math.ceil(body / (segmentBytes + SEGMENT_OVERHEAD));
  const plainBytes = body - segments * SEGMENT_OVERHEAD;
  // A last segment with no room for its overhead means bytes were cut or added.
  if (plainBytes < (segments - 1) * segmentBytes) throw tampered(label);
  return { segments, plainBytes };
}

/**
 * Seals a stream segment by segment. The last segment is held back until the
 * input ends, because it is sealed with the blob's name, which `nameAtEnd`
 * computes from the digest of everything that came before.
 */
export class SegmentSealer {
  private readonly header = newHeader();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private started = false;

  constructor(private readonly key: Buffer) {}

  /** Sealed bytes ready to write for this plaintext chunk (possibly none yet). */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      out.push(this.header);
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Strictly more than one segment: the segment in hand may turn out to be the last.
    if (this.pendingBytes <= SEGMENT_BYTES) return out;
    const all = this.pending.length === 1 ? chunk : Buffer.concat(this.pending);
    let at = 0;
    for (; all.length - at > SEGMENT_BYTES; at += SEGMENT_BYTES) {
      out.push(sealSegment(this.key, this.header, this.index++, all.subarray(at, at + SEGMENT_BYTES), null));
    }
    this.pending = [all.subarray(at)];
    this.pendingBytes = all.length - at;
    return out;
  }

  /** The last segment, sealed with the blob's name. */
  finish(name: Buffer): Buffer[] {
    const out: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      out.push(this.header);
    }
    out.push(sealSegment(this.key, this.header, this.index++, Buffer.concat(this.pending), { name }));
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }
}

/**
 * Random access to a sealed file: checks the header and the last segment (which
 * carries the name) when opened, then decrypts only the segments a read
 * touches, keeping the last one decrypted for sequential readers. Has the
 * `read(buffer, offset, length, position)` / `close()` shape of a FileHandle.
 */
export class SealedBlobReader {
  private cached: { index: number; plain: Buffer } | null = null;

  private constructor(
    private readonly handle: FileHandle,
    private readonly key: Buffer,
    private readonly header: Buffer,
    private readonly segmentBytes: number,
    private readonly segments: number,
    readonly size: number,
    private readonly name: Buffer,
    private readonly label: string,
  ) {}

  static async open(handle: FileHandle, key: Buffer, name: Buffer, label: string): Promise<SealedBlobReader> {
    try {
      const { size: fileBytes } = await handle.stat();
      const header = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0);
      if (bytesRead < HEADER_BYTES) throw tampered(label);
      const segmentBytes = parseHeader(header, label);
      const { segments, plainBytes } = layoutOf(fileBytes, segmentBytes, label);
      const reader = new SealedBlobReader(handle, key, header, segmentBytes, segments, plainBytes, name, label);
      await reader.segment(segments - 1);
      return reader;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    let done = 0;
    while (done < length && position + done < this.size) {
      const at = position + done;
      const index = Math.floor(at / this.segmentBytes);
      const plain = await this.segment(index);
      const from = at - index * this.segmentBytes;
      const n = Math.min(length - done, plain.length - from);
      plain.copy(buffer, offset + done, from, from + n);
      done += n;
    }
    return { bytesRead: done };
  }

  /** Every byte from `start` to the end (or to `end`, exclusive), a segment at a time. */
  async *chunks(start = 0, end = this.size): AsyncGenerator<Buffer> {
    for (let at = start; at < end; ) {
      const index = Math.floor(at / this.segmentBytes);
      const plain = await this.segment(index);
      const from = at - index * this.segmentBytes;
      const to = Math.min(plain.length, end - index * this.segmentBytes);
      // A copy: the cache is replaced by the next segment while a consumer may still hold this one.
      yield Buffer.from(plain.subarray(from, to));
      at += to - from;
    }
  }

  close(): Promise<void> {
    this.cached = null;
    return this.handle.close();
  }

  private async segment(index: number): Promise<Buffer> {
    if (this.cached?.index === index) return this.cached.plain;
    const last = index === this.segments - 1;
    const sealedBytes = last ? this.size - index * this.segmentBytes + SEGMENT_OVERHEAD : this.segmentBytes + SEGMENT_OVERHEAD;
    const sealed = Buffer.alloc(sealedBytes);
    const position = HEADER_BYTES + index * (this.segmentBytes + SEGMENT_OVERHEAD);
    let got = 0;
    while (got < sealedBytes) {
      const { bytesRead } = await this.handle.read(sealed, got, sealedBytes - got, position + got);
      if (bytesRead === 0) throw tampered(this.label);
      got += bytesRead;
    }
    const plain = openSegment(this.key, this.header, index, sealed, last ? { name: this.name } : null, this.label);
    this.cached = { index, plain };
    return plain;
  }
}
