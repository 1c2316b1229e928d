import type { Clock } from '../../shared/reviewWindow';
import type { Workspace } from '../workspace/workspace';

/** An encrypted workspace locks after this long without a call from the window. */
export const DEFAULT_IDLE_LOCK_MS = 15 * 60 * 1000;
/** How often the timer looks: a lock comes at most this late. */
const CHECK_EVERY_MS = 30 * 1000;

export type IdleLock = {
  /** A call arrived: the workspace is in use. */
  touch(): void;
  /** Locks now if the workspace has been idle long enough; true when it locked. */
  check(): boolean;
  stop(): void;
};

/**
 * Locks an unlocked encrypted workspace (forgets its keys, closes its database)
 * once no call has come for `idleMs`, unless a job (an import, an export) is
 * still using it. Plain workspaces are left alone, as they always were: their
 * data is readable on disk anyway. The clock is the app's, so tests move it
 * instead of waiting.
 */
export function startIdleLock(opts: { ws: Workspace; clock: Clock; idleMs: number; busy: () => boolean; onLock: () => void }): IdleLock {
  let last = opts.clock.now().getTime();
  const check = () => {
    if (!opts.ws.encrypted || !opts.ws.unlocked || opts.idleMs <= 0) return false;
    if (opts.busy()) return false;
    if (opts.clock.now().getTime() - last < opts.idleMs) return false;
    opts.ws.lock();
    opts.onLock();
    return true;
  };
  const timer = opts.idleMs > 0 ? setInterval(check, Math.min(CHECK_EVERY_MS, opts.idleMs)) : null;
  timer?.unref();
  return {
    touch: () => (last = opts.clock.now().getTime()),
    check,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
