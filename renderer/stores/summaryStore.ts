import { create } from 'zustand';
import type { Summary } from '../../shared/domain/summary';
import { call, errorMessage, subscribe } from '../lib/api';

export type SummaryState = {
  /** The last answer to summary:get; kept on screen while a newer one is fetched. */
  summary: Summary | null;
  /** Why the summary could not be read, one sentence. */
  error: string | null;
  load: () => Promise<void>;
  /** Forget everything cached (on lock: the summary carries thresholds). */
  reset: () => void;
};

/** Record types whose change can move a number on the dashboard. */
const SUMMARISED = new Set(['*', 'engagement', 'finding', 'review', 'determination', 'run', 'result', 'threshold']);

// One summary:get at a time: a burst of changes (an ingest of many records) asks once more at the end, not once per change.
let inFlight: Promise<void> | null = null;
let again = false;
// Raised by reset, so an answer that arrives after the workspace was locked is dropped.
let generation = 0;

export const useSummaryStore = create<SummaryState>()((set) => ({
  summary: null,
  error: null,
  async load() {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    const gen = generation;
    inFlight = (async () => {
      do {
        again = false;
        try {
          const summary = await call('summary:get', {});
          if (gen === generation) set({ summary, error: null });
        } catch (error) {
          if (gen === generation) set({ error: errorMessage(error) });
        }
      } while (again && gen === generation);
    })();
    try {
      await inFlight;
    } finally {
      inFlight = null;
    }
  },
  reset() {
    generation++;
    again = false;
    set({ summary: null, error: null });
  },
}));

/**
 * Loads the summary and keeps it fresh while a dashboard is on screen: the
 * whole workspace in one call, asked again when records change anywhere.
 */
export function followSummary(): () => void {
  void useSummaryStore.getState().load();
  return subscribe('records:changed', ({ types }) => {
    if (types.some((t) => SUMMARISED.has(t))) void useSummaryStore.getState().load();
  });
}
