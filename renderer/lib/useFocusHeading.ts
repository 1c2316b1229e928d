import { useEffect, useRef } from 'react';

/**
 * Focuses the page heading when a page appears and nothing else holds focus
 * (after saving or cancelling a form, focus would otherwise drop to <body>).
 * When focus is in the sidebar, it stays there so the arrow keys keep working.
 */
export function useFocusHeading<T extends HTMLElement>(key: string) {
  const ref = useRef<T>(null);
  useEffect(() => {
    const active = document.activeElement;
    if (!active || active === document.body) ref.current?.focus();
  }, [key]);
  return ref;
}
