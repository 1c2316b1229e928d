/**
 * Files from the person to main, whatever the transport (DESIGN.md rule 3).
 * On the desktop a native dialog in main hands out file refs; in the browser
 * a file input picks the files and each one is streamed to the serve host,
 * which answers with a ref. Components call these two functions and never
 * look at the transport.
 */
import type { FileRef } from '../../shared/api/files';
import { AppError } from '../../shared/result';
import { call, droppedFile, transport } from './api';
import { uploadFile } from './httpBridge';

/** A file being handed to main: named first, then uploading, then ready (or not). */
export type UploadEvent =
  | { kind: 'listed'; files: { name: string; size: number | null }[] }
  | { kind: 'uploading'; index: number }
  | { kind: 'uploaded'; index: number; ref: FileRef }
  | { kind: 'failed'; index: number; message: string };

export type UploadOutcome = {
  refs: FileRef[];
  failed: { name: string; message: string }[];
};

/** `extensions: []` accepts any file (evidence); `filterName` names the dialog's filter (default "Evaluation logs"). */
export type PickOptions = { title: string; extensions: string[]; multiple?: boolean; filterName?: string };

const NOTHING: UploadOutcome = { refs: [], failed: [] };

/**
 * Opens the page's own file chooser; resolves with the picked files, or none if
 * the person cancels. Exported for files the page keeps as File objects, in
 * either transport (on the desktop Chromium shows the native dialog): a public
 * key it reads itself, or a bundle it hands to main twice (verify, then ingest)
 * through uploadDroppedFiles.
 */
export function chooseInBrowser(opts: PickOptions): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = opts.multiple ?? true;
    if (opts.extensions.length > 0) input.accept = opts.extensions.map((e) => `.${e}`).join(',');
    input.hidden = true;
    input.setAttribute('aria-hidden', 'true');
    const done = (files: File[]) => {
      input.remove();
      resolve(files);
    };
    input.addEventListener('change', () => done(Array.from(input.files ?? [])), { once: true });
    input.addEventListener('cancel', () => done([]), { once: true });
    // Attached so automation (and any extension that looks for it) sees a real input.
    document.body.append(input);
    input.click();
  });
}

/** Streams each file to the serve host in turn, reporting as it goes; one failure does not stop the rest. */
async function uploadAll(files: File[], onEvent: (e: UploadEvent) => void): Promise<UploadOutcome> {
  onEvent({ kind: 'listed', files: files.map((f) => ({ name: f.name, size: f.size })) });
  const outcome: UploadOutcome = { refs: [], failed: [] };
  for (const [index, file] of files.entries()) {
    onEvent({ kind: 'uploading', index });
    try {
      const ref = await uploadFile(file);
      outcome.refs.push(ref);
      onEvent({ kind: 'uploaded', index, ref });
    } catch (error) {
      const message = error instanceof AppError ? error.message : `${file.name} could not be sent to EvalNotes.`;
      outcome.failed.push({ name: file.name, message });
      onEvent({ kind: 'failed', index, message });
    }
  }
  return outcome;
}

/**
 * Asks the person for files and makes them available to main. Resolves with
 * no refs when they cancel. Desktop: main's native dialog (the refs are ready
 * at once). Browser: the file chooser, then one upload per file.
 */
export async function pickAndUploadFiles(opts: PickOptions, onEvent: (e: UploadEvent) => void = () => {}): Promise<UploadOutcome> {
  if (transport() === 'desktop') {
    const refs = await call('dialog:openFiles', {
      title: opts.title,
      filters: opts.extensions.length > 0 ? [{ name: opts.filterName ?? 'Evaluation logs', extensions: opts.extensions }] : [],
      multiple: opts.multiple ?? true,
    });
    if (refs.length === 0) return NOTHING;
    onEvent({ kind: 'listed', files: refs.map((r) => ({ name: r.name, size: r.size })) });
    refs.forEach((ref, index) => onEvent({ kind: 'uploaded', index, ref }));
    return { refs, failed: [] };
  }
  const files = await chooseInBrowser(opts);
  if (files.length === 0) return NOTHING;
  return uploadAll(files, onEvent);
}

/**
 * Makes files dropped on the window available to main. In the browser they
 * are uploaded like picked files; on the desktop the preload hands each File
 * to main, which reads it where it lies (nothing is copied).
 */
export async function uploadDroppedFiles(files: File[], onEvent: (e: UploadEvent) => void = () => {}): Promise<UploadOutcome> {
  if (files.length === 0) return NOTHING;
  if (transport() === 'desktop') return refsForDropped(files, onEvent);
  return uploadAll(files, onEvent);
}

async function refsForDropped(files: File[], onEvent: (e: UploadEvent) => void): Promise<UploadOutcome> {
  onEvent({ kind: 'listed', files: files.map((f) => ({ name: f.name, size: f.size })) });
  const outcome: UploadOutcome = { refs: [], failed: [] };
  for (const [index, file] of files.entries()) {
    const result = await droppedFile(file);
    if (result.ok) {
      outcome.refs.push(result.value);
      onEvent({ kind: 'uploaded', index, ref: result.value });
    } else {
      outcome.failed.push({ name: file.name, message: result.error.message });
      onEvent({ kind: 'failed', index, message: result.error.message });
    }
  }
  return outcome;
}

/**
 * Browser: saves what a one-time serve-host URL answers under the given name.
 * A download, never a navigation: the attribute makes the browser save the
 * answer instead of showing it.
 */
export function downloadFromUrl(url: string, name: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}
