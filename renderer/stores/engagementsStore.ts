import { create } from 'zustand';
import type { Engagement, EngagementChanges, EngagementInput } from '../../shared/domain/engagement';
import { call, errorMessage, subscribe } from '../lib/api';
import { useUiStore } from './uiStore';

export type EngagementsState = {
  items: Engagement[];
  /** False until the first list arrives, so the empty state does not flash. */
  loaded: boolean;
  /** The engagement on screen (from the route); null on the home screen and the create form. */
  selectedId: string | null;
  select: (id: string | null) => void;
  refresh: () => Promise<void>;
  /** Each write throws ApiCallError with main's one-sentence message; nothing is saved then. */
  create: (input: EngagementInput) => Promise<Engagement>;
  update: (id: string, baseRevision: number, changes: EngagementChanges) => Promise<Engagement>;
  close: (id: string) => Promise<Engagement>;
  /** Forget everything cached (on lock: nothing sensitive stays in memory). */
  reset: () => void;
};

/** Replaces a record in the cached list, or adds it, keeping the server's order (newest access start first). */
function upsert(items: Engagement[], e: Engagement): Engagement[] {
  const rest = items.filter((x) => x.id !== e.id);
  return [...rest, e].sort((a, b) => b.access_start.localeCompare(a.access_start) || b.id.localeCompare(a.id));
}

export const useEngagementsStore = create<EngagementsState>()((set, get) => ({
  items: [],
  loaded: false,
  selectedId: null,
  select(id) {
    set({ selectedId: id });
  },
  async refresh() {
    try {
      set({ items: await call('engagements:list', { include_closed: true }), loaded: true });
    } catch (error) {
      useUiStore.getState().notify('error', errorMessage(error));
    }
  },
  async create(input) {
    const e = await call('engagement:create', input);
    set({ items: upsert(get().items, e) });
    return e;
  },
  async update(id, baseRevision, changes) {
    const e = await call('engagement:update', { id, base_revision: baseRevision, changes });
    set({ items: upsert(get().items, e) });
    return e;
  },
  async close(id) {
    const e = await call('engagement:close', { id });
    set({ items: upsert(get().items, e) });
    return e;
  },
  reset() {
    set({ items: [], loaded: false, selectedId: null });
  },
}));

/**
 * Keeps the list fresh while the workspace is unlocked: records change from this
 * window, another window or the CLI. Returns the unsubscribe function.
 */
export function followEngagements(): () => void {
  void useEngagementsStore.getState().refresh();
  return subscribe('records:changed', ({ types }) => {
    if (types.includes('engagement')) void useEngagementsStore.getState().refresh();
  });
}
