import { create } from 'zustand';
import type { JobFinished, JobProgress } from '../../shared/api/jobs';
import { ImportSummary } from '../../shared/domain/imports';
import { call, errorMessage, subscribe } from '../lib/api';
import { pickAndUploadFiles, uploadDroppedFiles, type UploadEvent, type UploadOutcome } from '../lib/files';
import { useRunsStore } from './runsStore';
import { useUiStore } from './uiStore';

export type ImportFile = {
  name: string;
  size: number | null;
  upload: 'waiting' | 'uploading' | 'uploaded' | 'failed';
  /** Why the upload failed, one sentence. */
  error: string | null;
};

/**
 * One import as the person started it (one pick or one drop): its files on
 * their way to main, then the job's progress, then the outcome per file.
 */
export type ImportEntry = {
  key: number;
  engagementId: string;
  files: ImportFile[];
  phase: 'uploading' | 'starting' | 'running' | 'finished' | 'failed' | 'cancelled';
  jobId: string | null;
  progress: JobProgress | null;
  summary: ImportSummary | null;
  /** Why the whole import failed (nothing was imported), one sentence. */
  error: string | null;
  cancelling: boolean;
};

export type ImportSource = { kind: 'pick' } | { kind: 'drop'; files: File[] };

export type ImportsState = {
  entries: ImportEntry[];
  /** Picks or takes the dropped files, hands them to main and starts the import job. Never throws. */
  start: (engagementId: string, source: ImportSource) => Promise<void>;
  cancel: (key: number) => Promise<void>;
  dismiss: (key: number) => void;
  reset: () => void;
};

/** Files an import accepts (Inspect logs, lm-eval results and samples); main decides by content, not by name. */
export const IMPORT_EXTENSIONS = ['eval', 'json', 'jsonl'];

let nextKey = 1;
/**
 * Events for a job whose id has not come back yet: over HTTP the event stream
 * can overtake the answer to imports:start. Applied when the id arrives.
 */
const early = new Map<string, { progress?: JobProgress; finished?: JobFinished }>();
/** Other kinds of jobs (exports …) pass through here too; keep only the latest few. */
const EARLY_LIMIT = 50;

function remember(jobId: string, change: { progress?: JobProgress; finished?: JobFinished }) {
  early.set(jobId, { ...early.get(jobId), ...change });
  while (early.size > EARLY_LIMIT) {
    const oldest = early.keys().next().value;
    if (oldest === undefined) break;
    early.delete(oldest);
  }
}

