/**
 * Electron's security checklist, item by item, against the shell's configuration:
 * https://www.electronjs.org/docs/latest/tutorial/security
 *
 * The Electron binary cannot run on these machines, so the shell is checked in
 * three ways: its exported constants, its exported guard functions, and the real
 * main/index.ts composition run against a recording fake of `electron` (what the
 * window, session, protocol and IPC actually receive). Source scans catch what
 * must not appear anywhere in main/, preload/ or renderer/.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isTrustedFrame } from '../../../main/ipc/register';
import { APP_ENTRY_URL, CONTENT_SECURITY_POLICY } from '../../../main/protocol';
import {
  WEB_PREFERENCES,
  applicationMenuTemplate,
  denyPermissionCheck,
  denyPermissionRequest,
  denyWindowOpen,
  isAllowedNavigation,
  shouldBlockRequest,
} from '../../../main/window';
import { createBridge } from '../../../preload/api';
import { callNames, eventNames, rendererCallNames } from '../../../shared/api/contract';
import type { Result } from '../../../shared/result';

type Listener = (...args: unknown[]) => unknown;
type Frame = { url: string; parent: unknown };
type FakeEvent = { url?: string; preventDefault: () => void };

// #region fake electron: records what the shell hands to each API
const fx = vi.hoisted(() => {
  class Emitter {
    readonly listeners = new Map<string, Listener[]>();
    on(event: string, listener: Listener): this {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
      return this;
    }
    once(event: string, listener: Listener): this {
      return this.on(event, listener);
    }
    emit(event: string, ...args: unknown[]): void {
      for (const listener of this.listeners.get(event) ?? []) listener(...args);
    }
  }

  const log: string[] = [];
  const state = { userData: '', quitCalls: 0, errors: [] as string[], menuTemplate: null as unknown, menuSet: false };
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  class FakeWebContents extends Emitter {
    readonly mainFrame: Frame = { url: 'app://evalnotes/index.html', parent: null };
    openHandler: ((details: { url: string }) => unknown) | null = null;
    readonly sent: [string, unknown][] = [];
    setWindowOpenHandler(handler: (details: { url: string }) => unknown): void {
      this.openHandler = handler;
    }
    send(channel: string, payload: unknown): void {
      this.sent.push([channel, payload]);
    }
  }

  const app = new (class extends Emitter {
    readonly isPackaged = true;
    whenReady(): Promise<void> {
      log.push('whenReady');
      return ready;
    }
    enableSandbox(): void {
      log.push('enableSandbox');
    }
    requestSingleInstanceLock(): boolean {
      log.push('requestSingleInstanceLock');
      return true;
    }
    getPath(name: string): string {
      return join(state.userData, name);
    }
    getAppPath(): string {
      return state.userData;
    }
    getVersion(): string {
      return '0.1.0';
    }
    quit(): void {
      state.quitCalls += 1;
    }
    exit(): void {
      state.quitCalls += 1;
    }
  })();

  class FakeBrowserWindow extends Emitter {
    static readonly all: FakeBrowserWindow[] = [];
    readonly webContents = new FakeWebContents();
    readonly loaded: string[] = [];
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      super();
      FakeBrowserWindow.all.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string): Promise<void> {
      this.loaded.push(url);
      return Promise.resolve();
    }
    isDestroyed(): boolean {
      return false;
    }
  }

  const defaultSession = new (class extends Emitter {
    permissionRequest: Listener | null = null;
    permissionCheck: Listener | null = null;
    devicePermission: Listener | null = null;
    beforeRequest: Listener | null = null;
    spellchecker: boolean | null = null;
    readonly webRequest = { onBeforeRequest: (listener: Listener) => (this.beforeRequest = listener) };
    setPermissionRequestHandler(handler: Listener): void {
      this.permissionRequest = handler;
    }
    setPermissionCheckHandler(handler: Listener): void {
      this.permissionCheck = handler;
    }
    setDevicePermissionHandler(handler: Listener): void {
      this.devicePermission = handler;
    }
    setSpellCheckerEnabled(enabled: boolean): void {
      this.spellchecker = enabled;
    }
  })();

  const schemes: unknown[] = [];
  const protocolHandlers = new Map<string, Listener>();
  const ipcHandlers = new Map<string, Listener>();
  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    session: { defaultSession },
    protocol: {
      registerSchemesAsPrivileged: (list: unknown[]) => {
        log.push('registerSchemesAsPrivileged');
        schemes.push(...list);
      },
      handle: (scheme: string, handler: Listener) => protocolHandlers.set(scheme, handler),
    },
    ipcMain: {
      handle: (channel: string, handler: Listener) => ipcHandlers.set(channel, handler),
      removeHandler: (channel: string) => ipcHandlers.delete(channel),
    },
    Menu: {
      buildFromTemplate: (template: unknown) => (state.menuTemplate = template),
      setApplicationMenu: () => (state.menuSet = true),
    },
    dialog: { showErrorBox: (_title: string, message: string) => state.errors.push(message) },
  };
  return { electron, log, state, markReady, FakeBrowserWindow, defaultSession, schemes, protocolHandlers, ipcHandlers };
});
vi.mock('electron', () => fx.electron);
// #endregion

const repo = join(import.meta.dirname, '..', '..', '..');

/** Source of every TS file under the given folders, with comments removed (so prose may name what code must not use). */
function sources(...folders: string[]): { file: string; code: string }[] {
  const printer = ts.createPrinter({ removeComments: true });
  return folders.flatMap((folder) =>
    readdirSync(join(repo, folder), { recursive: true, encoding: 'utf8' })
      .filter((name) => /\.tsx?$/.test(name) && !name.endsWith('.d.ts'))
      .map((name) => {
        const file = join(repo, folder, name);
        const kind = name.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
        const code = printer.printFile(ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, kind));
        return { file: relative(repo, file).replaceAll('\\', '/'), code };
      }),
  );
}

