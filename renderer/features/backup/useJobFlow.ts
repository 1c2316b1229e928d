import { useCallback, useEffect, useRef, useState } from 'react';
import type { z } from 'zod';
import type { JobProgress } from '../../../shared/api/jobs';
import { call, errorMessage } from '../../lib/api';
import { bridgeJobEvents } from '../../lib/jobEvents';
import { followJob } from '../../lib/jobs';

export type JobPhase = 'idle' | 'preparing' | 'running' | 'finished' | 'failed' | 'cancelled';

export type JobFlowState<T> = {
  phase: JobPhase;
  progress: JobProgress | null;
  jobId: string | null;
  cancelling: boolean;
  result: T | null;
  /** Why it failed, one sentence from main. */
  error: string | null;
};

/**
 * One job (a backup or a restore) from the call that starts it to its result,
 * checked against its schema: progress, cancel, and a late answer ignored once
 * the component is gone. `prepare` runs first (a save dialog, an upload) and
 * returns the call that starts the job, or null when the person backed out.
 */
export function useJobFlow<T>(schema: z.ZodType<T>) {
  const [state, setState] = useState<JobFlowState<T>>({ phase: 'idle', progress: null, jobId: null, cancelling: false, result: null, error: null });
  const current = useRef(state);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  const patch = useCallback((change: Partial<JobFlowState<T>>) => {
    current.current = { ...current.current, ...change };
    if (live.current) setState(current.current);
  }, []);

  const run = useCallback(
    async (prepare: () => Promise<(() => Promise<{ job_id: string }>) | null>): Promise<T | null> => {
      patch({ phase: 'preparing', progress: null, jobId: null, cancelling: false, result: null, error: null });
      try {
        const start = await prepare();
        if (!start) {
          patch({ phase: 'idle' });
          return null;
        }
        const job = await followJob(start, (progress) => patch({ progress }), bridgeJobEvents);
        patch({ phase: 'running', jobId: job.jobId });
        const f = await job.finished;
        const parsed = f.status === 'succeeded' ? schema.safeParse(f.result) : null;
        if (f.status === 'cancelled') patch({ phase: 'cancelled', cancelling: false });
        else if (f.status === 'failed') patch({ phase: 'failed', cancelling: false, error: f.error?.message ?? 'The job failed; nothing was changed.' });
        else if (!parsed?.success) patch({ phase: 'failed', cancelling: false, error: 'The job finished, but its answer did not match the contract.' });
        else patch({ phase: 'finished', cancelling: false, result: parsed.data });
        return parsed?.success ? parsed.data : null;
      } catch (error) {
        patch({ phase: 'failed', cancelling: false, error: errorMessage(error) });
        return null;
      }
    },
    [patch, schema],
  );

  const cancel = useCallback(async () => {
    const { phase, jobId } = current.current;
    if (phase !== 'running' || !jobId) return;
    patch({ cancelling: true });
    try {
      await call('job:cancel', { job_id: jobId });
    } catch (error) {
      patch({ cancelling: false, error: errorMessage(error) });
    }
  }, [patch]);

  const reset = useCallback(
    () => patch({ phase: 'idle', progress: null, jobId: null, cancelling: false, result: null, error: null }),
    [patch],
  );
  const busy = state.phase === 'preparing' || state.phase === 'running';
  return { state, busy, run, cancel, reset };
}
