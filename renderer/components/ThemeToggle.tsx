import { useShallow } from 'zustand/react/shallow';
import { useUiStore, type ThemeChoice } from '../stores/uiStore';

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };
const ICON: Record<ThemeChoice, string> = { system: '◐', light: '☀', dark: '☾' };

/** One button cycling System → Light → Dark; the choice is remembered on this machine. */
export function ThemeToggle() {
  const { theme, setTheme } = useUiStore(useShallow((s) => ({ theme: s.theme, setTheme: s.setTheme })));
  return (
    <button
      type="button"
      className="button button--ghost button--small"
      onClick={() => setTheme(NEXT[theme])}
      title={`Switch to ${LABEL[NEXT[theme]]} theme`}
    >
      <span aria-hidden="true">{ICON[theme]}</span> Theme: {LABEL[theme]}
    </button>
  );
}