const appSources = sources('main', 'preload', 'renderer');

function filesMatching(pattern: RegExp, files = appSources): string[] {
  return files.filter(({ code }) => pattern.test(code)).map(({ file }) => file);
}

function cspDirectives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name ?? '', values]),
  );
}

const window = () => {
  const created = fx.FakeBrowserWindow.all[0];
  if (!created) throw new Error('the shell created no window');
  return created;
};
const listenersOf = (event: string) => window().webContents.listeners.get(event) ?? [];
function fire(event: string, url: string): boolean {
  const preventDefault = vi.fn();
  const payload: FakeEvent = { url, preventDefault };
  for (const listener of listenersOf(event)) listener(payload, url);
  return preventDefault.mock.calls.length > 0;
}
function ipc(channel: string, event: { senderFrame: Frame | null }, input: unknown): Promise<Result<unknown>> {
  const handler = fx.ipcHandlers.get(channel);
  if (!handler) throw new Error(`no IPC handler for ${channel}`);
  return handler(event, input) as Promise<Result<unknown>>;
}

// Run the real composition root against the fakes: main() runs at import.
beforeAll(async () => {
  fx.state.userData = mkdtempSync(join(tmpdir(), 'evalnotes-shell-'));
  delete process.env.EVALNOTES_DATA_DIR;
  await import('../../../main/index');
  fx.log.push('ready');
  fx.markReady();
  await vi.waitFor(() => expect(window().loaded).toEqual([APP_ENTRY_URL]));
});

afterAll(async () => {
  // before-quit closes the workspace, then quits.
  for (const listener of fx.electron.app.listeners.get('before-quit') ?? []) listener({ preventDefault: vi.fn() });
  await vi.waitFor(() => expect(fx.state.quitCalls).toBeGreaterThan(0));
  rmSync(fx.state.userData, { recursive: true, force: true });
});

