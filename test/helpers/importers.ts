import { expect } from 'vitest';
import { LogFormatError, type ParsedLog, type ParsedSample } from '../../main/importers/types';

/**
 * The error a person sees for input that is not a log: a LogFormatError, one
 * sentence, naming the file. Returns the message for further checks.
 */
export async function refusal(work: Promise<unknown>, label: string): Promise<string> {
  const err = await work.then(
    (r) => new Error(`expected a refusal, got ${JSON.stringify(r)?.slice(0, 100)}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LogFormatError);
  const message = (err as Error).message;
  expect(message).toContain(label);
  expect(message).toMatch(/\.$/);
  expect(message).not.toContain('\n');
  return message;
}

/** Every sample a parsed log (or a samples stream) yields. */
export async function collect(source: ParsedLog | AsyncIterable<ParsedSample>): Promise<ParsedSample[]> {
  const out: ParsedSample[] = [];
  for await (const s of 'samples' in source ? source.samples() : source) out.push(s);
  return out;
}
