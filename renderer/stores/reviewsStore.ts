import { create } from 'zustand';
import type { Determination, DeterminationInput, DeterminationView, Review, ReviewInput, ReviewView } from '../../shared/domain/review';
import { call, errorMessage, subscribe } from '../lib/api';

export type ReviewsState = {
  /** Reviews of the findings opened, newest first, by finding id. */
  reviews: Record<string, ReviewView[]>;
  reviewErrors: Record<string, string>;
  /** Determination pages (decision and evidence) of the engagements opened, by engagement id. */
  determinations: Record<string, DeterminationView>;
  determinationErrors: Record<string, string>;
  loadReviews: (findingId: string) => Promise<void>;
  loadDetermination: (engagementId: string) => Promise<void>;
  /** Each write throws ApiCallError with main's one-sentence message; nothing is saved then. */
  review: (input: ReviewInput) => Promise<Review>;
  determine: (input: DeterminationInput) => Promise<Determination>;
  /** Forget everything cached (on lock). */
  reset: () => void;
};

function without<T>(map: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _gone, ...rest } = map;
  return rest;
}

/** Supervisors' verdicts on findings and decisions on engagements, as the finding and engagement pages show them. */
export const useReviewsStore = create<ReviewsState>()((set, get) => ({
  reviews: {},
  reviewErrors: {},
  determinations: {},
  determinationErrors: {},
  async loadReviews(findingId) {
    try {
      const list = await call('reviews:list', { finding_id: findingId });
      set({ reviews: { ...get().reviews, [findingId]: list }, reviewErrors: without(get().reviewErrors, findingId) });
    } catch (error) {
      set({ reviewErrors: { ...get().reviewErrors, [findingId]: errorMessage(error) } });
    }
  },
  async loadDetermination(engagementId) {
    try {
      const view = await call('determination:get', { engagement_id: engagementId });
      set({ determinations: { ...get().determinations, [engagementId]: view }, determinationErrors: without(get().determinationErrors, engagementId) });
    } catch (error) {
      set({ determinationErrors: { ...get().determinationErrors, [engagementId]: errorMessage(error) } });
    }
  },
  async review(input) {
    const saved = await call('review:create', input);
    await get().loadReviews(saved.finding_id);
    return saved;
  },
  async determine(input) {
    const saved = await call('determination:record', input);
    await get().loadDetermination(saved.engagement_id);
    return saved;
  },
  reset() {
    set({ reviews: {}, reviewErrors: {}, determinations: {}, determinationErrors: {} });
  },
}));

/** Keeps the reviews and determinations on screen fresh when records change here, in another window, or from an ingest. */
export function followReviews(): () => void {
  return subscribe('records:changed', ({ types }) => {
    const all = types.includes('*');
    const { reviews, determinations, loadReviews, loadDetermination } = useReviewsStore.getState();
    // A new revision of a finding makes its reviews "for an earlier revision".
    if (all || types.includes('review') || types.includes('finding')) for (const id of Object.keys(reviews)) void loadReviews(id);
    if (all || ['determination', 'result', 'run', 'threshold'].some((t) => types.includes(t))) {
      for (const id of Object.keys(determinations)) void loadDetermination(id);
    }
  });
}
