import { randomBytes } from 'node:crypto';
import type { JobFinished, JobProgress } from '../../shared/api/jobs';
import { AppError, type ApiError } from '../../shared/result';
import type { EventBus } from '../app/eventBus';

export type JobContext = {
  readonly signal: AbortSignal;
  /** Report progress; throttled, so call it as often as convenient. */
  progress(done: number, total: number | null, message: string): void;
  /** Throws CANCELLED if the user asked the job to stop. */
  checkCancelled(): void;
};

type Job = {
  kind: string;
  controller: AbortController;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: JobProgress | null;
  finished: Promise<JobFinished>;
};

const PROGRESS_INTERVAL_MS = 100;

/** Runs long work off the call path: progress events, cancel, one result event. */
export class JobRunner {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly bus: EventBus,
    private readonly toApiError: (error: unknown) => ApiError,
  ) {}

  start<T>(kind: string, work: (ctx: JobContext) => Promise<T>): { job_id: string } {
    const job_id = `job-${randomBytes(8).toString('hex')}`;
    const controller = new AbortController();
    let lastEmit = 0;
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (done, total, message) => {
        const progress = { job_id, kind, done, total, message };
        job.progress = progress;
        const now = Date.now();
        if (now - lastEmit >= PROGRESS_INTERVAL_MS || (total !== null && done >= total)) {
          lastEmit = now;
          this.bus.emit('job:progress', progress);
        }
      },
      checkCancelled: () => {
        if (controller.signal.aborted) throw new AppError('CANCELLED', 'The job was cancelled.');
      },
    };
    const job: Job = { kind, controller, state: 'running', progress: null, finished: Promise.resolve(null as never) };
    this.jobs.set(job_id, job);
    // Start on the next tick so the caller has the id before the first event.
    job.finished = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => work(ctx))
      .then(
        (result): JobFinished => ({ job_id, kind, status: 'succeeded', error: null, result }),
        (error: unknown): JobFinished => {
          const apiError = this.toApiError(error);
          const cancelled = controller.signal.aborted || apiError.code === 'CANCELLED';
          return {
            job_id,
            kind,
            status: cancelled ? 'cancelled' : 'failed',
            error: cancelled ? { code: 'CANCELLED', message: 'The job was cancelled.' } : apiError,
            result: null,
          };
        },
      )
      .then((finished) => {
        job.state = finished.status;
        this.bus.emit('job:finished', finished);
        return finished;
      });
    return { job_id };
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job || job.state !== 'running') return false;
    job.controller.abort();
    return true;
  }

  list() {
    return [...this.jobs.entries()].map(([job_id, j]) => ({ job_id, kind: j.kind, state: j.state, progress: j.progress }));
  }

  /** Resolves when the job ends (CLI and tests wait on this instead of events). */
  wait(jobId: string): Promise<JobFinished> {
    const job = this.jobs.get(jobId);
    if (!job) throw new AppError('NOT_FOUND', `No job ${jobId}.`);
    return job.finished;
  }

  /** Cancels everything still running; used at shutdown. */
  async stopAll(): Promise<void> {
    for (const job of this.jobs.values()) if (job.state === 'running') job.controller.abort();
    await Promise.all([...this.jobs.values()].map((j) => j.finished));
  }
}
