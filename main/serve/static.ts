import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { mimeTypeFor } from '../rendererAssets';
import { sendText } from './respond';

/**
 * Splits a raw URL path into decoded segments, or null if any segment tries to
 * leave the folder: `..` or `.` (also percent-encoded), slashes or backslashes
 * hidden in an escape, NUL bytes, or a malformed escape.
 */
export function safeSegments(rawPath: string): string[] | null {
  if (rawPath.includes('\\')) return null;
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

/** Serves the built renderer: files by path, index.html for `/` and for app routes (paths without an extension). */
export class StaticFiles {
  private rootReal: string | null = null;

  constructor(private readonly rendererDir: string) {}

  async serve(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> {
    const segments = safeSegments(rawPath);
    if (segments === null) return sendText(res, 400, 'That path is not allowed.');
    // Dot files (.env, .git …) are never part of the renderer.
    if (segments.some((s) => s.startsWith('.'))) return sendText(res, 404, 'There is no such file.');

    const root = await this.root();
    if (root === null) return sendText(res, 404, 'The EvalNotes renderer is not built; run npm run build first.');

    const last = segments.at(-1);
    const wantsPage = last === undefined || !last.includes('.');
    const file = (await this.existingFile(root, segments)) ?? (wantsPage ? await this.existingFile(root, ['index.html']) : null);
    if (file === null) return sendText(res, 404, 'There is no such file.');

    res.writeHead(200, {
      'Content-Type': mimeTypeFor(file.path),
      'Content-Length': file.size,
      // Revalidate every time: a new build must never be mixed with a cached old one.
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(createReadStream(file.path), res);
  }

  private async root(): Promise<string | null> {
    if (this.rootReal === null) {
      try {
        this.rootReal = await realpath(this.rendererDir);
      } catch {
        return null;
      }
    }
    return this.rootReal;
  }

  /** A regular file inside the root, after resolving symlinks; null otherwise. */
  private async existingFile(root: string, segments: string[]): Promise<{ path: string; size: number } | null> {
    try {
      const real = await realpath(join(root, ...segments));
      if (!real.startsWith(root + sep)) return null;
      const info = await stat(real);
      return info.isFile() ? { path: real, size: info.size } : null;
    } catch {
      return null;
    }
  }
}
