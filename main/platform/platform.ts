import type { FileRef } from '../../shared/api/files';

/**
 * What services need from the host that differs between the desktop shell and
 * the serve host. The shell implements it with Electron's native dialogs; the
 * serve host has none (the browser uploads instead).
 */
export type Platform = {
  readonly transport: 'desktop' | 'browser';
  openFiles(opts: { title: string; filters: { name: string; extensions: string[] }[]; multiple: boolean }): Promise<FileRef[]>;
  saveFile(opts: { title: string; default_name: string; filters: { name: string; extensions: string[] }[] }): Promise<FileRef | null>;
  /**
   * Prints self-contained HTML (the engagement report) to an A4 PDF. The
   * desktop shell has a Chromium of its own; elsewhere it is absent and the
   * report service looks for the machine's Chromium instead.
   */
  printToPdf?(html: string): Promise<Uint8Array>;
};
