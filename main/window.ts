/**
 * The main window and the guards every web contents and the session get.
 * Each setting maps to an item of Electron's security checklist
 * (https://www.electronjs.org/docs/latest/tutorial/security); the static test
 * test/unit/shell/securityChecklist.test.ts asserts them one by one.
 * EvalNotes runs on air-gapped machines: it makes no network requests at all and
 * never hands a URL to the operating system.
 */
import { BrowserWindow, Menu, type MenuItemConstructorOptions, type Session, type WebContents } from 'electron';
import { APP_ENTRY_URL, isAppUrl } from './protocol';

/** Every security-relevant web preference, spelled out even where it is Electron's default. */
export const WEB_PREFERENCES = Object.freeze({
  contextIsolation: true, // #3
  sandbox: true, // #4
  nodeIntegration: false, // #2
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true, // #6
  allowRunningInsecureContent: false, // #8
  experimentalFeatures: false, // #9
  webviewTag: false, // #11, #12
  navigateOnDragDrop: false,
  safeDialogs: true,
  // Chromium's spellchecker downloads dictionaries from Google: not on this network.
  spellcheck: false,
} as const);

/** Same-origin app:// navigations only (#13). */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

/**
 * The app makes zero network requests: everything that is not the app's own
 * origin is cancelled. `data:` URLs (assets Vite inlines) and the app's own
 * `blob:` URLs never leave the process, so they pass.
 */
export function shouldBlockRequest(url: string): boolean {
  if (isAppUrl(url)) return false;
  if (url.startsWith('data:')) return false;
  if (url.startsWith('blob:')) return !isAppUrl(url.slice('blob:'.length));
  return true;
}

/** window.open and target=_blank: always denied (#14). */
export function denyWindowOpen(): { action: 'deny' } {
  return { action: 'deny' };
}

/** Every permission (camera, notifications, clipboard-read, openExternal, ...) is refused (#5). */
export function denyPermissionRequest(_webContents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

export function denyPermissionCheck(): boolean {
  return false;
}

type Preventable = { url?: string; preventDefault(): void };

function guardNavigation(event: Preventable): void {
  if (!isAllowedNavigation(event.url ?? '')) event.preventDefault();
}

/**
 * Guards for any web contents the app ever creates (wired to `web-contents-created`,
 * so nothing escapes them): no foreign navigation or redirect (#13), no new
 * windows (#14), no <webview> (#12).
 */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', guardNavigation);
  contents.on('will-frame-navigate', guardNavigation);
  contents.on('will-redirect', guardNavigation);
  contents.setWindowOpenHandler(denyWindowOpen);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Session-wide: deny permissions (#5), block every non-app request, refuse downloads, no spellcheck downloads. */
export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler(denyPermissionRequest);
  ses.setPermissionCheckHandler(denyPermissionCheck);
  ses.setDevicePermissionHandler(denyPermissionCheck);
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: shouldBlockRequest(details.url) }));
  ses.on('will-download', (event) => event.preventDefault());
  ses.setSpellCheckerEnabled(false);
}

/**
 * Electron's default menu has Help entries that open electronjs.org in the
 * system browser. The app's menu is built from roles only, none of which leaves
 * the machine.
 */
export function applicationMenuTemplate(platform: NodeJS.Platform, withDevTools: boolean): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }];
  if (withDevTools) view.unshift({ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' });
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' } as const] : [{ role: 'fileMenu' } as const]),
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
  ];
}

export function installApplicationMenu(withDevTools: boolean): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate(process.platform, withDevTools)));
}

/**
 * The one window, created hidden. The caller keeps the reference before loading
 * (IPC sender checks compare against its main frame), then calls loadApp.
 */
export function createMainWindow(opts: { preloadPath: string; allowDevTools: boolean }): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 880,
    minHeight: 560,
    show: false,
    title: 'EvalNotes',
    backgroundColor: '#ffffff',
    // contextIsolation and sandbox again, literally: static scanners (electronegativity) cannot follow the spread.
    webPreferences: { ...WEB_PREFERENCES, contextIsolation: true, sandbox: true, devTools: opts.allowDevTools, preload: opts.preloadPath },
  });
  window.once('ready-to-show', () => window.show());
  return window;
}

/** Loads the renderer from app:// (never file://, #18). Resolves once the page has loaded. */
export function loadApp(window: BrowserWindow): Promise<void> {
  return window.loadURL(APP_ENTRY_URL);
}
