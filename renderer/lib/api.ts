/**
 * The renderer's one door to main, and the ONLY module that reads
 * `window.evalnotes` (STYLE.md §4.11). On the desktop the preload provides the
 * bridge over IPC; in a browser the serve host is reached over HTTP. Callers
 * cannot tell the two apart: `call` returns the parsed value or throws an
 * ApiCallError carrying the one-sentence message from main.
 */
import type { Bridge } from '../../shared/api/bridge';
import type { FileRef } from '../../shared/api/files';
import {
  calls,
  events,
  type CallInput,
  type RendererCallName,
  type CallOutput,
  type EventName,
  type EventPayload,
} from '../../shared/api/contract';
import type { ErrorCode, Result } from '../../shared/result';
import { createHttpBridge } from './httpBridge';

export class ApiCallError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

let bridge: Bridge | undefined;

/** Picked once, on first use: the desktop preload if present, else the serve host. */
function currentBridge(): Bridge {
  bridge ??= window.evalnotes ?? createHttpBridge();
  return bridge;
}

export function transport(): Bridge['transport'] {
  return currentBridge().transport;
}

/** Desktop only: a dropped File as a ref (see Bridge.droppedFile). */
export function droppedFile(file: File): Promise<Result<FileRef>> {
  const fromDrop = currentBridge().droppedFile;
  if (!fromDrop) return Promise.resolve({ ok: false, error: { code: 'UNSUPPORTED', message: 'This window cannot take dropped files; use the file dialog.' } });
  return fromDrop(file);
}

/**
 * Calls main and unwraps the envelope. The value is re-parsed with the call's
 * output schema, which also turns "NaN"/"Infinity" strings back into numbers.
 */
export async function call<K extends RendererCallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
  const send = currentBridge().calls[name] as (input: CallInput<K>) => Promise<Result<unknown>>;
  let result: Result<unknown>;
  try {
    result = await send(input);
  } catch {
    throw new ApiCallError('INTERNAL', 'EvalNotes could not reach its service; check that it is still running and try again.');
  }
  if (!result.ok) throw new ApiCallError(result.error.code, result.error.message);
  const parsed = calls[name].output.safeParse(result.value);
  if (!parsed.success) throw new ApiCallError('INTERNAL', `The answer to ${name} did not match the contract; nothing was shown.`);
  return parsed.data as CallOutput<K>;
}

/** Listens for an event from main; returns the unsubscribe function. Malformed payloads are dropped. */
export function subscribe<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void {
  const on = currentBridge().events[name] as (listener: (payload: unknown) => void) => () => void;
  return on((payload) => {
    const parsed = events[name].safeParse(payload);
    if (parsed.success) listener(parsed.data as EventPayload<K>);
  });
}

/** The message to show for anything a call threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiCallError) return error.message;
  return 'Something went wrong; nothing was changed.';
}
