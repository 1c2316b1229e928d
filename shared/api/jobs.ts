import { z } from 'zod';
import { ApiError } from '../result';

/**
 * Long work (import, export, verify, ingest, report) runs as a job: the call
 * returns a job id at once, progress arrives as events, and `job:cancel` stops it.
 */
export const JobId = z.string().regex(/^job-[0-9a-f]{16}$/, { message: 'must be a job id' });

export const JobStarted = z.strictObject({ job_id: JobId });

export const JobProgress = z.strictObject({
  job_id: JobId,
  kind: z.string(),
  /** Units of work done and expected (bytes, records …); total null when unknown. */
  done: z.number().min(0),
  total: z.number().min(0).nullable(),
  message: z.string(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const JobFinished = z.strictObject({
  job_id: JobId,
  kind: z.string(),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  error: ApiError.nullable(),
  result: z.unknown(),
});
export type JobFinished = z.infer<typeof JobFinished>;

export const JobSummary = z.strictObject({
  job_id: JobId,
  kind: z.string(),
  state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  progress: JobProgress.nullable(),
});
