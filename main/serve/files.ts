import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileRef } from '../../shared/api/files';
import { AppError } from '../../shared/result';
import { BodyAborted, BodyTooLarge, drainThen, hopelesslyLarge, limitedBody } from './body';
import { sendJson, sendText } from './respond';

/** What the file endpoints need from the app (FileRefs provides it). */
export type ServeFiles = {
  receiveUpload(name: string, body: Readable, maxBytes: number): Promise<FileRef>;
  resolve(ref: string, mode: 'read' | 'write'): { path: string; name: string };
  /** Bytes offered only as a stream (an encrypted workspace's blob). */
  takeStream?(ref: string): { name: string; size: number; open: () => Readable } | null;
};

/** Same shape as FileRef.ref: anything else (`..`, escapes, slashes) is simply not a ref. */
const REF_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;

const MAX_NAME_LENGTH = 1024;

function tooLargeSentence(limit: number): string {
  return `The upload is larger than the ${limit} bytes this serve host accepts.`;
}

/** `PUT /files?name=…`: streams the body into the app's temp area and answers with its ref. */
export async function receiveUpload(
  req: IncomingMessage,
  res: ServerResponse,
  files: ServeFiles,
  name: string | null,
  maxBytes: number,
): Promise<void> {
  if (name === null || name.trim() === '' || name.length > MAX_NAME_LENGTH) {
    return sendJson(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: 'Say what the upload is called with ?name=<file name>.' } });
  }
  if (hopelesslyLarge(req, maxBytes)) return sendText(res, 413, tooLargeSentence(maxBytes), { Connection: 'close' });

  const body = limitedBody(req, maxBytes);
  try {
    const ref = await files.receiveUpload(name, body, maxBytes);
    sendJson(res, 200, { ok: true, value: ref });
  } catch (error) {
    const cause = body.errored ?? error;
    if (cause instanceof BodyTooLarge) {
      drainThen(req, (closeAfter) => sendText(res, 413, tooLargeSentence(maxBytes), closeAfter ? { Connection: 'close' } : {}));
      return;
    }
    if (cause instanceof BodyAborted) {
      res.destroy();
      return;
    }
    if (error instanceof AppError) {
      // The service refused it (for example its own size check); whatever is left of the body is not wanted.
      drainThen(req, (closeAfter) =>
        sendJson(res, 400, { ok: false, error: { code: error.code, message: error.message } }, closeAfter ? { Connection: 'close' } : {}),
      );
      return;
    }
    throw error;
  }
}

/** RFC 6266 / 5987: an ASCII fallback plus the exact UTF-8 name. */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_') || 'file';
  let encoded: string;
  try {
    encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    // A lone surrogate cannot be encoded; the fallback still names the file.
    encoded = encodeURIComponent(fallback);
  }
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** `GET /files/<ref>`: the file behind a ref, as a download the browser will not render. */
export async function sendDownload(res: ServerResponse, files: ServeFiles, ref: string): Promise<void> {
  if (!REF_PATTERN.test(ref)) return sendText(res, 404, 'There is no such file.');
  const streamed = files.takeStream?.(ref);
  if (streamed) {
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': contentDisposition(streamed.name),
      'Content-Length': streamed.size,
      'Cache-Control': 'no-store',
    });
    return pipeline(streamed.open(), res);
  }
  let target: { path: string; name: string };
  try {
    target = files.resolve(ref, 'read');
  } catch (error) {
    if (error instanceof AppError) return sendText(res, error.code === 'FORBIDDEN' ? 403 : 404, error.message);
    throw error;
  }
  let size: number;
  try {
    const info = await stat(target.path);
    if (!info.isFile()) return sendText(res, 404, 'That file is not available.');
    size = info.size;
  } catch {
    return sendText(res, 404, 'That file is not available (yet).');
  }
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': contentDisposition(target.name),
    'Content-Length': size,
    'Cache-Control': 'no-store',
  });
  await pipeline(createReadStream(target.path), res);
}
