import { create } from 'zustand';
import type { JobFinished, JobProgress } from '../../shared/api/jobs';
import { IngestSummary, VerifyReport } from '../../shared/domain/bundle';
import { call, errorMessage } from '../lib/api';
import { uploadDroppedFiles } from '../lib/files';
import { bridgeJobEvents } from '../lib/jobEvents';
import { followJob } from '../lib/jobs';
import { useEngagementsStore } from './engagementsStore';
import { useFindingsStore } from './findingsStore';
import { useKeysStore } from './keysStore';

export type BundleStep = 'verify' | 'ingest';
export type BundlePhase = 'idle' | 'uploading' | 'starting' | 'running' | 'finished' | 'failed' | 'cancelled';

/**
 * The Bundles screen: one bundle file, verified, then (if valid) ingested.
 * Kept in a store so the report stays while the person looks at what was
 * ingested and comes back.
 */
export type BundlesState = {
  /**
   * The chosen file, kept as a File: main releases a file ref when its job
   * ends, so verify and ingest each hand the file to main anew.
   */
  file: File | null;
  step: BundleStep | null;
  phase: BundlePhase;
  progress: JobProgress | null;
  jobId: string | null;
  cancelling: boolean;
  /** The verifier's report: from verify, or from the ingest (which verifies first). */
  report: VerifyReport | null;
  summary: IngestSummary | null;
  /** Why the step failed, one sentence (an invalid bundle is a report, not an error). */
  error: string | null;
  /** Takes a picked or dropped bundle and verifies it at once. Never throws. */
  choose: (file: File) => Promise<void>;
  verify: () => Promise<void>;
  ingest: () => Promise<void>;
  cancel: () => Promise<void>;
  /** Forgets the file and what was shown (Choose another bundle). */
  clear: () => void;
  reset: () => void;
};

const IDLE = { step: null, phase: 'idle', progress: null, jobId: null, cancelling: false, report: null, summary: null, error: null } as const;

/** Each run gets a number; a run that is no longer the current one stops touching the state. */
let currentRun = 0;

export const useBundlesStore = create<BundlesState>()((set, get) => {
  const isCurrent = (run: number) => run === currentRun;
  const cancelled = (run: number) => !isCurrent(run) || get().phase === 'cancelled';

  async function run(step: BundleStep): Promise<void> {
    const file = get().file;
    if (!file) return;
    const me = ++currentRun;
    // A new verify starts from nothing; an ingest keeps the verify report on screen until its own arrives.
    set({ ...IDLE, step, phase: 'uploading', report: step === 'ingest' ? get().report : null });

    let ref;
    try {
      const outcome = await uploadDroppedFiles([file]);
      if (cancelled(me)) return;
      ref = outcome.refs[0];
      if (!ref) {
        set({ phase: 'failed', error: outcome.failed[0]?.message ?? `${file.name} did not reach EvalNotes.` });
        return;
      }
    } catch (error) {
      if (isCurrent(me)) set({ phase: 'failed', error: errorMessage(error) });
      return;
    }

    set({ phase: 'starting' });
    let finished: Promise<JobFinished>;
    try {
      const job = await followJob(
        () => call(step === 'verify' ? 'bundle:verify' : 'bundle:ingest', { file: ref }),
        (progress) => isCurrent(me) && set({ progress }),
        bridgeJobEvents,
      );
      if (!isCurrent(me)) return;
      if (get().phase === 'cancelled') {
        // Cancelled while the job was being started: stop it now that it exists.
        await call('job:cancel', { job_id: job.jobId });
        return;
      }
      set({ phase: 'running', jobId: job.jobId });
      finished = job.finished;
    } catch (error) {
      if (isCurrent(me)) set({ phase: 'failed', error: errorMessage(error) });
      return;
    }

    const f = await finished;
    if (!isCurrent(me)) return;
    if (f.status === 'cancelled') return set({ phase: 'cancelled', cancelling: false });
    if (f.status === 'failed') return set({ phase: 'failed', cancelling: false, error: f.error?.message ?? 'The bundle could not be read.' });
    if (step === 'verify') {
      const report = VerifyReport.safeParse(f.result);
      set(report.success ? { phase: 'finished', cancelling: false, report: report.data } : { phase: 'failed', error: 'The verifier’s report did not match the contract.' });
      return;
    }
    const summary = IngestSummary.safeParse(f.result);
    if (!summary.success) return set({ phase: 'failed', cancelling: false, error: 'The ingest finished, but its summary did not match the contract.' });
    set({ phase: 'finished', cancelling: false, summary: summary.data, report: summary.data.report });
    // What arrived shows at once (main also announces records:changed).
    void useEngagementsStore.getState().refresh();
    void useKeysStore.getState().load();
    useFindingsStore.setState((s) => ({ version: s.version + 1 }));
  }

  return {
    file: null,
    ...IDLE,
    async choose(file) {
      set({ file });
      await run('verify');
    },
    verify: () => run('verify'),
    ingest: () => run('ingest'),
    async cancel() {
      const { phase, jobId } = get();
      if (phase === 'uploading' || phase === 'starting') {
        // Not a job yet: run() sees the phase and stops (or cancels the job as soon as it has its id).
        set({ phase: 'cancelled' });
        return;
      }
      if (phase !== 'running' || !jobId) return;
      set({ cancelling: true });
      try {
        await call('job:cancel', { job_id: jobId });
      } catch (error) {
        set({ cancelling: false, error: errorMessage(error) });
      }
    },
    clear() {
      currentRun++;
      set({ file: null, ...IDLE });
    },
    reset() {
      currentRun++;
      set({ file: null, ...IDLE });
    },
  };
});
