import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallInput } from '../../../shared/api/contract';
import type { JobProgress } from '../../../shared/api/jobs';
import { BUNDLE_EXTENSION, ExportSummary } from '../../../shared/domain/bundle';
import { call, errorMessage, transport } from '../../lib/api';
import { downloadFromUrl, uploadDroppedFiles } from '../../lib/files';
import { bridgeJobEvents } from '../../lib/jobEvents';
import { followJob } from '../../lib/jobs';

export type ExportPhase = 'idle' | 'saving' | 'uploading' | 'starting' | 'running' | 'finished' | 'failed' | 'cancelled';

export type ExportJobState = {
  phase: ExportPhase;
  progress: JobProgress | null;
  jobId: string | null;
  cancelling: boolean;
  summary: ExportSummary | null;
  /** Why the export failed, one sentence. */
  error: string | null;
};

export type ExportRequest = Omit<CallInput<'bundle:export'>, 'to' | 'forward'> & {
  /** Other signers' bundles to carry inside this one, handed to main when the export starts. */
  forward: File[];
  suggestedName: string;
};

const IDLE: ExportJobState = { phase: 'idle', progress: null, jobId: null, cancelling: false, summary: null, error: null };

/**
 * Writing a bundle: on the desktop the save dialog first, then the forwarded
 * bundles handed to main, then the export job with progress and cancel; in the
 * browser the finished bundle downloads at once.
 */
export function useExportJob() {
  const [state, setState] = useState<ExportJobState>(IDLE);
  // The same state for the async steps, which must see a cancel made while they awaited.
  const current = useRef<ExportJobState>(IDLE);
  // An unmounted dialog stops listening; a late answer must not touch it.
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  const patch = useCallback((change: Partial<ExportJobState>) => {
    current.current = { ...current.current, ...change };
    if (live.current) setState(current.current);
  }, []);
  const isCancelled = () => current.current.phase === 'cancelled';

  const start = useCallback(
    async (req: ExportRequest) => {
      patch({ ...IDLE, phase: 'saving' });
      try {
        let to = null;
        if (transport() === 'desktop') {
          to = await call('dialog:saveFile', {
            title: 'Save the signed bundle',
            default_name: req.suggestedName,
            filters: [{ name: 'EvalNotes bundles', extensions: [BUNDLE_EXTENSION.slice(1)] }],
          });
          if (!to) return patch({ phase: 'idle' });
        }
        patch({ phase: 'uploading' });
        const uploaded = await uploadDroppedFiles(req.forward);
        if (isCancelled()) return;
        const failed = uploaded.failed[0];
        if (failed) return patch({ phase: 'failed', error: `${failed.name}: ${failed.message}` });

        patch({ phase: 'starting' });
        const { forward: _files, suggestedName: _name, ...input } = req;
        const job = await followJob(
          () => call('bundle:export', { ...input, forward: uploaded.refs, to }),
          (progress) => patch({ progress }),
          bridgeJobEvents,
        );
        if (isCancelled()) {
          await call('job:cancel', { job_id: job.jobId });
          return;
        }
        patch({ phase: 'running', jobId: job.jobId });
        const f = await job.finished;
        if (f.status === 'cancelled') return patch({ phase: 'cancelled', cancelling: false });
        if (f.status === 'failed') return patch({ phase: 'failed', cancelling: false, error: f.error?.message ?? 'The bundle could not be written.' });
        const summary = ExportSummary.safeParse(f.result);
        if (!summary.success) return patch({ phase: 'failed', cancelling: false, error: 'The bundle was written, but the answer did not match the contract.' });
        if (summary.data.download_url) downloadFromUrl(summary.data.download_url, summary.data.file);
        patch({ phase: 'finished', cancelling: false, summary: summary.data });
      } catch (error) {
        patch({ phase: 'failed', cancelling: false, error: errorMessage(error) });
      }
    },
    [patch],
  );

  const cancel = useCallback(async () => {
    const { phase, jobId } = current.current;
    if (phase === 'uploading' || phase === 'starting') return patch({ phase: 'cancelled' });
    if (phase !== 'running' || !jobId) return;
    patch({ cancelling: true });
    try {
      await call('job:cancel', { job_id: jobId });
    } catch (error) {
      patch({ cancelling: false, error: errorMessage(error) });
    }
  }, [patch]);

  const reset = useCallback(() => patch(IDLE), [patch]);
  const busy = state.phase === 'saving' || state.phase === 'uploading' || state.phase === 'starting' || state.phase === 'running';
  return { state, busy, start, cancel, reset };
}
