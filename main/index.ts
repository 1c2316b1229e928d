/**
 * The desktop shell's entry point: app lifecycle and composition root. All
 * product logic lives in createApp's services; this file wires them to one
 * window, the app:// protocol and IPC. Nothing calls Electron at import time
 * except through main(), whose first steps must precede the `ready` event.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, session, type BrowserWindow } from 'electron';
import { AppError } from '../shared/result';
import { openWorkspaceHost, type EvalNotesHost } from './app/workspaceHost';
import { isTrustedFrame, registerElectronIpc } from './ipc/register';
import { createElectronPlatform } from './platform/electronPlatform';
import { registerAppProtocol, registerAppScheme } from './protocol';
import { createMainWindow, hardenSession, hardenWebContents, installApplicationMenu, loadApp } from './window';

/** out/ as seen from the bundled out/main/index.js (inside app.asar when packaged). */
const outDir = fileURLToPath(new URL('..', import.meta.url));

/** Where the workspace lives: apart from Chromium's caches in userData. */
function dataDirectory(): string {
  const fromEnv = process.env.EVALNOTES_DATA_DIR;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(app.getPath('userData'), 'workspace');
}

/**
 * node_modules keeps better-sqlite3-multiple-ciphers built for Node (tests, CLI). A packaged app
 * gets the Electron build electron-builder makes at pack time (the default
 * binding); a dev run uses the copy `npm run rebuild:electron` builds.
 */
function nativeBinding(): string | undefined {
  if (app.isPackaged) return undefined;
  const path = join(app.getAppPath(), 'out', 'native', 'electron', 'better_sqlite3.node');
  if (!existsSync(path)) {
    throw new AppError('UNSUPPORTED', 'The SQLite module for Electron is missing; run `npm run rebuild:electron` and start EvalNotes again.');
  }
  return path;
}

function oneSentence(error: unknown): string {
  if (error instanceof AppError) return error.message;
  return 'EvalNotes could not start because of an unexpected error; your workspace was not changed.';
}

function fail(error: unknown): void {
  if (!(error instanceof AppError)) process.stderr.write(`EvalNotes failed to start: ${String(error)}\n`);
  dialog.showErrorBox('EvalNotes cannot start', oneSentence(error));
  // quit (not exit) so before-quit still closes the workspace if it was opened.
  app.quit();
}

function main(): void {
  // These two must run before `ready`.
  registerAppScheme();
  app.enableSandbox();

  // A second launch (e.g. double-clicking a .evb file) focuses the running app:
  // two processes must not open one workspace's keys at once.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  let evalApp: EvalNotesHost | null = null;
  let mainWindow: BrowserWindow | null = null;
  let closed = false;

  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  // Every web contents, including any the app did not ask for, gets the guards.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (evalApp === null || closed) return;
    event.preventDefault();
    const closing = evalApp;
    evalApp = null;
    void closing
      .close()
      .catch((error: unknown) => process.stderr.write(`EvalNotes did not close cleanly: ${String(error)}\n`))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });

  async function start(): Promise<void> {
    installApplicationMenu(!app.isPackaged);
    hardenSession(session.defaultSession);
    registerAppProtocol(join(outDir, 'renderer'));

    const platform = createElectronPlatform({
      files: () => {
        if (evalApp === null) throw new AppError('INTERNAL', 'EvalNotes is shutting down.');
        return evalApp.files;
      },
      window: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null),
    });
    // A damaged workspace opens in the host's damaged state: the window offers a restore.
    const created = openWorkspaceHost({
      dataDir: dataDirectory(),
      platform,
      appVersion: app.getVersion(),
      nativeBinding: nativeBinding(),
      importWorkerPath: join(outDir, 'main', 'importWorker.js'),
    });
    evalApp = created;

    registerElectronIpc(created.dispatch, (event) =>
      isTrustedFrame(event.senderFrame, mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents.mainFrame : null),
    );
    created.events.subscribe(({ name, payload }) => {
      if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(name, payload);
    });

    const window = createMainWindow({ preloadPath: join(outDir, 'preload', 'index.cjs'), allowDevTools: !app.isPackaged });
    mainWindow = window;
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
    await loadApp(window);
  }

  app.whenReady().then(start).catch(fail);
}

main();
