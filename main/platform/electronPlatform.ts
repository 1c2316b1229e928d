/**
 * The Platform port on the desktop: native open/save dialogs. The renderer never
 * sees a path; a picked path is registered in FileRefs and only its ref crosses.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { app, BrowserWindow, dialog, session, type OpenDialogOptions, type SaveDialogOptions, type Session } from 'electron';
import type { FileRef } from '../../shared/api/files';
import type { FileRefs } from '../files/fileRefs';
import { WEB_PREFERENCES, denyPermissionCheck, denyPermissionRequest } from '../window';
import type { Platform } from './platform';
import { APP_SCHEME } from '../protocol';
import { REPORT_CSP } from '../reports/reportHtml';

export type ElectronPlatformDeps = {
  /** FileRefs belong to the app, which is created after the platform: look them up late. */
  files: () => FileRefs;
  /** The window dialogs attach to (modal), if there is one. */
  window: () => BrowserWindow | null;
};

/** Reports being printed now, by their one-time URL: the only pages the print session serves. */
const printable = new Map<string, string>();
let printSession: Session | null = null;

/**
 * A session of its own for printing (in memory: no "persist:" prefix). Its own
 * app:// handler serves the report being printed from memory (no file on disk,
 * no file:// URL: security checklist #18) and nothing else; it grants nothing
 * and downloads nothing.
 */
function reportPrintSession(): Session {
  if (printSession) return printSession;
  const ses = session.fromPartition('evalnotes-report-print', { cache: false });
  ses.setPermissionRequestHandler(denyPermissionRequest);
  ses.setPermissionCheckHandler(denyPermissionCheck);
  ses.setDevicePermissionHandler(denyPermissionCheck);
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !printable.has(details.url) }));
  ses.protocol.handle(APP_SCHEME, (request) => {
    const html = printable.get(request.url);
    if (html === undefined) return new Response(null, { status: 404 });
    return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': REPORT_CSP } });
  });
  ses.on('will-download', (event) => event.preventDefault());
  printSession = ses;
  return ses;
}

/**
 * The engagement report to an A4 PDF: a hidden, sandboxed window with
 * JavaScript off and no preload loads the self-contained HTML from memory and
 * prints it.
 */
async function printToPdf(html: string): Promise<Uint8Array> {
  const url = `${APP_SCHEME}://report-print/${randomUUID()}.html`;
  let window: BrowserWindow | null = null;
  try {
    printable.set(url, html);
    window = new BrowserWindow({
      show: false,
      width: 794,
      height: 1123,
      // contextIsolation and sandbox again, literally: static scanners (electronegativity) cannot follow the spread.
      webPreferences: { ...WEB_PREFERENCES, contextIsolation: true, sandbox: true, session: reportPrintSession(), javascript: false, devTools: false },
    });
    await window.loadURL(url);
    const pdf = await window.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true, displayHeaderFooter: false });
    return new Uint8Array(pdf);
  } finally {
    printable.delete(url);
    if (window && !window.isDestroyed()) window.destroy();
  }
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

export function createElectronPlatform(deps: ElectronPlatformDeps): Platform {
  return {
    transport: 'desktop',

    async openFiles(opts): Promise<FileRef[]> {
      const options: OpenDialogOptions = {
        title: opts.title,
        filters: opts.filters,
        properties: opts.multiple ? ['openFile', 'multiSelections'] : ['openFile'],
      };
      const parent = deps.window();
      const picked = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      if (picked.canceled) return [];
      const files = deps.files();
      return Promise.all(picked.filePaths.map(async (path) => files.register(path, 'read', await sizeOf(path))));
    },

    async saveFile(opts): Promise<FileRef | null> {
      const options: SaveDialogOptions = {
        title: opts.title,
        // A suggested name only: any directory part the caller sent is dropped.
        defaultPath: join(app.getPath('documents'), basename(opts.default_name.replace(/\\/g, '/'))),
        filters: opts.filters,
        properties: ['showOverwriteConfirmation', 'createDirectory'],
      };
      const parent = deps.window();
      const picked = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
      if (picked.canceled || !picked.filePath) return null;
      return deps.files().register(picked.filePath, 'write');
    },

    printToPdf,
  };
}
