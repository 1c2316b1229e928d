/** Words for supervisors' verdicts and decisions, and which review a finding's header shows. */
import type { Decision, DeterminationView, ReviewView, Verdict } from '../../../shared/domain/review';

export const VERDICT_LABEL: Record<Verdict, string> = {
  validated: 'Validated',
  rejected: 'Rejected',
  'needs-info': 'Needs more information',
};

export const DECISION_LABEL: Record<Decision, string> = {
  covered: 'Covered',
  'not-covered': 'Not covered',
  pending: 'Pending',
};

/** A comment is how the author learns what to fix: required unless the finding is validated. */
export function commentRequired(verdict: Verdict): boolean {
  return verdict !== 'validated';
}

/** The newest review that counts (by a supervisor key), or null: the verdict a finding's header shows. */
export function currentVerdict(reviews: readonly ReviewView[]): ReviewView | null {
  return reviews.find((r) => r.by_supervisor) ?? null;
}

/** The reviewer as the list shows them: the name main knows, else the start of the key id. */
export function reviewerName(r: ReviewView): string {
  return r.reviewer_name ?? `key ${r.review.author.slice(0, 16)}`;
}

/**
 * Whether the evidence still says what it said when the decision was
 * recorded: the same results compared with the same thresholds, with the same
 * outcome. Null when nothing was decided yet.
 */
export function evidenceChanged(view: DeterminationView): boolean | null {
  if (!view.current) return null;
  const key = (b: { result_id: string; threshold_id: string; met: boolean }) => `${b.result_id}|${b.threshold_id}|${b.met}`;
  const then = new Set(view.current.rests_on.map(key));
  const now = new Set(view.evidence.map(key));
  return then.size !== now.size || [...then].some((k) => !now.has(k));
}
