/**
 * Reads one log for an import: its run metadata and results, then its samples
 * (and those of any lm-eval samples files) as sealed records in batches, with
 * the credential warnings they raise. Pure of the database: the import writes
 * what this yields. A large log is read in a worker thread of its own, so
 * parsing and sealing one batch overlap with storing the one before.
 */
import { Worker } from 'node:worker_threads';
import { SAMPLE_TEXT_LIMIT } from '../../shared/domain/run';
import { AppError, ErrorCode, type ApiError } from '../../shared/result';
import { toApiError } from '../api/dispatch';
import { scanValue, type CredentialFinding } from '../importers/credentials';
import { parseInspectEval } from '../importers/inspect/inspectEval';
import { parseInspectJson } from '../importers/inspect/inspectJson';
import { parseLmEvalResults } from '../importers/lmEval/lmEvalResults';
import { parseLmEvalSamples } from '../importers/lmEval/lmEvalSamples';
import { LogFormatError, type ParsedLog, type ParsedResult, type ParsedRunMeta, type ParsedSample, type SourceFormat } from '../importers/types';
import { sealNewRecords, type CreateOp, type Envelope, type SealedRecord } from '../records/writeRecord';
import { bounded, cleanText, jsonObject, oneLineName } from '../services/jsonSafe';

export type LogSpec = {
  format: SourceFormat;
  /** The log's bytes (its blob), its name for messages, and its SHA-256. */
  path: string;
  label: string;
  sha256: string;
  /** Bytes of the log and its samples files: decides whether a worker is worth starting. */
  size: number;
  samplesFiles: { path: string; sha256: string; task: string; metricNames: string[] }[];
  runId: string;
  /** Who the sample records are written by, and when. */
  author: string;
  now: string;
};

export type LogEvent =
  | { kind: 'head'; meta: ParsedRunMeta; results: ParsedResult[] }
  /** A batch of samples: as write operations, or already sealed (see serveLogReader). */
  | { kind: 'samples'; ops: CreateOp<'sample'>[]; sealed?: SealedRecord<Envelope>[]; warnings: CredentialFinding[] };

export type LogReader = (spec: LogSpec) => AsyncIterable<LogEvent>;

/** Samples per batch: the unit of progress, cancel, and hand-over between threads. */
export const BATCH = 500;

/** Reads the log on this thread. */
export async function* readLog(spec: LogSpec): AsyncGenerator<LogEvent> {
  const parsed = await parseByFormat(spec.format, spec.path, spec.label);
  yield { kind: 'head', meta: parsed.meta, results: parsed.results };
  const streams: { samples: AsyncIterable<ParsedSample>; sha256: string }[] = [
    { samples: parsed.samples(), sha256: spec.sha256 },
    ...spec.samplesFiles.map((f) => ({ samples: parseLmEvalSamples(f.path, { task: f.task, metricNames: new Set(f.metricNames) }), sha256: f.sha256 })),
  ];
  for (const stream of streams) {
    let ops: CreateOp<'sample'>[] = [];
    let warnings: CredentialFinding[] = [];
    const batch = (): LogEvent => {
      const event: LogEvent = { kind: 'samples', ops, warnings };
      ops = [];
      warnings = [];
      return event;
    };
    for await (const sample of stream.samples) {
      warnings.push(...scanValue({ input: sample.input, target: sample.target, output: sample.output, scores: sample.scores }, `sample ${sample.sample_id} (epoch ${sample.epoch})`));
      ops.push(sampleOp(spec.runId, stream.sha256, sample, parsed.meta.task));
      if (ops.length >= BATCH) yield batch();
    }
    if (ops.length > 0) yield batch();
  }
}

function parseByFormat(format: SourceFormat, path: string, label: string): Promise<ParsedLog> {
  switch (format) {
    case 'inspect-json':
      return parseInspectJson(path, { label });
    case 'inspect-eval':
      return parseInspectEval(path, { label });
    case 'lm-eval-results':
      return parseLmEvalResults(path);
    case 'lm-eval-samples':
      throw new LogFormatError(`${label} is an lm-eval samples file; import it together with its results_*.json.`);
  }
}

