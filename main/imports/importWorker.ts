/**
 * Worker-thread entry for imports (built as out/main/importWorker.js), in one
 * of two roles: the import itself (a connection of its own, progress to the
 * app by message), or, started by an import, the reader of one large log
 * (logReader.ts), which parses and seals samples while the import stores them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../../shared/result';
import { toApiError } from '../api/dispatch';
import type { JobContext } from '../jobs/jobRunner';
import { inlineImportRunner, type FromWorker, type ToWorker } from './importRunner';
import { serveLogReader, type LogSpec } from './logReader';

const port = parentPort;
const role = (workerData as { role?: string; spec?: LogSpec } | null)?.role;
if (port && role === 'read-log') {
  void serveLogReader((workerData as { spec: LogSpec }).spec, port);
} else if (port) {
  const controller = new AbortController();
  const send = (m: FromWorker) => port.postMessage(m);
  const ctx: JobContext = {
    signal: controller.signal,
    progress: (done, total, message) => send({ kind: 'progress', done, total, message }),
    checkCancelled: () => {
      if (controller.signal.aborted) throw new AppError('CANCELLED', 'The import was cancelled; nothing was imported from the file in progress.');
    },
  };
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'cancel') controller.abort();
    else
      inlineImportRunner(m.location, m.workerPath)(m.request, ctx).then(
        (summary) => send({ kind: 'done', summary }),
        (error: unknown) => send({ kind: 'failed', error: toApiError(error) }),
      );
  });
}
