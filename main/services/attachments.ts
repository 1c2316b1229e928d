import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, join } from 'node:path';
import type { FileRef } from '../../shared/api/files';
import { Attachment, PREVIEWABLE_IMAGE } from '../../shared/domain/note';
import { AppError } from '../../shared/result';
import type { BlobStore } from '../blobs/blobStore';
import type { FileRefs } from '../files/fileRefs';
import { getRecord } from '../records/readRecords';
import { writeRecord } from '../records/writeRecord';
import type { Workspace } from '../workspace/workspace';
import { fsyncPath } from '../files/durable';

/** Evidence larger than this is refused: it belongs in the evaluation's own storage. */
export const ATTACHMENT_MAX_BYTES = 2 * 1024 ** 3;
/** Images up to this size are shown inline (as base64, so about a third larger on the wire). */
export const IMAGE_PREVIEW_MAX_BYTES = 20 * 1024 ** 2;
/** A text attachment shows its first this-many bytes. */
export const TEXT_PREVIEW_MAX_BYTES = 256 * 1024;
/** How much of a file decides whether it is UTF-8 text. */
const SNIFF_BYTES = 64 * 1024;

export type Preview = { kind: 'image'; media_type: string; base64: string } | { kind: 'text'; text: string; truncated: boolean } | { kind: 'none' };

export const attachmentQueries = {
  ofEngagement: "SELECT body FROM records WHERE parent_id = ? AND type = 'attachment' AND deleted = 0 ORDER BY created_at DESC, id DESC",
  sameBytes: "SELECT body FROM records WHERE parent_id = ? AND type = 'attachment' AND deleted = 0 AND json_extract(body, '$.sha256') = ? ORDER BY rowid LIMIT 1",
};

/**
 * The media type from the bytes, never from the name: the magic numbers of the
 * formats shown inline or common as evidence, then UTF-8 text, else opaque.
 */
export function sniffMediaType(head: Uint8Array, complete: boolean): string {
  const starts = (sig: number[], at = 0) => head.length >= at + sig.length && sig.every((b, i) => head[at + i] === b);
  const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts(ascii('GIF87a')) || starts(ascii('GIF89a'))) return 'image/gif';
  if (starts(ascii('RIFF')) && starts(ascii('WEBP'), 8)) return 'image/webp';
  if (starts(ascii('%PDF-'))) return 'application/pdf';
  return isUtf8Text(head, complete) ? 'text/plain' : 'application/octet-stream';
}

/** Valid UTF-8 without NUL bytes; a multi-byte character cut off at the end of a partial read is fine. */
function isUtf8Text(bytes: Uint8Array, complete: boolean): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

async function readHead(path: string, length: number): Promise<{ head: Buffer; size: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(length, size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return { head: head.subarray(0, bytesRead), size };
  } finally {
    await handle.close();
  }
}