function sampleOp(runId: string, sha256: string, s: ParsedSample, runTask: string): CreateOp<'sample'> {
  const input = bounded(s.input, SAMPLE_TEXT_LIMIT);
  const target = bounded(s.target, SAMPLE_TEXT_LIMIT);
  const output = bounded(s.output, SAMPLE_TEXT_LIMIT);
  return {
    action: 'create',
    type: 'sample',
    refs: [runId],
    fields: {
      run_id: runId,
      task: oneLineName(s.task, runTask),
      sample_id: oneLineName(s.sample_id, '?'),
      epoch: s.epoch,
      input: input.text,
      target: target.text,
      output: output.text,
      truncated: input.cut || target.cut || output.cut,
      scores: jsonObject(s.scores),
      ...(s.error ? { error: cleanText(s.error, 10_000) } : {}),
      source_sha256: sha256,
      location: s.location,
      hashes: Object.fromEntries(Object.entries(s.hashes).map(([k, v]) => [k.slice(0, 100), v.slice(0, 200)])),
    },
  };
}

// ---------------------------------------------------------------- worker

/** Below this many bytes, starting a thread costs more than it saves. */
const WORKER_MIN_BYTES = 8 * 1024 * 1024;
/** Batches the worker may run ahead of the writer: bounds the memory in flight. */
const AHEAD = 4;

/** What the worker entry (importWorker.ts, role "read-log") sends. */
export type FromLogWorker = { kind: 'event'; event: LogEvent } | { kind: 'end' } | { kind: 'error'; error: ApiError };

/**
 * Reads logs of at least `minBytes` in a worker thread started from the built
 * import worker; smaller ones on this thread.
 */
export function pipelinedLogReader(workerPath: string, minBytes = WORKER_MIN_BYTES): LogReader {
  return (spec) => (spec.size >= minBytes ? readLogInWorker(workerPath, spec) : readLog(spec));
}

async function* readLogInWorker(workerPath: string, spec: LogSpec): AsyncGenerator<LogEvent> {
  const worker = new Worker(workerPath, { workerData: { role: 'read-log', spec } });
  const inbox: (FromLogWorker | { kind: 'exit'; code: number } | { kind: 'crash'; error: Error })[] = [];
  let wake: (() => void) | undefined;
  const deliver = (m: (typeof inbox)[number]) => {
    inbox.push(m);
    wake?.();
  };
  worker.on('message', deliver);
  worker.on('error', (error) => deliver({ kind: 'crash', error }));
  worker.on('exit', (code) => deliver({ kind: 'exit', code }));
  try {
    for (;;) {
      while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const m = inbox.shift()!;
      switch (m.kind) {
        case 'event':
          yield m.event;
          worker.postMessage('ack');
          break;
        case 'end':
          return;
        case 'error':
          throw m.error.code === 'INVALID_INPUT' ? new LogFormatError(m.error.message) : new AppError(m.error.code, m.error.message);
        case 'crash':
          throw m.error;
        case 'exit':
          throw new AppError('INTERNAL', `Reading ${spec.label} stopped unexpectedly (worker exit ${m.code}).`);
      }
    }
  } finally {
    // Done, failed, or the import stopped early (cancel): the thread goes either way.
    await worker.terminate();
  }
}

/**
 * The worker's side: reads the log and posts each event, at most AHEAD
 * unacknowledged. Sealing a batch (validate, canonical JSON, hash) costs about
 * as much as storing it, so it goes where there is time: while the writer has a
 * batch in hand this thread seals; when the writer waits idle it gets the batch
 * as is and seals it itself. (Measured: sealing mostly here beats giving the
 * writer every batch unsealed by about 2x; the writer's store is the cheaper half.)
 */
export async function serveLogReader(spec: LogSpec, port: { postMessage(m: FromLogWorker): void; on(event: 'message', fn: () => void): void }): Promise<void> {
  let unacknowledged = 0;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    unacknowledged -= 1;
    wake?.();
  });
  try {
    for await (const read of readLog(spec)) {
      // The writer still has a batch in hand: sealing here keeps both threads busy.
      const writerBusy = unacknowledged >= 1;
      const event = read.kind === 'samples' && writerBusy ? { ...read, ops: [], sealed: sealNewRecords(spec.author, spec.now, read.ops) } : read;
      port.postMessage({ kind: 'event', event });
      unacknowledged += 1;
      while (unacknowledged >= AHEAD) await new Promise<void>((resolve) => (wake = resolve));
    }
    port.postMessage({ kind: 'end' });
  } catch (error) {
    const apiError: ApiError = error instanceof LogFormatError ? { code: ErrorCode.enum.INVALID_INPUT, message: error.message } : toApiError(error);
    port.postMessage({ kind: 'error', error: apiError });
  }
}
