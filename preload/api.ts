/**
 * The bridge the preload exposes as `window.evalnotes`: plain mapping code, no
 * logic. One function per contract call, each bound to its own channel, and one
 * subscription per event; no generic invoke/send/on reaches the page.
 *
 * Why it is shaped this way:
 * - https://www.electronjs.org/docs/latest/tutorial/security#20-do-not-expose-electron-apis-to-untrusted-web-content
 * - https://www.electronjs.org/docs/latest/tutorial/context-isolation#security-considerations
 *   (listeners get the payload only, never the IpcRendererEvent, whose `sender`
 *   is the ipcRenderer itself)
 */
import type { Bridge } from '../shared/api/bridge';
import type { FileRef } from '../shared/api/files';
import { eventNames, rendererCallNames } from '../shared/api/contract';
import type { Result } from '../shared/result';

/** The parts of Electron's ipcRenderer the bridge uses; tests pass a recording fake. */
export type IpcRendererLike = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
};

const TRANSPORT_FAILED: Result<never> = {
  ok: false,
  error: { code: 'INTERNAL', message: 'The EvalNotes window lost contact with the app; restart EvalNotes.' },
};

/** Electron's webUtils.getPathForFile: the path of a File the person dropped or picked ('' for any other File). */
export type PathForFile = (file: File) => string;

const NOT_A_FILE: Result<never> = {
  ok: false,
  error: { code: 'INVALID_INPUT', message: 'That is not a file on this computer (a folder, or something dragged from another app); drop files from a folder instead.' },
};

export function createBridge(ipc: IpcRendererLike, pathForFile: PathForFile): Bridge {
  const calls = Object.fromEntries(
    rendererCallNames.map((name) => [
      name,
      // Main answers every call with a Result envelope; a rejected invoke means
      // the channel itself failed, which the renderer also receives as a Result.
      (input: unknown) => ipc.invoke(name, input).catch(() => TRANSPORT_FAILED),
    ]),
  );
  const events = Object.fromEntries(
    eventNames.map((name) => [
      name,
      (listener: (payload: unknown) => void) => {
        const forward = (_event: unknown, payload: unknown) => listener(payload);
        ipc.on(name, forward);
        return () => {
          ipc.removeListener(name, forward);
        };
      },
    ]),
  );
  // The path goes from Electron straight to main; the page only ever handed over the File.
  const droppedFile = async (file: File): Promise<Result<FileRef>> => {
    const path = pathForFile(file);
    if (!path) return NOT_A_FILE;
    return (ipc.invoke('files:dropped', { path }) as Promise<Result<FileRef>>).catch(() => TRANSPORT_FAILED);
  };
  return Object.freeze({
    transport: 'desktop',
    calls: Object.freeze(calls) as unknown as Bridge['calls'],
    events: Object.freeze(events) as unknown as Bridge['events'],
    droppedFile,
  });
}
