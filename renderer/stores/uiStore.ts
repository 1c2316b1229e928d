import { create } from 'zustand';
import { parseRoute, routeHash, type Route } from '../lib/route';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Toast = { id: number; kind: 'info' | 'error'; message: string };

export type UiState = {
  theme: ThemeChoice;
  route: Route;
  /** The last page that was not a form, for Cancel. */
  returnTo: Route;
  toasts: Toast[];
  setTheme: (theme: ThemeChoice) => void;
  navigate: (route: Route) => void;
  /** Leaves a form: back to the page it was opened from (an engagement or home). */
  leaveForm: () => void;
  /** Info toasts fade after a few seconds; errors stay until dismissed, so nobody misses one. */
  notify: (kind: Toast['kind'], message: string) => void;
  dismiss: (id: number) => void;
};

const THEME_KEY = 'evalnotes.theme';
const INFO_TOAST_MS = 4000;
const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

function storedTheme(): ThemeChoice {
  try {
    const v = window.localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** Sets the resolved theme on <html>; the CSS variables hang off data-theme. */
function applyTheme(choice: ThemeChoice): void {
  const dark = choice === 'dark' || (choice === 'system' && darkQuery().matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

let nextToastId = 1;

export const useUiStore = create<UiState>()((set, get) => ({
  theme: storedTheme(),
  route: parseRoute(window.location.hash),
  returnTo: { page: 'home' },
  toasts: [],
  setTheme(theme) {
    try {
      if (theme === 'system') window.localStorage.removeItem(THEME_KEY);
      else window.localStorage.setItem(THEME_KEY, theme);
    } catch {
      // Storage can be unavailable (private mode); the choice then lasts for this session.
    }
    applyTheme(theme);
    set({ theme });
  },
  navigate(route) {
    const hash = routeHash(route);
    const from = get().route;
    if (window.location.hash !== hash) window.location.hash = hash;
    set({ route, returnTo: from.page === 'new' || from.page === 'edit' ? get().returnTo : from });
  },
  leaveForm() {
    const { route, returnTo, navigate } = get();
    navigate(route.page === 'edit' ? { page: 'engagement', id: route.id } : returnTo);
  },
  notify(kind, message) {
    const id = nextToastId++;
    // Keep the pile short: the newest two notes, and every unread error.
    const kept = get().toasts.filter((t) => t.message !== message);
    const infos = kept.filter((t) => t.kind === 'info').slice(-1);
    set({ toasts: [...kept.filter((t) => t.kind === 'error'), ...infos, { id, kind, message }] });
    if (kind === 'info') window.setTimeout(() => get().dismiss(id), INFO_TOAST_MS);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));

/** Wires the store to the browser: back/forward and hand-edited hashes, and the system theme. Call once. */
export function connectUiStore(): void {
  applyTheme(useUiStore.getState().theme);
  darkQuery().addEventListener('change', () => applyTheme(useUiStore.getState().theme));
  window.addEventListener('hashchange', () => {
    const route = parseRoute(window.location.hash);
    if (routeHash(route) !== routeHash(useUiStore.getState().route)) useUiStore.setState({ route });
  });
}
