/**
 * The only file that touches `ipcMain`. One `ipcMain.handle` per contract call;
 * each handler first checks who is asking (Electron security checklist #17:
 * https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages),
 * then hands the raw input to dispatch, which validates it with the call's zod
 * schema and answers with a Result envelope. No logic lives here.
 */
import { ipcMain } from 'electron';
import { callNames, type CallName } from '../../shared/api/contract';
import type { Result } from '../../shared/result';
import type { Dispatch } from '../api/dispatch';
import { isAppUrl } from '../protocol';

/** The parts of a WebFrameMain the sender check reads. */
export type FrameLike = { readonly url: string; readonly parent: unknown };
/** The parts of an IpcMainInvokeEvent the handlers read. */
export type InvokeEventLike = { readonly senderFrame: FrameLike | null };
export type InvokeHandler = (event: InvokeEventLike, input: unknown) => Promise<Result<unknown>>;
/** Structural ipcMain, so tests pass a fake with a handle() map. */
export type IpcMainLike = {
  handle(channel: string, listener: InvokeHandler): void;
  removeHandler(channel: string): void;
};
export type SenderCheck = (event: InvokeEventLike) => boolean;

const FORBIDDEN: Result<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'This request did not come from the EvalNotes window, so it was refused.' },
};

/**
 * The sender is trusted only if it is the main window's own top frame and that
 * frame currently shows the app:// origin (not an iframe, not a page it was
 * navigated to).
 */
export function isTrustedFrame(frame: FrameLike | null, mainFrame: FrameLike | null): boolean {
  if (frame === null || mainFrame === null) return false;
  return frame === mainFrame && frame.parent === null && isAppUrl(frame.url);
}

/** Registers one handler per contract call; returns a function that removes them again. */
export function registerIpc(ipc: IpcMainLike, dispatch: Dispatch, isTrustedSender: SenderCheck): () => void {
  const registered: CallName[] = [];
  for (const name of callNames) {
    ipc.handle(name, async (event, input) => {
      if (!isTrustedSender(event)) return FORBIDDEN;
      try {
        return await dispatch(name, input);
      } catch {
        // dispatch never throws by contract; if it ever does, no stack crosses IPC.
        return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside EvalNotes; nothing was changed.' } };
      }
    });
    registered.push(name);
  }
  return () => {
    for (const name of registered) ipc.removeHandler(name);
  };
}

/** The shell's entry point: the same registration on Electron's ipcMain. */
export function registerElectronIpc(dispatch: Dispatch, isTrustedSender: SenderCheck): () => void {
  return registerIpc(ipcMain, dispatch, isTrustedSender);
}
