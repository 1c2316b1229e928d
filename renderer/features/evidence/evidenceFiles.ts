/**
 * Evidence files from the person to main, whatever the transport (DESIGN.md
 * rule 3). In the browser, dropped and pasted files are uploaded like picked
 * ones. On the desktop a dropped file is named to main by the preload (its
 * path never reaches the page); a pasted screenshot has no path, so its bytes
 * go with files:fromBytes. The dialog is lib/files.ts's, accepting any file.
 */
import type { FileRef } from '../../../shared/api/files';
import type { Attachment } from '../../../shared/domain/note';
import { AppError } from '../../../shared/result';
import { call, errorMessage, transport } from '../../lib/api';
import { pickAndUploadFiles, uploadDroppedFiles } from '../../lib/files';
import { uploadFile } from '../../lib/httpBridge';

export type Failed = { name: string; message: string };

/** The most files:fromBytes carries (its schema’s limit); a larger file is attached with the dialog. */
const FROM_BYTES_LIMIT = 50 * 1024 * 1024;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * A screenshot pasted from the clipboard is usually called "image.png"; name it
 * by when it was pasted so a list of them can be told apart.
 */
export function pastedName(file: { name: string; type: string }, now: Date): string {
  if (file.name && file.name !== 'image.png') return file.name;
  const ext = /^image\/(png|jpeg|gif|webp)$/.exec(file.type)?.[1]?.replace('jpeg', 'jpg') ?? 'png';
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}.${pad(now.getMinutes())}.${pad(now.getSeconds())}`;
  return `Pasted image ${stamp}.${ext}`;
}

/** A pasted file: its bytes to main on the desktop (it has no path), an upload in the browser. */
async function pastedToRef(file: File): Promise<FileRef> {
  if (transport() === 'desktop') {
    if (file.size > FROM_BYTES_LIMIT) throw new AppError('INVALID_INPUT', `${file.name} is larger than 50 MB; attach it with Choose files… instead.`);
    return call('files:fromBytes', { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
  }
  return uploadFile(file);
}

/** Dropped or pasted files, each handed to main; one failure does not stop the rest. */
export async function refsForFiles(files: File[], source: 'drop' | 'paste'): Promise<{ refs: FileRef[]; failed: Failed[] }> {
  // Dropped files travel like dropped logs (lib/files.ts): uploaded in the browser, named by the preload on the desktop.
  if (source === 'drop') return uploadDroppedFiles(files);
  const refs: FileRef[] = [];
  const failed: Failed[] = [];
  for (const file of files) {
    try {
      refs.push(await pastedToRef(file));
    } catch (error) {
      failed.push({ name: file.name, message: error instanceof AppError ? error.message : errorMessage(error) });
    }
  }
  return { refs, failed };
}

/** The file dialog (desktop) or chooser and upload (browser), any file type. */
export async function refsFromDialog(): Promise<{ refs: FileRef[]; failed: Failed[] }> {
  return pickAndUploadFiles({ title: 'Attach evidence', extensions: [], multiple: true });
}

/** Keeps each file as an attachment of the engagement; returns what was kept and what was refused. */
export async function keepAsAttachments(engagementId: string, refs: FileRef[]): Promise<{ kept: Attachment[]; failed: Failed[] }> {
  const kept: Attachment[] = [];
  const failed: Failed[] = [];
  for (const file of refs) {
    try {
      kept.push(await call('attachment:add', { engagement_id: engagementId, file }));
    } catch (error) {
      failed.push({ name: file.name, message: errorMessage(error) });
    }
  }
  return { kept, failed };
}

/** An attachment's bytes to the person: a save dialog on the desktop, a download in the browser. */
export async function downloadAttachment(a: Pick<Attachment, 'id' | 'name'>): Promise<boolean> {
  if (transport() === 'desktop') {
    const to = await call('dialog:saveFile', { title: 'Save the attachment', default_name: a.name, filters: [] });
    if (!to) return false;
    const { saved } = await call('attachment:download', { id: a.id, to });
    return saved;
  }
  const { download_url } = await call('attachment:download', { id: a.id, to: null });
  if (!download_url) return false;
  // A download, never a navigation: the attribute makes the browser save the answer instead of showing it.
  const link = document.createElement('a');
  link.href = download_url;
  link.download = a.name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  return true;
}

/** An image preview's bytes as a blob: URL (the CSP allows blob: images and nothing remote). */
export function imageUrl(base64: string, mediaType: string): string {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return URL.createObjectURL(new Blob([bytes], { type: mediaType }));
}
