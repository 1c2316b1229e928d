import type { z } from 'zod';
import { Engagement } from './engagement';
import { Finding } from './finding';
import { Attachment, Note } from './note';
import { MetricResult, Run, Sample, Threshold } from './run';
import { Determination, Review } from './review';
import type { RecordType } from './record';

/**
 * The full schema of each record type that can be stored. The single write
 * function validates every revision against it; readers parse with it.
 */
export const recordSchemas = {
  engagement: Engagement,
  threshold: Threshold,
  run: Run,
  result: MetricResult,
  sample: Sample,
  finding: Finding,
  note: Note,
  attachment: Attachment,
  review: Review,
  determination: Determination,
} satisfies Partial<Record<RecordType, z.ZodType>>;

export type StorableType = keyof typeof recordSchemas;
export type RecordOf<T extends StorableType> = z.output<(typeof recordSchemas)[T]>;

/** The field naming the record each type belongs to (stored as records.parent_id). */
export const parentField: Partial<Record<StorableType, string>> = {
  threshold: 'engagement_id',
  run: 'engagement_id',
  result: 'run_id',
  sample: 'run_id',
  finding: 'engagement_id',
  note: 'engagement_id',
  attachment: 'engagement_id',
  review: 'engagement_id',
  determination: 'engagement_id',
};

/** Folder names in bundles: records/<plural>/<id>.json */
export const recordFolders: Record<RecordType, string> = {
  engagement: 'engagements',
  threshold: 'thresholds',
  run: 'runs',
  result: 'results',
  sample: 'samples',
  finding: 'findings',
  note: 'notes',
  attachment: 'attachments',
  review: 'reviews',
  determination: 'determinations',
};
