import { create } from 'zustand';
import type { CallInput } from '../../shared/api/contract';
import type { RunWithResults } from '../../shared/domain/imports';
import { call, errorMessage, subscribe } from '../lib/api';

export type RunList = {
  items: RunWithResults[];
  /** False until the first list arrives, so the empty state does not flash. */
  loaded: boolean;
  /** The last refresh's failure, one sentence; the list keeps what it had. */
  error: string | null;
};

export type RunsState = {
  /** Runs per engagement id, newest first (the server's order). */
  lists: Record<string, RunList>;
  /** Single runs opened by id (a run page reached from a link or a reload). */
  runs: Record<string, RunWithResults>;
  /** Why a run page could not be loaded, by run id. */
  runErrors: Record<string, string>;
  refresh: (engagementId: string) => Promise<void>;
  loadRun: (runId: string) => Promise<void>;
  /** Throws ApiCallError with main's one-sentence message; nothing is saved then. */
  createManual: (input: CallInput<'run:createManual'>) => Promise<RunWithResults>;
  reset: () => void;
};

const EMPTY: RunList = { items: [], loaded: false, error: null };

export function runListOf(state: RunsState, engagementId: string): RunList {
  return state.lists[engagementId] ?? EMPTY;
}

export const useRunsStore = create<RunsState>()((set, get) => ({
  lists: {},
  runs: {},
  runErrors: {},
  async refresh(engagementId) {
    try {
      const items = await call('runs:list', { engagement_id: engagementId });
      const runs = { ...get().runs };
      for (const r of items) runs[r.run.id] = r;
      set({ lists: { ...get().lists, [engagementId]: { items, loaded: true, error: null } }, runs });
    } catch (error) {
      const previous = runListOf(get(), engagementId);
      set({ lists: { ...get().lists, [engagementId]: { ...previous, loaded: true, error: errorMessage(error) } } });
    }
  },
  async loadRun(runId) {
    try {
      const r = await call('run:get', { id: runId });
      const { [runId]: _gone, ...runErrors } = get().runErrors;
      set({ runs: { ...get().runs, [runId]: r }, runErrors });
    } catch (error) {
      set({ runErrors: { ...get().runErrors, [runId]: errorMessage(error) } });
    }
  },
  async createManual(input) {
    const r = await call('run:createManual', input);
    const list = runListOf(get(), r.run.engagement_id);
    set({
      runs: { ...get().runs, [r.run.id]: r },
      lists: { ...get().lists, [r.run.engagement_id]: { ...list, items: [r, ...list.items.filter((x) => x.run.id !== r.run.id)] } },
    });
    return r;
  },
  reset() {
    set({ lists: {}, runs: {}, runErrors: {} });
  },
}));

/** Keeps every list on screen fresh when runs or results change (an import, the CLI, another window). */
export function followRuns(): () => void {
  return subscribe('records:changed', ({ types }) => {
    if (!types.includes('run') && !types.includes('result')) return;
    const { lists, runs, refresh, loadRun } = useRunsStore.getState();
    for (const engagementId of Object.keys(lists)) void refresh(engagementId);
    // Runs opened directly whose engagement list was never loaded.
    const listed = new Set(Object.values(lists).flatMap((l) => l.items.map((r) => r.run.id)));
    for (const runId of Object.keys(runs)) if (!listed.has(runId)) void loadRun(runId);
  });
}
