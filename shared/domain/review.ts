import { z } from 'zod';
import { RecordId } from './ids';
import { Measure } from './json';
import { Envelope } from './record';
import { Text } from './text';

/** A supervisor's verdict on one revision of a finding (DESIGN.md). */
export const Verdict = z.enum(['validated', 'rejected', 'needs-info']);
export type Verdict = z.infer<typeof Verdict>;

const reviewFields = {
  /** The finding's engagement, so a supervisor's bundle of that engagement carries the review (records.parent_id). */
  engagement_id: RecordId,
  finding_id: RecordId,
  /** The revision the supervisor read: a later edit by the author shows "changed since review". */
  finding_revision: z.number().int().min(1),
  verdict: Verdict,
  comment: Text(20_000),
};
export const Review = z.strictObject({ type: z.literal('review'), ...Envelope, ...reviewFields });
export type Review = z.infer<typeof Review>;

/** What a supervisor enters; the engagement and the revision come from the finding as it stands. */
export const ReviewInput = z.strictObject({
  finding_id: RecordId,
  verdict: Verdict,
  comment: Text(20_000),
  /** The revision the supervisor was looking at: refused if the finding has changed since. */
  finding_revision: z.number().int().min(1).optional(),
});
export type ReviewInput = z.input<typeof ReviewInput>;

/** A review as a finding page shows it, with whether its author's key counts as a supervisor's here. */
export const ReviewView = z.strictObject({
  review: Review,
  reviewer_name: z.string().nullable(),
  /** By this workspace's own supervisor key or a key trusted with the supervisor role. */
  by_supervisor: z.boolean(),
  /** The finding has a newer revision than the one reviewed. */
  outdated: z.boolean(),
});
export type ReviewView = z.infer<typeof ReviewView>;

/** The coverage decision on an engagement. Stored as written; shown as "covered", "not covered", "pending". */
export const Decision = z.enum(['covered', 'not-covered', 'pending']);
export type Decision = z.infer<typeof Decision>;
export const decisionLabel = (d: Decision): string => (d === 'not-covered' ? 'not covered' : d);

/** One result and the threshold it met (or did not): the evidence a determination rests on. */
export const DeterminationBasis = z.strictObject({
  result_id: RecordId,
  threshold_id: RecordId,
  met: z.boolean(),
});
export type DeterminationBasis = z.infer<typeof DeterminationBasis>;

const determinationFields = {
  engagement_id: RecordId,
  decision: Decision,
  rationale: Text(20_000),
  /** The results compared with thresholds when the decision was recorded. */
  rests_on: z.array(DeterminationBasis).max(10_000),
};
export const Determination = z.strictObject({ type: z.literal('determination'), ...Envelope, ...determinationFields });
export type Determination = z.infer<typeof Determination>;

export const DeterminationInput = z.strictObject({
  engagement_id: RecordId,
  decision: Decision,
  rationale: Text(20_000),
});
export type DeterminationInput = z.input<typeof DeterminationInput>;

/** An engagement's determination page: the current decision and the evidence for it. */
export const DeterminationView = z.strictObject({
  /** The newest determination by a supervisor key, or null. */
  current: Determination.nullable(),
  decided_by: z.string().nullable(),
  /** Every result of the engagement that has a threshold, compared with it now. */
  evidence: z.array(
    z.strictObject({
      result_id: RecordId,
      run_id: RecordId,
      threshold_id: RecordId,
      task: z.string(),
      scorer: z.string(),
      metric: z.string(),
      value: Measure,
      comparison: z.enum(['>=', '>', '<=', '<']),
      threshold: z.number(),
      met: z.boolean(),
    }),
  ),
});
export type DeterminationView = z.infer<typeof DeterminationView>;
