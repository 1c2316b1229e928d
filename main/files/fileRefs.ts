import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileRef } from '../../shared/api/files';
import { AppError } from '../../shared/result';
import { fsyncPath } from './durable';

type Entry = {
  path: string;
  name: string;
  mode: 'read' | 'write';
  size: number | null;
  owned: boolean;
  /** A one-time download: the first resolve uses the ref up. */
  once?: boolean;
  /** Bytes that exist only as a stream (an encrypted workspace's blob, decrypted in memory): no path. */
  open?: () => Readable;
};

/**
 * Opaque handles for files. The renderer only ever holds a ref; main keeps the
 * path. Refs for uploads and outputs point into a private temp area that is
 * removed on dispose.
 */
export class FileRefs {
  private readonly entries = new Map<string, Entry>();
  private readonly tempDir: string;

  constructor(tempRoot: string) {
    this.tempDir = join(tempRoot, `evalnotes-files-${randomBytes(6).toString('hex')}`);
    mkdirSync(this.tempDir, { recursive: true, mode: 0o700 });
  }

  /** A file the user picked in a native dialog (desktop). */
  register(path: string, mode: 'read' | 'write', size: number | null = null): FileRef {
    return this.add({ path, name: basename(path), mode, size, owned: false });
  }

  /**
   * Streams an upload into the temp area (browser). Refuses more than maxBytes and
   * leaves nothing behind on failure.
   */
  async receiveUpload(name: string, body: Readable, maxBytes: number): Promise<FileRef> {
    const safeName = sanitizeName(name);
    const ref = newRef();
    // Keep the file's own name: importers pair lm-eval samples files by it.
    const dir = join(this.tempDir, ref);
    mkdirSync(dir, { mode: 0o700 });
    const path = join(dir, safeName);
    let size = 0;
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > maxBytes) throw new AppError('INVALID_INPUT', `The upload is larger than the ${maxBytes} bytes allowed.`);
            yield chunk;
          }
        },
        createWriteStream(path, { mode: 0o600 }),
      );
      await fsyncPath(path);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    this.entries.set(ref, { path, name: safeName, mode: 'read', size, owned: true });
    return { ref, name: safeName, size };
  }

  /**
   * Bytes the person pasted (a screenshot, desktop only) become a file in the
   * temp area, written and fsynced like an upload, with a ref like a picked file.
   */
  async fromBytes(name: string, bytes: Uint8Array): Promise<FileRef> {
    const safeName = sanitizeName(name);
    const ref = newRef();
    const dir = join(this.tempDir, ref);
    mkdirSync(dir, { mode: 0o700 });
    const path = join(dir, safeName);
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    this.entries.set(ref, { path, name: safeName, mode: 'read', size: bytes.byteLength, owned: true });
    return { ref, name: safeName, size: bytes.byteLength };
  }

  /**
   * A file main already keeps (an attachment's blob) offered to the browser
   * once: the serve host's GET /files/<ref> uses the ref up. The file itself is
   * not the temp area's and stays.
   */
  offerDownload(path: string, name: string, size: number): FileRef {
    return this.add({ path, name: sanitizeName(name), mode: 'read', size, owned: false, once: true });
  }

  /**
   * Like offerDownload, for bytes that must never be written out as a file (a
   * blob of an encrypted workspace): the serve host streams them (takeStream).
   */
  offerStream(name: string, size: number, open: () => Readable): FileRef {
    return this.add({ path: '', name: sanitizeName(name), mode: 'read', size, owned: false, once: true, open });
  }

  /** The stream behind a ref made by offerStream, used up; null for any other ref. */
  takeStream(ref: string): { name: string; size: number; open: () => Readable } | null {
    const entry = this.entries.get(ref);
    if (!entry?.open) return null;
    this.entries.delete(ref);
    return { name: entry.name, size: entry.size ?? 0, open: entry.open };
  }

  /** A temp file a job writes and the browser then downloads. */
  createOutput(name: string): FileRef {
    const ref = newRef();
    const safeName = sanitizeName(name);
    mkdirSync(join(this.tempDir, ref), { mode: 0o700 });
    return this.addWithRef(ref, { path: join(this.tempDir, ref, safeName), name: safeName, mode: 'write', size: null, owned: true });
  }

  resolve(ref: string, mode: 'read' | 'write'): { path: string; name: string } {
    const entry = this.entries.get(ref);
    // A stream has no path to hand out: only the serve host's download takes it.
    if (!entry || entry.open) throw new AppError('NOT_FOUND', 'That file is no longer available; pick it again.');
    if (mode === 'read' && entry.mode === 'write' && !entry.owned) {
      throw new AppError('FORBIDDEN', 'That file was chosen for saving, not for reading.');
    }
    if (mode === 'write' && entry.mode === 'read') throw new AppError('FORBIDDEN', 'That file was chosen for reading, not for saving.');
    if (entry.once) this.entries.delete(ref);
    return { path: entry.path, name: entry.name };
  }

  release(ref: string): void {
    const entry = this.entries.get(ref);
    if (!entry) return;
    this.entries.delete(ref);
    // Owned files live in a folder of their own, named by the ref.
    if (entry.owned) rmSync(join(this.tempDir, ref), { recursive: true, force: true });
  }

  dispose(): void {
    this.entries.clear();
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  private add(entry: Entry): FileRef {
    return this.addWithRef(newRef(), entry);
  }

  private addWithRef(ref: string, entry: Entry): FileRef {
    this.entries.set(ref, entry);
    return { ref, name: entry.name, size: entry.size };
  }
}

function newRef(): string {
  return randomBytes(16).toString('base64url');
}

/** Keeps a display name only: no directories, no control characters. */
function sanitizeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
}