function sizeText(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.ceil(bytes / 1024 ** 2)} MiB`;
}

/**
 * Evidence files: kept once by SHA-256 in the blob store (temp file, fsync,
 * rename), described by an attachment record of the engagement.
 */
export class AttachmentService {
  constructor(
    private readonly ws: Workspace,
    private readonly blobs: BlobStore,
    private readonly files: FileRefs,
    private readonly changed: (types: string[]) => void = () => {},
  ) {}

  list(engagementId: string): Attachment[] {
    getRecord(this.ws.db, 'engagement', engagementId);
    const rows = this.ws.db.prepare(attachmentQueries.ofEngagement).all(engagementId) as { body: string }[];
    return rows.map((r) => Attachment.parse(JSON.parse(r.body)));
  }

  get(id: string): Attachment {
    return getRecord(this.ws.db, 'attachment', id);
  }

  /**
   * Keeps the file behind a ref as evidence of an engagement. The same bytes
   * again return the attachment they already have. The ref is released either way.
   */
  async add(engagementId: string, file: FileRef): Promise<Attachment> {
    try {
      getRecord(this.ws.db, 'engagement', engagementId);
      const { path, name } = this.files.resolve(file.ref, 'read');
      const { head, size } = await readHead(path, SNIFF_BYTES);
      if (size > ATTACHMENT_MAX_BYTES) {
        throw new AppError('INVALID_INPUT', `${name} is ${sizeText(size)}; evidence files may be at most 2 GiB, so keep it elsewhere and attach an excerpt.`);
      }
      const media_type = sniffMediaType(head, size <= SNIFF_BYTES);
      const blob = await this.blobs.putFile(path);
      // Check and create in one write transaction: a second add of the same bytes waits and then finds the first.
      const { attachment, added } = this.ws.db
        .transaction(() => {
          const existing = this.ws.db.prepare(attachmentQueries.sameBytes).get(engagementId, blob.sha256) as { body: string } | undefined;
          if (existing) return { attachment: Attachment.parse(JSON.parse(existing.body)), added: false };
          const fields = { engagement_id: engagementId, sha256: blob.sha256, name: name.trim() || 'attachment', media_type, size: blob.size };
          return { attachment: writeRecord(this.ws.writer(), { action: 'create', type: 'attachment', fields, refs: this.ownRefs(engagementId) }), added: true };
        })
        .immediate();
      if (added) this.changed(['attachment']);
      return attachment;
    } finally {
      this.files.release(file.ref);
    }
  }

  /** What can be shown inline. The bytes are sniffed again: a record from another machine decides nothing alone. */
  async preview(id: string): Promise<Preview> {
    const a = this.get(id);
    this.requireBytes(a);
    const { head, size } = await this.readBlobHead(a.sha256, Math.max(SNIFF_BYTES, TEXT_PREVIEW_MAX_BYTES));
    const actual = sniffMediaType(head.subarray(0, SNIFF_BYTES), size <= SNIFF_BYTES);
    if ((PREVIEWABLE_IMAGE as readonly string[]).includes(actual)) {
      if (size > IMAGE_PREVIEW_MAX_BYTES) return { kind: 'none' };
      return { kind: 'image', media_type: actual, base64: (await this.blobs.readAll(a.sha256)).toString('base64') };
    }
    if (actual === 'text/plain') {
      const truncated = size > TEXT_PREVIEW_MAX_BYTES;
      // stream: true drops a character cut in half at the end instead of showing U+FFFD.
      const text = new TextDecoder('utf-8').decode(head.subarray(0, TEXT_PREVIEW_MAX_BYTES), { stream: truncated });
      return { kind: 'text', text, truncated };
    }
    return { kind: 'none' };
  }

  /** Desktop: writes the bytes to a path picked in the save dialog (temp name beside it, fsync, rename). */
  async saveCopy(id: string, target: string): Promise<void> {
    const a = this.get(id);
    this.requireBytes(a);
    const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
    try {
      // Through the store: in an encrypted workspace the file on disk is sealed.
      await pipeline(this.blobs.createReadStream(a.sha256), createWriteStream(tmp, { mode: 0o600 }));
      await fsyncPath(tmp);
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true });
      const code = (error as { code?: string }).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code === 'EROFS' || code === 'ENOSPC') {
        throw new AppError('FORBIDDEN', `Could not save to ${target} (${code}); choose another place.`);
      }
      throw error;
    }
  }

  /** Browser: a one-time address on the serve host that answers with the bytes under the attachment's name. */
  offerDownload(id: string): string {
    const a = this.get(id);
    this.requireBytes(a);
    const plain = this.blobs.plainPath(a.sha256);
    const ref = plain
      ? this.files.offerDownload(plain, a.name, a.size)
      : this.files.offerStream(a.name, a.size, () => this.blobs.createReadStream(a.sha256));
    return `/files/${ref.ref}`;
  }

  private requireBytes(a: Attachment): void {
    if (!this.blobs.has(a.sha256)) throw new AppError('NOT_FOUND', `The bytes of ${a.name} are not in this workspace.`);
  }

  private async readBlobHead(sha256: string, length: number): Promise<{ head: Buffer; size: number }> {
    const reader = await this.blobs.openReader(sha256);
    try {
      const head = Buffer.alloc(Math.min(length, reader.size));
      const { bytesRead } = await reader.read(head, 0, head.length, 0);
      return { head: head.subarray(0, bytesRead), size: reader.size };
    } finally {
      await reader.close();
    }
  }

  /** Hard references hold only within one author's records (record_refs); others stay soft. */
  private ownRefs(id: string): string[] {
    const author = this.ws.db.prepare('SELECT author FROM records WHERE id = ?').pluck().get(id) as string | undefined;
    return author === this.ws.writer().author ? [id] : [];
  }
}
