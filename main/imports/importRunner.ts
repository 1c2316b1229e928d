import { Worker } from 'node:worker_threads';
import type { ImportSummary } from '../../shared/domain/imports';
import { AppError, type ApiError } from '../../shared/result';
import type { JobContext } from '../jobs/jobRunner';
import { importLogs, type ImportRequest } from '../services/imports';
import { pipelinedLogReader, readLog } from './logReader';
import { Workspace, type WorkspaceLocation } from '../workspace/workspace';

export type ImportRunner = (req: ImportRequest, ctx: JobContext) => Promise<ImportSummary>;

export type { WorkspaceLocation };
/** Asked at the start of each import: an encrypted workspace's key is handed over only while it is unlocked. */
type LocationSource = WorkspaceLocation | (() => WorkspaceLocation);
const locate = (source: LocationSource) => (typeof source === 'function' ? source() : source);

/** The built import worker (out/main/importWorker.js): runs imports, and reads large logs beside them. */
export type WorkerPath = string;

/** Messages between the app and the import worker. */
export type ToWorker = { kind: 'start'; location: WorkspaceLocation; workerPath: WorkerPath; request: ImportRequest } | { kind: 'cancel' };
export type FromWorker =
  | { kind: 'progress'; done: number; total: number | null; message: string }
  | { kind: 'done'; summary: ImportSummary }
  | { kind: 'failed'; error: ApiError };

/**
 * Imports use their own connection, so their long transaction never mixes with
 * the app's other writes. Inline (CLI, tests) it runs on this thread; in the app
 * it runs in a worker thread, so parsing and bulk inserts never block the event
 * loop that serves the UI. Given the built worker, either way reads large logs
 * in a second thread while this one stores what it read.
 */
export function inlineImportRunner(location: LocationSource, workerPath?: WorkerPath): ImportRunner {
  return async (req, ctx) => {
    const ws = Workspace.open({ ...locate(location), integrityCheck: false });
    try {
      return await importLogs(ws, ws.blobStore(), req, ctx, workerPath ? pipelinedLogReader(workerPath) : readLog);
    } finally {
      ws.close();
    }
  };
}

export function workerImportRunner(location: LocationSource, workerPath: WorkerPath): ImportRunner {
  return (req, ctx) =>
    new Promise<ImportSummary>((resolve, reject) => {
      const where = locate(location);
      const worker = new Worker(workerPath);
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        ctx.signal.removeEventListener('abort', onAbort);
        fn();
        void worker.terminate();
      };
      const onAbort = () => worker.postMessage({ kind: 'cancel' } satisfies ToWorker);
      ctx.signal.addEventListener('abort', onAbort);
      worker.on('message', (m: FromWorker) => {
        if (m.kind === 'progress') ctx.progress(m.done, m.total, m.message);
        else if (m.kind === 'done') settle(() => resolve(m.summary));
        else settle(() => reject(new AppError(m.error.code, m.error.message)));
      });
      worker.on('error', (error) => settle(() => reject(error)));
      worker.on('exit', (code) => settle(() => reject(new AppError('INTERNAL', `The import stopped unexpectedly (worker exit ${code}); nothing was imported.`))));
      worker.postMessage({ kind: 'start', location: where, workerPath, request: req } satisfies ToWorker);
    });
}
