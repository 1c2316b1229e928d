import { useEffect, useLayoutEffect, useState } from 'react';
import { errorMessage, transport } from '../../lib/api';
import { AUTOSAVE_DELAY_MS, Autosaver, type SaveState } from './autosave';

/**
 * An Autosaver bound to a component: it flushes when the component goes away
 * (a route change), when the page is hidden, closed or reloaded, and in the
 * browser asks the person to stay while a save is still on its way.
 */
export function useAutosave<V>(save: (value: V) => Promise<void>): { saver: Autosaver<V>; state: SaveState } {
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const [saver] = useState(() => new Autosaver<V>({ save, delayMs: AUTOSAVE_DELAY_MS, onState: setState, describeError: errorMessage }));
  // The save function closes over the newest props (the note's target, callbacks).
  useLayoutEffect(() => saver.setSave(save));

  useEffect(() => {
    const flush = () => void saver.flush();
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') flush();
    };
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      flush();
      // Desktop: the save already crossed IPC and main finishes it. Browser: the request could be cut off, so ask.
      if (saver.dirty && transport() === 'browser') e.preventDefault();
    };
    window.addEventListener('pagehide', flush);
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('pagehide', flush);
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('visibilitychange', onVisibility);
      // Leaving the screen (route change, editor closed): save what was typed.
      flush();
      saver.dispose();
    };
  }, [saver]);

  return { saver, state };
}
