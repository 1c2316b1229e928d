import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../shared/result';
import { fsyncPath } from '../files/durable';

const SHA256 = /^[0-9a-f]{64}$/;
/** A temp file this old belongs to no live writer. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/**
 * Content-addressed files outside SQLite (attachments, imported logs):
 * `blobs/ab/cdef…`. Each is written to a temp name, fsynced, renamed, and its
 * folder fsynced, so a crash leaves either the whole blob or none; the same
 * bytes are stored once.
 */
export class BlobStore {
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = join(root, 'tmp');
    mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
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

  path(sha256: string): string {
    if (!SHA256.test(sha256)) throw new AppError('INVALID_INPUT', 'That is not a SHA-256 digest.');
    return join(this.root, sha256.slice(0, 2), sha256.slice(2));
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
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        onBytes?.(size);
        done(null, chunk);
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

  async size(sha256: string): Promise<number> {
    return (await stat(this.path(sha256))).size;
  }

  /** Reads a byte range (a sample's bytes inside a log). */
  async readRange(sha256: string, offset: number, length: number): Promise<Buffer> {
    const handle = await open(this.path(sha256), 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  /** Removes a blob nothing refers to (after a failed import that added it). */
  async remove(sha256: string): Promise<void> {
    const path = this.path(sha256);
    await rm(path, { force: true });
    await rmdir(dirname(path)).catch(() => undefined); // only if now empty
  }
}
