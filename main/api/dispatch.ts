import type { z } from 'zod';
import { calls, isCallName, type CallArgs, type CallName, type CallOutput } from '../../shared/api/contract';
import { AppError, type ApiError, type Result } from '../../shared/result';

export type Handlers = {
  [K in CallName]: (args: CallArgs<K>) => Promise<CallOutput<K>> | CallOutput<K>;
};

export type Dispatch = (name: unknown, input: unknown) => Promise<Result<unknown>>;

export type Logger = { error(message: string, detail?: unknown): void; warn(message: string): void };

/** One readable sentence from a schema failure: the first problem, with its field. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'The input is not valid.';
  const path = issue.path.map(String).join('.');
  const message = issue.message.replace(/^Invalid input: /, '');
  return path ? `${path}: ${message}` : message;
}

export function toApiError(error: unknown, log?: Logger): ApiError {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  log?.error('unexpected error', error);
  return { code: 'INTERNAL', message: 'Something went wrong inside EvalNotes; nothing was changed. The log has details.' };
}

/** How long a call waits for the database while another connection (an import) writes. */
const BUSY_WAIT_MS = 120_000;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Runs a handler, retrying while the database is busy. An import holds the write
 * lock for seconds; the app's connection has a short busy timeout, so a save
 * during an import waits here, between event-loop turns, instead of freezing the
 * window. A busy attempt changed nothing (its transaction rolled back), so trying
 * again is safe.
 */
export async function whenNotBusy<T>(run: () => T | Promise<T>): Promise<T> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    try {
      return await run();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) {
        if (isBusy(error)) throw new AppError('CONFLICT', 'The workspace stayed busy (an import or another program is writing); nothing was changed, try again.');
        throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Checks a call's input against the contract; throws INVALID_INPUT with one sentence. */
export function parseCallInput<K extends CallName>(name: K, input: unknown): CallArgs<K> {
  const parsed = calls[name].input.safeParse(input ?? {});
  if (!parsed.success) throw new AppError('INVALID_INPUT', describeZodError(parsed.error));
  return parsed.data as CallArgs<K>;
}

/**
 * The single entry point both transports call: checks the call exists, parses the
 * input with its schema, runs the handler, and returns an envelope. With
 * validateOutput (tests, development) the handler's answer is checked as well.
 */
export function createDispatch(handlers: Handlers, opts: { validateOutput: boolean; log?: Logger }): Dispatch {
  return async (name, input) => {
    if (!isCallName(name)) return { ok: false, error: { code: 'UNKNOWN_CALL', message: `There is no call named ${JSON.stringify(String(name)).slice(0, 80)}.` } };
    const spec = calls[name];
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) return { ok: false, error: { code: 'INVALID_INPUT', message: describeZodError(parsed.error) } };
    try {
      const handler = handlers[name] as (args: unknown) => unknown;
      const value = await whenNotBusy(() => handler(parsed.data));
      if (opts.validateOutput) {
        const checked = spec.output.safeParse(value);
        if (!checked.success) {
          opts.log?.error(`output of ${name} does not match its schema`, checked.error);
          return { ok: false, error: { code: 'INTERNAL', message: `The answer to ${name} did not match the contract: ${describeZodError(checked.error)}` } };
        }
      }
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toApiError(error, opts.log) };
    }
  };
}
