/** Ctrl on Windows/Linux, Cmd on macOS: the platform's command modifier. */
export function hasCommandModifier(e: { ctrlKey: boolean; metaKey: boolean; altKey: boolean }): boolean {
  return (e.ctrlKey || e.metaKey) && !e.altKey;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** How to write a shortcut for this platform, e.g. "Ctrl+N" or "⌘N". */
export function shortcutLabel(key: string): string {
  return isMac ? `⌘${key}` : `Ctrl+${key}`;
}
