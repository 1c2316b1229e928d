import { create } from 'zustand';
import type { Note, NoteTarget } from '../../shared/domain/note';
import { call, errorMessage, subscribe } from '../lib/api';

export type NoteList = { items: Note[]; loaded: boolean; error: string | null };

/** A list's key: the engagement's journal, or the notes on one record. */
export function noteListKey(engagementId: string, on?: NoteTarget): string {
  return on ? `${on.type}:${on.id}` : `journal:${engagementId}`;
}

type ListRequest = { engagementId: string; on?: NoteTarget };

export type NotesState = {
  lists: Record<string, NoteList>;
  refresh: (engagementId: string, on?: NoteTarget) => Promise<void>;
  /** A note just saved by an editor here: shown at once in every list it belongs to. */
  saved: (note: Note) => void;
  /** Throws ApiCallError with main's one-sentence message. */
  remove: (note: Note) => Promise<void>;
  reset: () => void;
};

const EMPTY: NoteList = { items: [], loaded: false, error: null };
/** What each list was asked for, to refresh them all when notes change elsewhere. */
const requests = new Map<string, ListRequest>();

export function noteListOf(state: NotesState, engagementId: string, on?: NoteTarget): NoteList {
  return state.lists[noteListKey(engagementId, on)] ?? EMPTY;
}

function belongs(key: string, note: Note): boolean {
  return key === noteListKey(note.engagement_id) || key === noteListKey(note.engagement_id, note.on);
}

export const useNotesStore = create<NotesState>()((set, get) => ({
  lists: {},
  async refresh(engagementId, on) {
    const key = noteListKey(engagementId, on);
    requests.set(key, on ? { engagementId, on } : { engagementId });
    try {
      const items = await call('notes:list', on ? { engagement_id: engagementId, on } : { engagement_id: engagementId });
      set({ lists: { ...get().lists, [key]: { items, loaded: true, error: null } } });
    } catch (error) {
      const previous = get().lists[key] ?? EMPTY;
      set({ lists: { ...get().lists, [key]: { ...previous, loaded: true, error: errorMessage(error) } } });
    }
  },
  saved(note) {
    const lists = { ...get().lists };
    for (const [key, list] of Object.entries(lists)) {
      if (!belongs(key, note)) continue;
      const items = list.items.some((n) => n.id === note.id) ? list.items.map((n) => (n.id === note.id ? note : n)) : [...list.items, note];
      lists[key] = { ...list, items };
    }
    set({ lists });
  },
  async remove(note) {
    await call('note:delete', { id: note.id });
    const lists = { ...get().lists };
    for (const [key, list] of Object.entries(lists)) lists[key] = { ...list, items: list.items.filter((n) => n.id !== note.id) };
    set({ lists });
  },
  reset() {
    requests.clear();
    set({ lists: {} });
  },
}));

/** Refreshes every list on screen when notes change (another window, the CLI). */
export function followNotes(): () => void {
  return subscribe('records:changed', ({ types }) => {
    if (!types.includes('note') && !types.includes('*')) return;
    const { refresh } = useNotesStore.getState();
    for (const r of requests.values()) void refresh(r.engagementId, r.on);
  });
}
