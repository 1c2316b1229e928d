/**
 * Worker-thread entry for imports (built as out/main/importWorker.js). It owns a
 * connection of its own and reports progress to the app by message.
 */
import { parentPort } from 'node:worker_threads';
import { AppError } from '../../shared/result';
import { toApiError } from '../api/dispatch';
import type { JobContext } from '../jobs/jobRunner';
import { inlineImportRunner, type FromWorker, type ToWorker } from './importRunner';

const port = parentPort;
if (port) {
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
      inlineImportRunner(m.location)(m.request, ctx).then(
        (summary) => send({ kind: 'done', summary }),
        (error: unknown) => send({ kind: 'failed', error: toApiError(error) }),
      );
  });
}
