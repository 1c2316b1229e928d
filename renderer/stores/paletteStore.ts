import { create } from 'zustand';

/** Whether the search palette (Ctrl/Cmd+K) is open. */
export type PaletteState = {
  open: boolean;
  show: () => void;
  hide: () => void;
};

export const usePaletteStore = create<PaletteState>()((set) => ({
  open: false,
  show: () => set({ open: true }),
  hide: () => set({ open: false }),
}));
