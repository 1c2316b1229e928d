/**
 * The Bridge over HTTP, for the browser served by `evalnotes serve` (DESIGN.md,
 * "Serve host (browser mode)"). Calls are `POST /api/<name>` with a JSON body,
 * events arrive over one shared Server-Sent Events stream, files go up with
 * `PUT /files?name=` and come down from `/files/<ref>`. The session cookie the
 * host set when the page was opened with its token authenticates every request;
 * this module never sees a secret.
 *
 * JSON cannot carry NaN, so both directions use the shared codec: stringifyJson
 * writes non-finite numbers as strings and the contract's schemas (num()) read
 * them back. Answers are therefore re-parsed with the call's output schema, so
 * the renderer gets exactly what the desktop transport would have given it.
 */
import type { Bridge } from '../../shared/api/bridge';
import { calls as contractCalls, eventNames, events as contractEvents, rendererCallNames, type CallName, type EventName } from '../../shared/api/contract';
import { FileRef } from '../../shared/api/files';
import { stringifyJson } from '../../shared/numbers';
import { ApiError, AppError, type ErrorCode, type Result } from '../../shared/result';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** The part of the browser's EventSource this module uses (tests pass a fake). */
export type EventSourceLike = {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  close(): void;
};
export type EventSourceConstructor = new (url: string) => EventSourceLike;

export const LOST_CONNECTION = 'Lost the connection to the EvalNotes serve host; is it still running?';

const EVENTS_PATH = '/events';
/** EventSource.CLOSED: the browser gave up (for example a 401) and will not retry by itself. */
const EVENT_SOURCE_CLOSED = 2;
const REOPEN_DELAY_MS = 5_000;

const defaultFetch: FetchLike = (input, init) => fetch(input, init);

function browserEventSource(): EventSourceConstructor | undefined {
  return (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
}

function failure(code: ErrorCode, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

/** Refusals before the app is reached (401, 403, 413 …) come as one line of text. */
function codeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 403 || status === 421) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 400 || status === 413 || status === 415) return 'INVALID_INPUT';
  return 'INTERNAL';
}

/** One sentence about the first problem, for answers that break the contract. */
function describeIssue(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return 'it is not valid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Turns any answer of the serve host into an envelope; never throws. */
async function readEnvelope(response: Response): Promise<Result<unknown>> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return failure('INTERNAL', LOST_CONNECTION);
  }
  if ((response.headers.get('content-type') ?? '').startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return failure('INTERNAL', 'The serve host sent an answer that is not valid JSON.');
    }
    if (parsed !== null && typeof parsed === 'object') {
      const envelope = parsed as { ok?: unknown; value?: unknown; error?: unknown };
      if (envelope.ok === true) return { ok: true, value: envelope.value };
      const error = ApiError.safeParse(envelope.error);
      if (envelope.ok === false && error.success) return { ok: false, error: error.data };
    }
    return failure('INTERNAL', 'The serve host sent an answer EvalNotes does not understand.');
  }
  const sentence = text.trim().split('\n')[0]?.slice(0, 300) ?? '';
  return failure(codeForStatus(response.status), sentence || `The serve host answered with HTTP status ${response.status}.`);
}

/** Where the browser downloads a file ref's content (an attachment, never rendered inline). */
export function downloadUrl(ref: FileRef | string): string {
  return `/files/${encodeURIComponent(typeof ref === 'string' ? ref : ref.ref)}`;
}

/**
 * Streams a file the user picked into the serve host's temp area and returns
 * its ref. Throws AppError with a one-sentence message on failure.
 */
export async function uploadFile(file: File, fetchImpl: FetchLike = defaultFetch): Promise<FileRef> {
  let response: Response;
  try {
    response = await fetchImpl(`/files?name=${encodeURIComponent(file.name)}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: file,
      credentials: 'same-origin',
    });
  } catch {
    throw new AppError('INTERNAL', LOST_CONNECTION);
  }
  const envelope = await readEnvelope(response);
  if (!envelope.ok) throw new AppError(envelope.error.code, envelope.error.message);
  const ref = FileRef.safeParse(envelope.value);
  if (!ref.success) throw new AppError('INTERNAL', 'The serve host answered the upload with something that is not a file ref.');
  return ref.data;
}

type Subscription = { readonly listener: (payload: unknown) => void };

export function createHttpBridge(
  fetchImpl: FetchLike = defaultFetch,
  EventSourceImpl: EventSourceConstructor | undefined = browserEventSource(),
): Bridge {
  async function call(name: CallName, input: unknown): Promise<Result<unknown>> {
    let response: Response;
    try {
      response = await fetchImpl(`/api/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: stringifyJson(input ?? {}),
        credentials: 'same-origin',
      });
    } catch {
      return failure('INTERNAL', LOST_CONNECTION);
    }
    const envelope = await readEnvelope(response);
    if (!envelope.ok) return envelope;
    const output = contractCalls[name].output.safeParse(envelope.value);
    if (!output.success) {
      return failure('INTERNAL', `The serve host's answer to ${name} does not match the contract (${describeIssue(output.error.issues)}).`);
    }
    return { ok: true, value: output.data };
  }

  // One EventSource for all subscriptions, opened with the first and closed with the last.
  const subscriptions = new Map<EventName, Set<Subscription>>(eventNames.map((name) => [name, new Set()]));
  let source: EventSourceLike | null = null;
  let reopenTimer: ReturnType<typeof setTimeout> | null = null;

  const subscriberCount = (): number => [...subscriptions.values()].reduce((sum, set) => sum + set.size, 0);

  function deliver(name: EventName, data: unknown): void {
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const payload = contractEvents[name].safeParse(json);
    // A payload outside the contract is dropped rather than handed to a view that trusts its type.
    if (!payload.success) return;
    for (const subscription of [...(subscriptions.get(name) ?? [])]) {
      try {
        subscription.listener(payload.data);
      } catch (error) {
        // One failing view must not starve the others; the browser still reports the error.
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }

  function open(): void {
    if (source !== null || EventSourceImpl === undefined) return;
    const opened = new EventSourceImpl(EVENTS_PATH);
    source = opened;
    for (const name of eventNames) opened.addEventListener(name, (event) => deliver(name, event.data));
    opened.addEventListener('error', () => {
      // While the host is unreachable the browser retries by itself; only a refusal closes the stream for good.
      if (opened.readyState !== EVENT_SOURCE_CLOSED || source !== opened) return;
      source = null;
      reopenTimer ??= setTimeout(() => {
        reopenTimer = null;
        if (subscriberCount() > 0) open();
      }, REOPEN_DELAY_MS);
    });
  }

  function closeIfUnused(): void {
    if (subscriberCount() > 0) return;
    if (reopenTimer !== null) clearTimeout(reopenTimer);
    reopenTimer = null;
    source?.close();
    source = null;
  }

  function subscribe(name: EventName, listener: (payload: unknown) => void): () => void {
    const subscription: Subscription = { listener };
    subscriptions.get(name)?.add(subscription);
    open();
    return () => {
      if (subscriptions.get(name)?.delete(subscription)) closeIfUnused();
    };
  }

  const calls = Object.fromEntries(rendererCallNames.map((name) => [name, (input: unknown) => call(name, input)]));
  const events = Object.fromEntries(eventNames.map((name) => [name, (listener: (payload: unknown) => void) => subscribe(name, listener)]));
  return Object.freeze({
    transport: 'browser' as const,
    calls: Object.freeze(calls) as unknown as Bridge['calls'],
    events: Object.freeze(events) as unknown as Bridge['events'],
  });
}