describe('Electron security checklist', () => {
  it('composition root started cleanly (no error dialog) with the workspace under userData', () => {
    expect(fx.state.errors).toEqual([]);
    expect(readdirSync(join(fx.state.userData, 'userData', 'workspace')).length).toBeGreaterThan(0);
  });

  it('#1 Only load secure content: the app:// scheme is secure and every other URL is blocked (zero network requests)', () => {
    expect(fx.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    for (const url of ['http://example.com/', 'https://example.com/x.js', 'ws://127.0.0.1:1/', 'wss://example.com/', 'ftp://example.com/', 'file:///etc/passwd', 'devtools://devtools/bundled/inspector.html', 'chrome-extension://abc/x.js', 'blob:https://example.com/uuid', 'app://other-host/index.html']) {
      expect(shouldBlockRequest(url), url).toBe(true);
    }
    for (const url of ['app://evalnotes/index.html', 'app://evalnotes/assets/x.js', 'data:image/png;base64,AAAA', 'blob:app://evalnotes/2f1c']) {
      expect(shouldBlockRequest(url), url).toBe(false);
    }
    // The default session really runs every request through that check.
    const cancelled = (url: string) => {
      const callback = vi.fn();
      fx.defaultSession.beforeRequest?.({ url }, callback);
      return callback.mock.calls[0]?.[0] as { cancel: boolean };
    };
    expect(cancelled('https://telemetry.example/collect')).toEqual({ cancel: true });
    expect(cancelled('app://evalnotes/index.html')).toEqual({ cancel: false });
    expect(fx.defaultSession.spellchecker).toBe(false);
    expect(WEB_PREFERENCES.spellcheck).toBe(false);
  });

  it('#2 Do not enable Node.js integration for remote content (or any content)', () => {
    expect(WEB_PREFERENCES).toMatchObject({ nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false });
    expect(window().options.webPreferences).toMatchObject({ nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false });
    expect(filesMatching(/nodeIntegration\w*\s*:\s*true/)).toEqual([]);
  });

  it('#3 Enable context isolation', () => {
    expect(WEB_PREFERENCES.contextIsolation).toBe(true);
    expect(window().options.webPreferences.contextIsolation).toBe(true);
    expect(filesMatching(/contextIsolation\s*:\s*false/)).toEqual([]);
  });

  it('#4 Enable process sandboxing (per window and app-wide, before ready)', () => {
    expect(WEB_PREFERENCES.sandbox).toBe(true);
    expect(window().options.webPreferences.sandbox).toBe(true);
    expect(fx.log.indexOf('enableSandbox')).toBeGreaterThanOrEqual(0);
    expect(fx.log.indexOf('enableSandbox')).toBeLessThan(fx.log.indexOf('ready'));
    // The one exception is no Electron window: the CLI's headless Chromium printing the report's own script-free HTML (issue 6).
    expect(filesMatching(/sandbox\s*:\s*false|--no-sandbox|no-sandbox/, sources('main', 'preload'))).toEqual(['main/reports/printPdf.ts']);
  });

  it('#5 Handle session permission requests: every permission is denied', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fullscreen']) {
      const callback = vi.fn();
      denyPermissionRequest({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      const sessionCallback = vi.fn();
      fx.defaultSession.permissionRequest?.({}, permission, sessionCallback, {});
      expect(sessionCallback).toHaveBeenCalledWith(false);
      expect(fx.defaultSession.permissionCheck?.(null, permission, 'app://evalnotes', {})).toBe(false);
    }
    expect(denyPermissionCheck()).toBe(false);
    expect(fx.defaultSession.devicePermission?.({ deviceType: 'usb', origin: 'app://evalnotes' })).toBe(false);
    const download = vi.fn();
    fx.defaultSession.emit('will-download', { preventDefault: download });
    expect(download).toHaveBeenCalled();
  });

  it('#6 Do not disable webSecurity', () => {
    expect(WEB_PREFERENCES.webSecurity).toBe(true);
    expect(window().options.webPreferences.webSecurity).toBe(true);
    expect(filesMatching(/webSecurity\s*:\s*false|disablewebsecurity/i)).toEqual([]);
  });

  it('#7 Define a Content-Security-Policy: no remote origins, no inline script, no eval, on every app:// response', async () => {
    const csp = cspDirectives(CONTENT_SECURITY_POLICY);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    for (const [directive, values] of csp) {
      for (const value of values) {
        expect(["'self'", "'none'", 'data:', 'blob:'], `${directive} ${value}`).toContain(value);
      }
    }
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(eval|inline|hashes)|wasm-unsafe-eval|https?:|wss?:|\*/);
    // The page itself has no inline script.
    const html = readFileSync(join(repo, 'renderer', 'index.html'), 'utf8');
    expect(html.match(/<script\b(?![^>]*\bsrc=)[^>]*>/g) ?? []).toEqual([]);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    // The registered protocol handler attaches the header, even to a 404.
    const handler = fx.protocolHandlers.get('app');
    const response = (await handler?.({ url: 'app://evalnotes/assets/does-not-exist.js', method: 'GET' })) as Response;
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('#8 Do not enable allowRunningInsecureContent', () => {
    expect(WEB_PREFERENCES.allowRunningInsecureContent).toBe(false);
    expect(window().options.webPreferences.allowRunningInsecureContent).toBe(false);
    expect(filesMatching(/allowRunningInsecureContent\s*:\s*true/)).toEqual([]);
  });

  it('#9 Do not enable experimental features', () => {
    expect(WEB_PREFERENCES.experimentalFeatures).toBe(false);
    expect(window().options.webPreferences.experimentalFeatures).toBe(false);
    expect(filesMatching(/experimentalFeatures\s*:\s*true/)).toEqual([]);
  });

  it('#10 Do not use enableBlinkFeatures', () => {
    expect(window().options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
    expect(filesMatching(/enableBlinkFeatures|enable-blink-features/)).toEqual([]);
  });

  it('#11 <webview>: Do not use allowpopups (webviews are off entirely)', () => {
    expect(WEB_PREFERENCES.webviewTag).toBe(false);
    expect(window().options.webPreferences.webviewTag).toBe(false);
    expect(filesMatching(/allowpopups|<webview/i)).toEqual([]);
  });

  it('#12 <webview>: Verify options and params (any attach is prevented)', () => {
    const preventDefault = vi.fn();
    for (const listener of listenersOf('will-attach-webview')) listener({ preventDefault }, { nodeIntegration: true }, { src: 'https://example.com' });
    expect(listenersOf('will-attach-webview').length).toBeGreaterThan(0);
    expect(preventDefault).toHaveBeenCalled();
  });

  it('#13 Disable or limit navigation: same-origin app:// only, for navigations, frame navigations and redirects', () => {
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      expect(listenersOf(event).length, event).toBeGreaterThan(0);
      expect(fire(event, 'https://attacker.example/'), event).toBe(true);
      expect(fire(event, 'file:///etc/passwd'), event).toBe(true);
      expect(fire(event, 'app://evil/index.html'), event).toBe(true);
      expect(fire(event, 'javascript:alert(1)'), event).toBe(true);
      expect(fire(event, 'app://evalnotes/index.html#/engagements'), event).toBe(false);
    }
    expect(isAllowedNavigation('app://evalnotes/')).toBe(true);
    expect(isAllowedNavigation('app://user:pw@evalnotes/')).toBe(false);
    expect(isAllowedNavigation('http://evalnotes/')).toBe(false);
  });

  it('#14 Disable or limit creation of new windows: window.open is always denied', () => {
    expect(denyWindowOpen()).toEqual({ action: 'deny' });
    expect(window().webContents.openHandler?.({ url: 'app://evalnotes/index.html' })).toEqual({ action: 'deny' });
    expect(window().webContents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('#15 Do not use shell.openExternal with untrusted content: it is not used at all (air-gapped)', () => {
    expect(filesMatching(/\bopenExternal\b/)).toEqual([]);
    expect(filesMatching(/import\s*\{[^}]*\bshell\b[^}]*\}\s*from\s*['"]electron['"]/)).toEqual([]);
    // Electron's default menu links to electronjs.org; the app's menu is roles only.
    expect(fx.state.menuSet).toBe(true);
    const items = (template: unknown): Record<string, unknown>[] =>
      (template as Record<string, unknown>[]).flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
    for (const template of [fx.state.menuTemplate, applicationMenuTemplate('darwin', true), applicationMenuTemplate('linux', false)]) {
      for (const item of items(template)) {
        expect(item).not.toHaveProperty('click');
        expect(item.role ?? item.submenu ?? item.type).toBeDefined();
        expect(item.role).not.toBe('help');
      }
    }
  });

  it('#16 Use a current version of Electron', () => {
    const require = createRequire(import.meta.url);
    const installed = (require('electron/package.json') as { version: string }).version;
    const declared = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.electron;
    expect(Number(installed.split('.')[0])).toBeGreaterThanOrEqual(45);
    expect(declared).toMatch(/^\^(4[5-9]|[5-9]\d)\./);
  });

  it('#17 Validate the sender of all IPC messages (and every payload against its zod schema)', async () => {
    const mainFrame = window().webContents.mainFrame;
    expect([...fx.ipcHandlers.keys()].sort()).toEqual([...callNames].sort());
    // Trusted: the main window's top frame on app://.
    expect(await ipc('workspace:status', { senderFrame: mainFrame }, {})).toMatchObject({ ok: true, value: { transport: 'desktop' } });
    // Untrusted: no frame, a subframe, a lookalike frame.
    for (const senderFrame of [null, { url: mainFrame.url, parent: mainFrame }, { url: mainFrame.url, parent: null }]) {
      expect(await ipc('workspace:status', { senderFrame }, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(isTrustedFrame({ url: 'https://attacker.example/', parent: null }, null)).toBe(false);
    const navigated = { url: 'https://attacker.example/', parent: null };
    expect(isTrustedFrame(navigated, navigated)).toBe(false);
    // Payloads are parsed with the call's schema before any service sees them.
    expect(await ipc('engagement:get', { senderFrame: mainFrame }, { id: 42 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await ipc('workspace:status', { senderFrame: mainFrame }, { extra: 'field' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    // Only register.ts touches ipcMain; only the preload touches ipcRenderer.
    expect(filesMatching(/\bipcMain\b/)).toEqual(['main/ipc/register.ts']);
    expect(filesMatching(/\bipcRenderer\b/)).toEqual(['preload/index.ts']);
  });

  it('#18 Avoid the file:// protocol and prefer custom protocols', () => {
    expect(APP_ENTRY_URL).toBe('app://evalnotes/index.html');
    expect(window().loaded).toEqual(['app://evalnotes/index.html']);
    expect([...fx.protocolHandlers.keys()]).toEqual(['app']);
    expect(filesMatching(/\bloadFile\s*\(|file:\/\//, sources('main', 'preload'))).toEqual([]);
    expect(filesMatching(/bypassCSP/)).toEqual([]);
  });

  it('#19 Check which fuses you can change: set in the afterPack hook', async () => {
    const { FUSES } = (await import(pathToFileURL(join(repo, 'build', 'scripts', 'afterPack.mjs')).href)) as { FUSES: Record<string, unknown> };
    const { FuseV1Options } = createRequire(import.meta.url)('@electron/fuses') as { FuseV1Options: Record<string, number | string> };
    const fuse = (name: string) => FUSES[String(FuseV1Options[name])];
    expect(fuse('RunAsNode')).toBe(false);
    expect(fuse('EnableNodeOptionsEnvironmentVariable')).toBe(false);
    expect(fuse('EnableNodeCliInspectArguments')).toBe(false);
    expect(fuse('OnlyLoadAppFromAsar')).toBe(true);
    expect(fuse('EnableCookieEncryption')).toBe(true);
    expect(fuse('EnableEmbeddedAsarIntegrityValidation')).toBe(true);
    expect(fuse('GrantFileProtocolExtraPrivileges')).toBe(false);
    // Every fuse @electron/fuses knows is decided explicitly.
    for (const index of Object.values(FuseV1Options).filter((v) => typeof v === 'number')) expect(FUSES).toHaveProperty(String(index));
    const builderConfig = readFileSync(join(repo, 'electron-builder.yml'), 'utf8');
    expect(builderConfig).toMatch(/^afterPack: \.\/build\/scripts\/afterPack\.mjs$/m);
    expect(builderConfig).toMatch(/^asar: true$/m);
  });

  it('#20 Do not expose Electron APIs to untrusted web content: one function per contract entry, nothing generic', () => {
    expect(window().options.webPreferences.preload).toMatch(/preload[\\/]index\.cjs$/);
    const noop = () => undefined;
    const bridge = createBridge({ invoke: () => Promise.resolve(null), on: noop, removeListener: noop }, () => '');
    // droppedFile takes a File, never a path: the path comes from Electron's webUtils inside the preload.
    expect(Object.keys(bridge).sort()).toEqual(['calls', 'droppedFile', 'events', 'transport']);
    expect(Object.keys(bridge.calls).sort()).toEqual([...rendererCallNames].sort());
    expect(Object.keys(bridge.events).sort()).toEqual([...eventNames].sort());
    const exposures = appSources.flatMap(({ file, code }) => [...code.matchAll(/exposeInMainWorld\(\s*['"](\w+)['"]/g)].map((m) => `${file}:${m[1]}`));
    expect(exposures).toEqual(['preload/index.ts:evalnotes']);
  });
});

describe('composition root', () => {
  it('forwards service events to the main window, one channel per event, payload only', async () => {
    const mainFrame = window().webContents.mainFrame;
    const sender = { senderFrame: mainFrame };
    const created = await ipc('workspace:create', sender, { name: 'Ada Lovelace', org: 'Evaluation Institute', role: 'evaluator', passphrase: 'correct horse battery staple' });
    expect(created).toMatchObject({ ok: true, value: { state: 'unlocked' } });
    const engagement = { developer: 'Lab', model: 'M', model_version: 'v1', access_start: '2026-03-01' };
    expect(await ipc('engagement:create', sender, engagement)).toMatchObject({ ok: true });
    expect(window().webContents.sent).toContainEqual(['records:changed', { types: ['engagement'] }]);
    for (const [channel] of window().webContents.sent) expect(eventNames).toContain(channel);
  });
});
