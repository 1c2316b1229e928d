import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createBridge, type IpcRendererLike } from '../../../preload/api';
import { eventNames, PRELOAD_ONLY_CALLS, rendererCallNames } from '../../../shared/api/contract';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** Records what the bridge does with ipcRenderer, and lets a test emit events. */
function fakeIpcRenderer() {
  const listeners = new Map<string, Set<Listener>>();
  const ipc = {
    invoke: vi.fn((channel: string, input: unknown): Promise<unknown> => Promise.resolve({ ok: true, value: { channel, input } })),
    on: vi.fn((channel: string, listener: Listener): void => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)?.add(listener);
    }),
    removeListener: vi.fn((channel: string, listener: Listener): void => {
      listeners.get(channel)?.delete(listener);
    }),
  } satisfies IpcRendererLike;
  const emit = (channel: string, payload: unknown) => {
    // What Electron passes first: an event whose `sender` is ipcRenderer itself.
    const event = { sender: ipc, ports: [], senderFrame: 'not for the page' };
    for (const listener of listeners.get(channel) ?? []) listener(event, payload);
  };
  const count = (channel: string) => listeners.get(channel)?.size ?? 0;
  return { ipc, emit, count };
}

// preload/index.ts runs contextBridge.exposeInMainWorld at import; give it fakes.
const exposed = vi.hoisted(() => new Map<string, unknown>());
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: { invoke: () => Promise.resolve(null), on: () => undefined, removeListener: () => undefined },
  webUtils: { getPathForFile: () => '' },
}));

/** What Electron's webUtils.getPathForFile answers: a path for files from disk, '' for any other File. */
const pathFor = (file: File) => (file.name === 'made-up.json' ? '' : `/home/ada/logs/${file.name}`);

describe('preload bridge', () => {
  let fake: ReturnType<typeof fakeIpcRenderer>;
  beforeEach(() => {
    fake = fakeIpcRenderer();
  });

  it('exposes window.evalnotes and nothing else', async () => {
    await import('../../../preload/index');
    expect([...exposed.keys()]).toEqual(['evalnotes']);
    const bridge = exposed.get('evalnotes') as Record<string, unknown>;
    expect(Object.keys(bridge).sort()).toEqual(['calls', 'droppedFile', 'events', 'transport']);
    expect(bridge.transport).toBe('desktop');
  });

  it('has exactly one function per contract call and event, and no generic invoke/send/on', () => {
    const bridge = createBridge(fake.ipc, pathFor);
    expect(Object.keys(bridge.calls).sort()).toEqual([...rendererCallNames].sort());
    expect(Object.keys(bridge.events).sort()).toEqual([...eventNames].sort());
    for (const fn of [...Object.values(bridge.calls), ...Object.values(bridge.events)]) expect(typeof fn).toBe('function');
    const everyKey = [...Object.keys(bridge), ...Object.keys(bridge.calls), ...Object.keys(bridge.events)];
    for (const generic of ['invoke', 'send', 'sendSync', 'on', 'once', 'removeListener', 'ipcRenderer', 'postMessage']) {
      expect(everyKey).not.toContain(generic);
    }
    expect(Object.isFrozen(bridge.calls)).toBe(true);
    expect(Object.isFrozen(bridge.events)).toBe(true);
  });

  it('invokes each call on its own channel with the input and returns main’s answer', async () => {
    const bridge = createBridge(fake.ipc, pathFor);
    const calls = bridge.calls as Record<string, (input: unknown) => Promise<unknown>>;
    for (const name of rendererCallNames) {
      fake.ipc.invoke.mockClear();
      const input = { probe: name };
      await expect(calls[name]?.(input)).resolves.toEqual({ ok: true, value: { channel: name, input } });
      expect(fake.ipc.invoke).toHaveBeenCalledTimes(1);
      expect(fake.ipc.invoke).toHaveBeenCalledWith(name, input);
    }
  });

  it('gives main the path of a dropped file, which the page can neither see nor choose', async () => {
    const bridge = createBridge(fake.ipc, pathFor);
    for (const name of PRELOAD_ONLY_CALLS) expect(Object.keys(bridge.calls)).not.toContain(name);
    const answer = await bridge.droppedFile!(new File(['{}'], 'results.json'));
    expect(fake.ipc.invoke).toHaveBeenCalledWith('files:dropped', { path: '/home/ada/logs/results.json' });
    expect(answer).toEqual({ ok: true, value: { channel: 'files:dropped', input: { path: '/home/ada/logs/results.json' } } });
    fake.ipc.invoke.mockClear();
    // A File the page built itself has no path: refused without asking main.
    expect(await bridge.droppedFile!(new File(['{}'], 'made-up.json'))).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(fake.ipc.invoke).not.toHaveBeenCalled();
  });

  it('turns a failed channel into an error envelope instead of a rejection', async () => {
    fake.ipc.invoke.mockRejectedValueOnce(new Error("Error invoking remote method 'workspace:status': boom"));
    const answer = await createBridge(fake.ipc, pathFor).calls['workspace:status']({});
    expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(answer)).not.toContain('boom');
  });

  it('passes listeners the payload only, never the IpcRendererEvent', () => {
    const bridge = createBridge(fake.ipc, pathFor);
    const listener = vi.fn();
    bridge.events['records:changed'](listener);
    fake.emit('records:changed', { types: ['engagement'] });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]).toEqual([{ types: ['engagement'] }]);
    // The raw listener handed to ipcRenderer.on is a wrapper, not the page's function.
    expect(fake.ipc.on.mock.calls[0]?.[1]).not.toBe(listener);
  });

  it('subscribes each event on its own channel', () => {
    const bridge = createBridge(fake.ipc, pathFor);
    for (const name of eventNames) bridge.events[name](() => undefined);
    expect(fake.ipc.on.mock.calls.map(([channel]) => channel)).toEqual([...eventNames]);
  });

  it('unsubscribe removes exactly that listener', () => {
    const bridge = createBridge(fake.ipc, pathFor);
    const first = vi.fn();
    const second = vi.fn();
    const stopFirst = bridge.events['job:progress'](first);
    bridge.events['job:progress'](second);
    expect(fake.count('job:progress')).toBe(2);
    stopFirst();
    expect(fake.count('job:progress')).toBe(1);
    fake.emit('job:progress', { job_id: 'job-1', kind: 'import', done: 1, total: 2, message: 'reading' });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
  });
});
