import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isTrustedFrame, registerElectronIpc, registerIpc, type InvokeHandler } from '../../../main/ipc/register';
import { callNames } from '../../../shared/api/contract';
import type { Result } from '../../../shared/result';
import { makeTestApp, type TestApp } from '../../helpers/app';

// register.ts imports ipcMain; hand it a recording fake instead of the
// setup file's "boundary violated" stub.
const fakeIpcMain = vi.hoisted(() => {
  const handlers = new Map<string, InvokeHandler>();
  return {
    handlers,
    handle: vi.fn((channel: string, listener: InvokeHandler) => {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, listener);
    }),
    removeHandler: vi.fn((channel: string) => handlers.delete(channel)),
  };
});
vi.mock('electron', () => ({ ipcMain: fakeIpcMain }));

type Frame = { url: string; parent: unknown };
const mainFrame: Frame = { url: 'app://evalnotes/index.html', parent: null };
const trusted = { senderFrame: mainFrame };

function invoke(channel: string, event: { senderFrame: Frame | null }, input: unknown): Promise<Result<unknown>> {
  const handler = fakeIpcMain.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler(event, input);
}

const senderCheck = (event: { senderFrame: Frame | null }) => isTrustedFrame(event.senderFrame, mainFrame);

describe('registerIpc', () => {
  let testApp: TestApp;

  beforeEach(() => {
    fakeIpcMain.handlers.clear();
    fakeIpcMain.handle.mockClear();
    testApp = makeTestApp();
  });
  afterEach(async () => {
    await testApp.cleanup();
  });

  it('registers every contract call exactly once, and nothing else', () => {
    registerElectronIpc(testApp.app.dispatch, senderCheck);
    const channels = fakeIpcMain.handle.mock.calls.map(([channel]) => channel);
    expect([...channels].sort()).toEqual([...callNames].sort());
    expect(new Set(channels).size).toBe(channels.length);
  });

  it('answers a call from the main window through the real dispatch', async () => {
    registerElectronIpc(testApp.app.dispatch, senderCheck);
    const answer = await invoke('workspace:status', trusted, {});
    expect(answer).toMatchObject({ ok: true, value: { state: 'uninitialized', app_version: '0.0.0-test' } });
  });

  it('refuses an untrusted sender with FORBIDDEN without calling dispatch', async () => {
    const dispatch = vi.fn(testApp.app.dispatch);
    registerIpc(fakeIpcMain, dispatch, senderCheck);
    const untrusted = [
      { senderFrame: null },
      // an iframe inside the window
      { senderFrame: { url: 'app://evalnotes/index.html', parent: mainFrame } },
      // some other frame that happens to show the app's URL
      { senderFrame: { url: 'app://evalnotes/index.html', parent: null } },
    ];
    for (const event of untrusted) {
      const answer = await invoke('workspace:status', event, {});
      expect(answer).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) as string } });
    }
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('refuses the main frame once it shows another origin', async () => {
    const dispatch = vi.fn(testApp.app.dispatch);
    const navigatedAway: Frame = { url: 'https://attacker.example/', parent: null };
    registerIpc(fakeIpcMain, dispatch, (event) => isTrustedFrame(event.senderFrame, navigatedAway));
    const answer = await invoke('workspace:status', { senderFrame: navigatedAway }, {});
    expect(answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('returns INVALID_INPUT for a payload its schema rejects, as one sentence', async () => {
    registerElectronIpc(testApp.app.dispatch, senderCheck);
    const answers = [
      await invoke('workspace:status', trusted, { unexpected: true }),
      await invoke('workspace:unlock', trusted, { passphrase: 42 }),
      await invoke('engagement:get', trusted, { id: '../../etc/passwd' }),
    ];
    for (const answer of answers) {
      expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      if (answer.ok) throw new Error('expected a failure');
      expect(answer.error.message).not.toMatch(/\n|\bat .*:\d+/);
    }
  });

  it('turns a throwing dispatch into an INTERNAL envelope without a stack', async () => {
    registerIpc(fakeIpcMain, () => Promise.reject(new Error('boom\n    at secret.ts:1:1')), senderCheck);
    const answer = await invoke('workspace:status', trusted, {});
    expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(answer)).not.toContain('secret.ts');
  });

  it('removes its handlers again', () => {
    const unregister = registerIpc(fakeIpcMain, testApp.app.dispatch, senderCheck);
    unregister();
    expect(fakeIpcMain.handlers.size).toBe(0);
  });
});
