import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../shared/result';
import { fsyncPath } from '../files/durable';
import { layoutOf, SealedBlobReader, SEGMENT_BYTES, SegmentSealer } from './sealedBlob';

/**
 * The keys of an encrypted workspace's blobs (subkeys of the master key, see
 * main/workspace/encryption.ts). The store asks for them on every use, so a
 * locked workspace refuses (LOCKED) instead of holding keys it should forget.
 */
export type BlobKeys = { encryption: Buffer; naming: Buffer };

/** What a random-access reader of a blob's plaintext offers (a FileHandle has the same shape). */
export type BlobReader = {
  readonly size: number;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
};

const SHA256 = /^[0-9a-f]{64}$/;
/** A temp file this old belongs to no live writer. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/**
 * Content-addressed files outside SQLite (attachments, imported logs):
 * `blobs/ab/cdef…`. Each is written to a temp name, fsynced, renamed, and its
 * folder fsynced, so a crash leaves either the whole blob or none; the same
 * bytes are stored once.
 *
 * In an encrypted workspace (given `keys`) every file here, temp files too, is
 * sealed (sealedBlob.ts) as it is written, and a blob is named by the HMAC of
 * its SHA-256 rather than the digest itself, which would tell anyone holding a
 * known file that it is here. Everything that reads a blob goes through this
 * class (readRange, openReader, createReadStream, readAll), which decrypts in
 * memory only: no plaintext ever lands in a file.
 */
export class BlobStore {
  private readonly tmpDir: string;

  constructor(
    readonly root: string,
    private readonly keys?: () => BlobKeys,
  ) {
    this.tmpDir = join(root, 'tmp');
    mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  /** Whether the bytes on disk are sealed (an encrypted workspace). */
  get encrypted(): boolean {
    return this.keys !== undefined;
  }

  /**
   * Removes temp files a crashed writer left behind (a killed process never
   * reaches its cleanup). Only old ones: another process (the CLI) may be
   * writing a blob right now, and none takes a day. Returns how many went.
   */
  sweepStaleTemp(now = Date.now(), olderThanMs = STALE_TEMP_MS): number {
    let removed = 0;
    for (const name of readdirSync(this.tmpDir)) {
      if (!name.endsWith('.part')) continue;
      const file = join(this.tmpDir, name);
      try {
        if (now - statSync(file).mtimeMs < olderThanMs) continue;
        rmSync(file, { force: true });
        removed += 1;
      } catch {
        // Gone already, or not ours to remove: the next start tries again.
      }
    }
    return removed;
  }

  /**
   * Where the blob's file is. In an encrypted workspace its bytes are sealed:
   * read them through this class, or copy the file as it is (a backup).
   */
  path(sha256: string): string {
    if (!SHA256.test(sha256)) throw new AppError('INVALID_INPUT', 'That is not a SHA-256 digest.');
    const name = this.keys ? this.nameOf(sha256).toString('hex') : sha256;
    return join(this.root, name.slice(0, 2), name.slice(2));
  }

  /** The file itself when its bytes are the plaintext (a plain workspace); null when they are sealed. */
  plainPath(sha256: string): string | null {
    return this.keys ? null : this.path(sha256);
  }

  has(sha256: string): boolean {
    return existsSync(this.path(sha256));
  }

  /**
   * Streams bytes in while hashing them. Returns the digest, the size and whether
   * the blob is new (false when the same bytes were already stored).
   */
  async put(source: Readable, onBytes?: (n: number) => void, signal?: AbortSignal): Promise<{ sha256: string; size: number; added: boolean }> {
    const tmp = join(this.tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const keys = this.keys?.();
    const sealer = keys ? new SegmentSealer(keys.encryption) : null;
    const nameOf = (sha: string) => this.nameOf(sha);
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        onBytes?.(size);
        if (!sealer) return done(null, chunk);
        for (const sealed of sealer.push(chunk)) this.push(sealed);
        done();
      },
      flush(done) {
        // The last segment is sealed with the blob's name, known only now. copy() leaves the hash usable below.
        if (sealer) for (const sealed of sealer.finish(nameOf(hash.copy().digest('hex')))) this.push(sealed);
        done();
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(tmp, { mode: 0o600 }), signal ? { signal } : {});
      await fsyncPath(tmp);
      const sha256 = hash.digest('hex');
      const target = this.path(sha256);
      if (existsSync(target)) {
        await rm(tmp, { force: true });
        return { sha256, size, added: false };
      }
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      await rename(tmp, target);
      await fsyncPath(dirname(target));
      return { sha256, size, added: true };
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  putFile(path: string, onBytes?: (n: number) => void, signal?: AbortSignal) {
    return this.put(createReadStream(path, { highWaterMark: 1 << 20 }), onBytes, signal);
  }

  /** The blob's size in bytes (of its plaintext), from the file's size alone. */
  sizeSync(sha256: string): number {
    const fileBytes = statSync(this.path(sha256)).size;
    return this.keys ? layoutOf(fileBytes, SEGMENT_BYTES, `blob ${sha256.slice(0, 12)}…`).plainBytes : fileBytes;
  }

  /** The blob's size in bytes (of its plaintext). */
  async size(sha256: string): Promise<number> {
    if (!this.keys) return (await stat(this.path(sha256))).size;
    const reader = await this.openReader(sha256);
    await reader.close();
    return reader.size;
  }

  /**
   * Random access to the blob's bytes. In an encrypted workspace only the
   * segments a read touches are decrypted, and the file's integrity (header,
   * last segment, its name) is checked on opening. Close it when done.
   */
  async openReader(sha256: string): Promise<BlobReader> {
    const handle = await open(this.path(sha256), 'r').catch((error: unknown) => {
      if ((error as { code?: string }).code === 'ENOENT') throw new AppError('NOT_FOUND', `The bytes of ${sha256.slice(0, 12)}… are not in this workspace.`);
      throw error;
    });
    const keys = this.keys?.();
    if (!keys) {
      const { size } = await handle.stat();
      return { size, read: (b, o, l, p) => handle.read(b, o, l, p), close: () => handle.close() };
    }
    return SealedBlobReader.open(handle, keys.encryption, this.nameOf(sha256), `blob ${sha256.slice(0, 12)}…`);
  }

  /** Reads a byte range (a sample's bytes inside a log). */
  async readRange(sha256: string, offset: number, length: number): Promise<Buffer> {
    const reader = await this.openReader(sha256);
    try {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, reader.size - offset)));
      const { bytesRead } = await reader.read(buf, 0, buf.length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await reader.close();
    }
  }

