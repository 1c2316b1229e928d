import { useCallback, useRef, useState } from 'react';
import type { Finding } from '../../../shared/domain/finding';

/**
 * One queue for every write a finding page makes (details, sections, status,
 * evidence), each sent with the revision the page last saw. Queued, the page's
 * own writes never conflict with each other; a write made elsewhere meanwhile
 * is refused by main (CONFLICT) instead of being overwritten.
 */
export function useFindingWriter(startRevision: number) {
  const known = useRef(startRevision);
  const [knownRevision, setKnownRevision] = useState(startRevision);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const [pending, setPending] = useState(0);

  const run = useCallback(<T extends Finding>(op: (baseRevision: number) => Promise<T>): Promise<T> => {
    setPending((n) => n + 1);
    const next = queue.current
      .catch(() => undefined)
      .then(() => op(known.current))
      .then((f) => {
        known.current = f.revision;
        setKnownRevision(f.revision);
        return f;
      })
      .finally(() => setPending((n) => n - 1));
    queue.current = next;
    return next;
  }, []);

  /** The revision the page works from, and how many of its writes are on their way. */
  return { run, knownRevision, pending };
}
