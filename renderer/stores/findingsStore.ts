import { create } from 'zustand';
import type { CallInput } from '../../shared/api/contract';
import type { AuthorStatus, Finding, FindingChanges, FindingInput, FindingView } from '../../shared/domain/finding';
import { call, errorMessage, subscribe } from '../lib/api';

export type FindingsState = {
  /** Findings opened by id, as finding:get shows them (with the status they show). */
  views: Record<string, FindingView>;
  /** Why a finding could not be loaded, by id. */
  errors: Record<string, string>;
  /**
   * Raised whenever findings change (here, in another window, from the CLI), so
   * the findings tables fetch their pages again.
   */
  version: number;
  load: (id: string) => Promise<void>;
  /** Each write throws ApiCallError with main's one-sentence message; nothing is saved then. */
  create: (input: FindingInput) => Promise<Finding>;
  update: (id: string, baseRevision: number, changes: FindingChanges) => Promise<Finding>;
  setStatus: (id: string, baseRevision: number, status: AuthorStatus) => Promise<Finding>;
  addEvidence: (id: string, evidence: CallInput<'finding:addEvidence'>['evidence']) => Promise<Finding>;
  remove: (id: string) => Promise<void>;
  /** Forget everything cached (on lock). */
  reset: () => void;
};

export const useFindingsStore = create<FindingsState>()((set, get) => {
  /** Keeps the shown status and counts, replacing the finding with what main saved. */
  function store(f: Finding): Finding {
    const old = get().views[f.id];
    set({
      views: { ...get().views, [f.id]: { finding: f, shown_status: old?.shown_status ?? f.status, changed_since_review: old?.changed_since_review ?? false, notes: old?.notes ?? 0 } },
      version: get().version + 1,
    });
    return f;
  }
  return {
    views: {},
    errors: {},
    version: 0,
    async load(id) {
      try {
        const view = await call('finding:get', { id });
        const { [id]: _gone, ...errors } = get().errors;
        set({ views: { ...get().views, [id]: view }, errors });
      } catch (error) {
        set({ errors: { ...get().errors, [id]: errorMessage(error) } });
      }
    },
    async create(input) {
      const f = await call('finding:create', input);
      set({ views: { ...get().views, [f.id]: { finding: f, shown_status: f.status, changed_since_review: false, notes: 0 } }, version: get().version + 1 });
      return f;
    },
    async update(id, baseRevision, changes) {
      return store(await call('finding:update', { id, base_revision: baseRevision, changes }));
    },
    async setStatus(id, baseRevision, status) {
      const f = store(await call('finding:setStatus', { id, base_revision: baseRevision, status }));
      // The shown status may follow a supervisor's review rather than the author's status: ask main.
      await get().load(id);
      return f;
    },
    async addEvidence(id, evidence) {
      return store(await call('finding:addEvidence', { id, evidence }));
    },
    async remove(id) {
      await call('finding:delete', { id });
      const { [id]: _gone, ...views } = get().views;
      set({ views, version: get().version + 1 });
    },
    reset() {
      set({ views: {}, errors: {}, version: 0 });
    },
  };
});

/** Keeps open findings and tables fresh when findings (or notes on them) change anywhere. */
export function followFindings(): () => void {
  return subscribe('records:changed', ({ types }) => {
    const all = types.includes('*');
    if (!all && !types.includes('finding') && !types.includes('note') && !types.includes('review')) return;
    const { views, load } = useFindingsStore.getState();
    for (const id of Object.keys(views)) void load(id);
    if (all || types.includes('finding') || types.includes('review')) useFindingsStore.setState((s) => ({ version: s.version + 1 }));
  });
}