  /** The whole blob in memory (small ones only: an image preview). */
  async readAll(sha256: string): Promise<Buffer> {
    const reader = await this.openReader(sha256);
    try {
      const buf = Buffer.alloc(reader.size);
      const { bytesRead } = await reader.read(buf, 0, buf.length, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await reader.close();
    }
  }

  /** The blob's bytes as a stream (downloads, copies), from `start` to `end` (exclusive). */
  createReadStream(sha256: string, start = 0, end?: number): Readable {
    const open = () => this.openReader(sha256);
    return Readable.from(
      (async function* () {
        const reader = await open();
        try {
          const stop = Math.min(end ?? reader.size, reader.size);
          for (let at = start; at < stop; ) {
            const buf = Buffer.alloc(Math.min(1 << 20, stop - at));
            const { bytesRead } = await reader.read(buf, 0, buf.length, at);
            if (bytesRead === 0) break;
            at += bytesRead;
            yield buf.subarray(0, bytesRead);
          }
        } finally {
          await reader.close();
        }
      })(),
      { objectMode: false },
    );
  }

  /** Reads the blob to its end and checks that its bytes still hash to its digest. */
  async verify(sha256: string): Promise<boolean> {
    const hash = createHash('sha256');
    for await (const chunk of this.createReadStream(sha256)) hash.update(chunk as Buffer);
    return hash.digest('hex') === sha256;
  }

  /** The name a blob gets in an encrypted workspace: HMAC-SHA256 of its hex digest under the naming key. */
  private nameOf(sha256: string): Buffer {
    const keys = this.keys?.();
    if (!keys) throw new AppError('INTERNAL', 'Only an encrypted workspace names blobs by HMAC.');
    return createHmac('sha256', keys.naming).update(sha256, 'ascii').digest();
  }

  /** Removes a blob nothing refers to (after a failed import that added it). */
  async remove(sha256: string): Promise<void> {
    const path = this.path(sha256);
    await rm(path, { force: true });
    await rmdir(dirname(path)).catch(() => undefined); // only if now empty
  }
}
