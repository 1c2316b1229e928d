import { create } from 'zustand';
import type { CallInput } from '../../shared/api/contract';
import type { Comparison, Threshold } from '../../shared/domain/run';
import { call, errorMessage, subscribe } from '../lib/api';

export type ThresholdList = { items: Threshold[]; loaded: boolean; error: string | null };

/**
 * The engagement's local thresholds. They are sensitive: they stay on this
 * machine, and this store forgets them when the workspace locks.
 */
export type ThresholdsState = {
  lists: Record<string, ThresholdList>;
  refresh: (engagementId: string) => Promise<void>;
  /** Each write throws ApiCallError with main's one-sentence message; nothing is saved then. */
  create: (input: CallInput<'threshold:create'>) => Promise<Threshold>;
  update: (t: Threshold, changes: { comparison?: Comparison; value?: number }) => Promise<Threshold>;
  remove: (t: Threshold) => Promise<void>;
  reset: () => void;
};

const EMPTY: ThresholdList = { items: [], loaded: false, error: null };

export function thresholdListOf(state: ThresholdsState, engagementId: string): ThresholdList {
  return state.lists[engagementId] ?? EMPTY;
}

function byKey(a: Threshold, b: Threshold): number {
  return a.task.localeCompare(b.task) || a.scorer.localeCompare(b.scorer) || a.metric.localeCompare(b.metric);
}

export const useThresholdsStore = create<ThresholdsState>()((set, get) => {
  function replace(engagementId: string, items: Threshold[]) {
    const list = thresholdListOf(get(), engagementId);
    set({ lists: { ...get().lists, [engagementId]: { ...list, items: [...items].sort(byKey) } } });
  }
  return {
    lists: {},
    async refresh(engagementId) {
      try {
        const items = await call('thresholds:list', { engagement_id: engagementId });
        set({ lists: { ...get().lists, [engagementId]: { items: items.filter((t) => !t.deleted).sort(byKey), loaded: true, error: null } } });
      } catch (error) {
        const list = thresholdListOf(get(), engagementId);
        set({ lists: { ...get().lists, [engagementId]: { ...list, loaded: true, error: errorMessage(error) } } });
      }
    },
    async create(input) {
      const t = await call('threshold:create', input);
      replace(t.engagement_id, [...thresholdListOf(get(), t.engagement_id).items.filter((x) => x.id !== t.id), t]);
      return t;
    },
    async update(t, changes) {
      const saved = await call('threshold:update', { id: t.id, base_revision: t.revision, changes });
      replace(t.engagement_id, thresholdListOf(get(), t.engagement_id).items.map((x) => (x.id === saved.id ? saved : x)));
      return saved;
    },
    async remove(t) {
      await call('threshold:delete', { id: t.id });
      replace(t.engagement_id, thresholdListOf(get(), t.engagement_id).items.filter((x) => x.id !== t.id));
    },
    reset() {
      set({ lists: {} });
    },
  };
});

export function followThresholds(): () => void {
  return subscribe('records:changed', ({ types }) => {
    if (!types.includes('threshold')) return;
    const { lists, refresh } = useThresholdsStore.getState();
    for (const engagementId of Object.keys(lists)) void refresh(engagementId);
  });
}
