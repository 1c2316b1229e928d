/**
 * Following one job (export, verify, ingest) from the call that starts it to
 * its job:finished event. Over HTTP the event stream can overtake the answer
 * that carries the job id, so events are listened for BEFORE the job starts
 * and those of the job are replayed once its id is known.
 */
import type { JobFinished, JobProgress } from '../../shared/api/jobs';

/** Where job events come from: the bridge (lib/jobEvents.ts), or a fake in tests. */
export type JobEvents = {
  onProgress: (listener: (p: JobProgress) => void) => () => void;
  onFinished: (listener: (f: JobFinished) => void) => () => void;
};

export type FollowedJob = {
  jobId: string;
  /** Settles with the job's job:finished event (succeeded, failed or cancelled); never rejects. */
  finished: Promise<JobFinished>;
};

/**
 * Starts a job and follows it: onProgress gets each of its progress events,
 * `finished` its outcome. If start throws, nothing is left listening and the
 * error is rethrown.
 */
export async function followJob(
  start: () => Promise<{ job_id: string }>,
  onProgress: (p: JobProgress) => void,
  events: JobEvents,
): Promise<FollowedJob> {
  let jobId: string | null = null;
  // Events that arrived before the id did, kept by job (other jobs' events are dropped once the id is known).
  const early: { progress: JobProgress[]; finished: JobFinished[] } = { progress: [], finished: [] };
  let settle: (f: JobFinished) => void = () => {};
  const finished = new Promise<JobFinished>((resolve) => (settle = resolve));
  let done = false;

  const finish = (f: JobFinished) => {
    if (done) return;
    done = true;
    offProgress();
    offFinished();
    settle(f);
  };
  const offProgress = events.onProgress((p) => {
    if (jobId === null) early.progress.push(p);
    else if (p.job_id === jobId && !done) onProgress(p);
  });
  const offFinished = events.onFinished((f) => {
    if (jobId === null) early.finished.push(f);
    else if (f.job_id === jobId) finish(f);
  });

  try {
    jobId = (await start()).job_id;
  } catch (error) {
    offProgress();
    offFinished();
    throw error;
  }
  const id = jobId;
  for (const p of early.progress) if (p.job_id === id && !done) onProgress(p);
  const end = early.finished.find((f) => f.job_id === id);
  if (end) finish(end);
  return { jobId: id, finished };
}

/** A job's progress as a fraction from 0 to 1, or null while its total is unknown. */
export function progressFraction(p: Pick<JobProgress, 'done' | 'total'> | null): number | null {
  if (!p || p.total === null || p.total <= 0) return null;
  return Math.min(1, Math.max(0, p.done / p.total));
}
