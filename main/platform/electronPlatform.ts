/**
 * The Platform port on the desktop: native open/save dialogs. The renderer never
 * sees a path; a picked path is registered in FileRefs and only its ref crosses.
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { app, dialog, type BrowserWindow, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import type { FileRef } from '../../shared/api/files';
import type { FileRefs } from '../files/fileRefs';
import type { Platform } from './platform';

export type ElectronPlatformDeps = {
  /** FileRefs belong to the app, which is created after the platform: look them up late. */
  files: () => FileRefs;
  /** The window dialogs attach to (modal), if there is one. */
  window: () => BrowserWindow | null;
};

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
  };
}