export const useImportsStore = create<ImportsState>()((set, get) => {
  function patch(key: number, change: Partial<ImportEntry> | ((e: ImportEntry) => Partial<ImportEntry>)) {
    set({
      entries: get().entries.map((e) => (e.key === key ? { ...e, ...(typeof change === 'function' ? change(e) : change) } : e)),
    });
  }
  function entryOf(key: number): ImportEntry | undefined {
    return get().entries.find((e) => e.key === key);
  }
  function onUpload(key: number, ev: UploadEvent) {
    if (ev.kind === 'listed') {
      patch(key, { files: ev.files.map((f) => ({ ...f, upload: 'waiting', error: null })) });
      return;
    }
    patch(key, (e) => ({
      files: e.files.map((f, i) =>
        i !== ev.index
          ? f
          : ev.kind === 'failed'
            ? { ...f, upload: 'failed', error: ev.message }
            : { ...f, upload: ev.kind === 'uploading' ? 'uploading' : 'uploaded' },
      ),
    }));
  }

  return {
    entries: [],
    async start(engagementId, source) {
      const key = nextKey++;
      const entry: ImportEntry = {
        key,
        engagementId,
        files: [],
        phase: 'uploading',
        jobId: null,
        progress: null,
        summary: null,
        error: null,
        cancelling: false,
      };
      let outcome: UploadOutcome;
      try {
        if (source.kind === 'drop') {
          set({ entries: [entry, ...get().entries] });
          outcome = await uploadDroppedFiles(source.files, (ev) => onUpload(key, ev));
        } else {
          // The entry appears once files are chosen: a cancelled dialog leaves nothing behind.
          let shown = false;
          outcome = await pickAndUploadFiles({ title: 'Import evaluation logs', extensions: IMPORT_EXTENSIONS }, (ev) => {
            if (!shown) {
              shown = true;
              set({ entries: [entry, ...get().entries] });
            }
            onUpload(key, ev);
          });
          if (!shown) return;
        }
      } catch (error) {
        if (!entryOf(key)) set({ entries: [entry, ...get().entries] });
        patch(key, { phase: 'failed', error: errorMessage(error) });
        return;
      }
      const current = entryOf(key);
      if (!current || current.phase === 'cancelled') return;
      if (outcome.refs.length === 0) {
        patch(key, { phase: 'failed', error: 'No file reached EvalNotes, so nothing was imported.' });
        return;
      }
      patch(key, { phase: 'starting' });
      try {
        const { job_id } = await call('imports:start', { engagement_id: engagementId, files: outcome.refs });
        if (entryOf(key)?.phase === 'cancelled') {
          // Cancelled while the job was being started: stop it as soon as it exists.
          patch(key, { jobId: job_id });
          await call('job:cancel', { job_id });
          return;
        }
        patch(key, { phase: 'running', jobId: job_id });
        const pending = early.get(job_id);
        early.delete(job_id);
        if (pending?.progress) applyProgress(pending.progress);
        if (pending?.finished) applyFinished(pending.finished);
      } catch (error) {
        patch(key, { phase: 'failed', error: errorMessage(error) });
      }
    },
    async cancel(key) {
      const e = entryOf(key);
      if (!e) return;
      if (e.jobId === null) {
        // Not a job yet: stop it before it becomes one (start() checks the phase).
        if (e.phase === 'uploading' || e.phase === 'starting') patch(key, { phase: 'cancelled' });
        return;
      }
      if (e.phase !== 'running') return;
      patch(key, { cancelling: true });
      try {
        await call('job:cancel', { job_id: e.jobId });
      } catch (error) {
        patch(key, { cancelling: false, error: errorMessage(error) });
      }
    },
    dismiss(key) {
      set({ entries: get().entries.filter((e) => e.key !== key) });
    },
    reset() {
      early.clear();
      set({ entries: [] });
    },
  };
});

function entryForJob(jobId: string): ImportEntry | undefined {
  return useImportsStore.getState().entries.find((e) => e.jobId === jobId);
}

function setEntry(key: number, change: Partial<ImportEntry>) {
  useImportsStore.setState((s) => ({ entries: s.entries.map((e) => (e.key === key ? { ...e, ...change } : e)) }));
}

function applyProgress(p: JobProgress) {
  const e = entryForJob(p.job_id);
  if (!e) {
    remember(p.job_id, { progress: p });
    return;
  }
  if (e.phase === 'running') setEntry(e.key, { progress: p });
}

function applyFinished(f: JobFinished) {
  const e = entryForJob(f.job_id);
  if (!e) {
    remember(f.job_id, { finished: f });
    return;
  }
  if (f.status === 'cancelled') {
    setEntry(e.key, { phase: 'cancelled', cancelling: false });
  } else if (f.status === 'failed') {
    setEntry(e.key, { phase: 'failed', cancelling: false, error: f.error?.message ?? 'The import failed; nothing was imported.' });
  } else {
    const summary = ImportSummary.safeParse(f.result);
    if (summary.success) setEntry(e.key, { phase: 'finished', cancelling: false, summary: summary.data });
    else setEntry(e.key, { phase: 'failed', cancelling: false, error: 'The import finished, but its summary did not match the contract.' });
  }
  void useRunsStore.getState().refresh(e.engagementId);
  tellIfElsewhere(e.engagementId, f);
}

/** Someone who went on working elsewhere hears how the import ended; on the Runs view the card says it. */
function tellIfElsewhere(engagementId: string, f: JobFinished) {
  const { route, notify } = useUiStore.getState();
  if (route.page === 'runs' && route.id === engagementId) return;
  if (f.status === 'succeeded') notify('info', 'An import has finished; its outcome is on the engagement’s Runs view.');
  else if (f.status === 'failed') notify('error', f.error?.message ?? 'An import failed; nothing was imported.');
}

/** Listens for import jobs' progress and outcome while the workspace is open. Returns the unsubscribe function. */
export function followImports(): () => void {
  const offProgress = subscribe('job:progress', applyProgress);
  const offFinished = subscribe('job:finished', applyFinished);
  return () => {
    offProgress();
    offFinished();
  };
}
